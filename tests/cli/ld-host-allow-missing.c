// A native the firmware registers under `env` (declared with its import
// name, as WAMR natives are) but not allowed with `--host-allow`: refused
// with the call path from the entry, by wasit-ld and `wasit2 check` alike
// (the module it checks was linked for the wasit2 host with the allow).
// RUN: clang-22 --target=wasm32-wasit2-mvp -O1 -c %s -o %t.o
// RUN: clang-22 --target=wasm32-wasit2-mvp %t.o -o %t.wasm -Wl,--host-allow=env.read_temp
// RUN: wasit2 check --host wasip1 %t.wasm
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2-mvp %sysroot/lib/wasm32-wasit2-mvp/crt1-command.o %t.o -lc -o %t.p1.wasm --host=wasip1 --wasip1-libc=adapter --host-allow=env.read_humidity
// EXIT: 1
__attribute__((import_module("env"), import_name("read_temp"))) int read_temp(void);

__attribute__((noinline)) static int sample(void) { return read_temp() / 10; }

int main(void) { return sample() > 40; }
