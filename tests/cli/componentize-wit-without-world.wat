;; `--wit` adds packages but does not say which world: refused in one line.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 componentize %t.wasm -o %t.component.wasm --wit %S/inputs/acme.wit
;; EXIT: 1
(module
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0))
)
