;; A module cut off inside its type section.
;; RUN: wasit2 check %S/inputs/truncated.wasm
;; EXIT: 1
