;; A component, not a core module.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check %t.wasm
;; EXIT: 1
(component)
