;; An empty file.
;; RUN: wasit2 check %S/inputs/empty.wasm
;; EXIT: 1
