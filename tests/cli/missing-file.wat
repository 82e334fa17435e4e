;; A module path that does not exist.
;; RUN: wasit2 check %t.nosuch.wasm
;; EXIT: 1
