;; `--invoke` with an argument that is not of the parameter's type.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run --invoke half %t.wasm 1.5x
;; EXIT: 1
(module
  (memory (export "cm32p2_memory") 1)
  (func (export "half") (param f64) (result f64)
    (f64.mul (local.get 0) (f64.const 0.5))))
