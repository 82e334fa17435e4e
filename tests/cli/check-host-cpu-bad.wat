;; An unknown `--host-cpu` value for `wasit2 check`.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --host wasip1 --host-cpu bleeding-edge %t.wasm
;; EXIT: 1
(module)
