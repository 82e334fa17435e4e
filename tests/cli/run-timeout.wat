;; `-W timeout=D`: a guest still running after D is interrupted (exit 134).
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run -W timeout=200ms %t.wasm
;; EXIT: 134
(module
  (memory (export "cm32p2_memory") 1)
  (func $spin (loop $l (br $l)))
  (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    (call $spin)
    (i32.const 0)))
