;; A `wasi_snapshot_preview1` import left in a module for the wasit2 host.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check %t.wasm
;; EXIT: 1
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "cm32p2_memory") 1)
  (func $write_all (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func $run (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    call $write_all))
