;; An unknown `--host` name.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --host nosuch %t.wasm
;; EXIT: 1
(module)
