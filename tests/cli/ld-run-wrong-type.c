// The `run` export with another type than the world's `run: func() -> result`.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasm-ld-22 --no-entry %t.o -o %t.plain.wasm
// RUN: wasit2 check %t.plain.wasm
// RUN: wasit-ld --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) long long run(int code) {
    return code;
}
