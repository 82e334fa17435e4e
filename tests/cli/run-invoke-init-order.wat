;; `--invoke` calls the wasit2 initializer before the export, and not
;; `_initialize` as well when both are exported (crt1-reactor.o exports
;; both): the global counts the calls.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run --invoke calls %t.wasm
(module
  (memory (export "cm32p2_memory") 1)
  (global $n (mut i32) (i32.const 0))
  (func (export "cm32p2_initialize") (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (func (export "_initialize") (global.set $n (i32.add (global.get $n) (i32.const 100))))
  (func (export "calls") (result i32) (global.get $n)))
