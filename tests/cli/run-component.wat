;; A component is refused in one line naming what runs it.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run %t.wasm
;; EXIT: 1
(component)
