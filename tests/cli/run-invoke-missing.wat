;; `--invoke` of a name the module does not export: one line naming the
;; functions it does export.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run --invoke nope %t.wasm
;; EXIT: 1
(module
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2_initialize"))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
