;; A timeout needs a unit.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run -W timeout=5 %t.wasm
;; EXIT: 1
(module)
