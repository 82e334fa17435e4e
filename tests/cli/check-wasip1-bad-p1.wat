;; p1 imports checked against WASI preview 1: a wrong signature, and a
;; function p1 does not have.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --host wasip1 %t.wasm
;; EXIT: 1
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_teleport" (func $fd_teleport (param i32) (result i32)))
  (memory (export "memory") 1)
  (func $start (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0)))
    (drop (call $fd_teleport (i32.const 1)))))
