;; A finished p1 module (only `wasi_snapshot_preview1` imports) without the
;; `_start` and `memory` exports a p1 runtime needs.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --host wasip1 %t.wasm
;; EXIT: 1
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory 1)
  (func $main (export "main")
    i32.const 0
    call $proc_exit))
