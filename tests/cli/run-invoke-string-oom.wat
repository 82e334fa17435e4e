;; cm32p2_params_alloc returning 0 is out of memory: a clear error, and
;; the export is not called.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run --invoke acme:plugin/handler@1.0.0#handle %t.wasm hello
;; EXIT: 134
(module
  (memory (export "cm32p2_memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  ;; Always out of memory.
  (func (export "cm32p2_params_alloc") (param $size i32) (param $align i32) (result i32)
    (i32.const 0))
  ;; handle: the input followed by "!", at 512; the result record at 0.
  (func (export "cm32p2|acme:plugin/handler@1|handle") (param $ptr i32) (param $len i32) (result i32)
    (memory.copy (i32.const 512) (local.get $ptr) (local.get $len))
    (i32.store8 (i32.add (i32.const 512) (local.get $len)) (i32.const 33))
    (i32.store (i32.const 0) (i32.const 512))
    (i32.store (i32.const 4) (i32.add (local.get $len) (i32.const 1)))
    (i32.const 0))
  (func (export "cm32p2|acme:plugin/handler@1|handle_post") (param i32)
    (global.set $bump (i32.const 1024)))
  ;; size: the list's length; no _post, so it frees (resets) itself.
  (func (export "cm32p2|acme:plugin/handler@1|size") (param $ptr i32) (param $len i32) (result i32)
    (global.set $bump (i32.const 1024))
    (local.get $len))
  (@custom "wasit2-world" "wasit2-world 1 acme:plugin/plugin@1.0.0\npackage 164\npackage acme:plugin@1.0.0;\n\ninterface handler {\n  handle: func(input: string) -> string;\n  size: func(data: list<u8>) -> u32;\n}\n\nworld plugin {\n  export handler;\n}\n\nend\n"))
