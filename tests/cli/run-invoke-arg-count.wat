;; `--invoke` with too few arguments: one line with the parameter types.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run --invoke add %t.wasm 1
;; EXIT: 1
(module
  (memory (export "cm32p2_memory") 1)
  (func (export "add") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1))))
