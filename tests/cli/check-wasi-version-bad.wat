;; `--wasi-version` that is not X.Y.Z.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --wasi-version x %t.wasm
;; EXIT: 1
(module)
