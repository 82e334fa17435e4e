;; A WIT name the module's world does not export: one line listing the
;; functions it does export.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run --invoke acme:plugin/handler@1.0.0#nope %t.wasm
;; EXIT: 1
(module
  (memory (export "cm32p2_memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  ;; A bump allocator from 1024, reset by the exports' _post.
  (func (export "cm32p2_params_alloc") (param $size i32) (param $align i32) (result i32)
    (local $at i32)
    (local.set $at
      (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $bump (i32.add (local.get $at) (local.get $size)))
    (local.get $at))
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
