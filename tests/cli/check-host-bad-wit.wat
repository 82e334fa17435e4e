;; A `--host` WIT file that does not resolve: one line naming the problem.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --host %S/inputs/bad.wit %t.wasm
;; EXIT: 1
(module)
