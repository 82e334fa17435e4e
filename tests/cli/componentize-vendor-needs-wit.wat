;; A module of a vendor world that carries no WIT of it (no component-type
;; or wasit2-world section) is refused naming the flags that supply it.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 componentize %t.wasm -o %t.component.wasm
;; EXIT: 1
(module
  (import "wasit2-cm32p2|acme:sensors/temp@1" "model" (func (param i32 i32 i32) (result i32)))
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0))
  (@custom "wasit2-abi" "wasit2-abi 1\0aarch wasm32\0aworld acme:sensors/firmware@1.0.0\0ahost wasit2\0a")
)
