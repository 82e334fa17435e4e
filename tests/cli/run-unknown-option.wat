;; An unknown `-S` key is named, with the known ones.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run -S inherit-network,frobnicate %t.wasm
;; EXIT: 1
(module)
