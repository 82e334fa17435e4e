// `--host-allow env.read_temp`: a plain extern the runtime registers as a
// native (WAMR's `wasm_runtime_register_natives("env", …)`) links for
// `--host wasip1` (wasit-ld lets wasm-ld leave it undefined) and checks.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O1 %s -o %t.wasm -Wl,--host=wasip1 -Wl,--host-allow=env.read_temp
// RUN: wasit2 check --host wasip1 --host-allow env.read_temp %t.wasm
// RUN: wasm-tools validate %t.wasm
extern int read_temp(void);

int main(void) { return read_temp() > 400; }
