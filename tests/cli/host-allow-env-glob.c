// `--host-allow 'env.*'`: every undefined symbol may be a native of the
// runtime (wasm-ld's --allow-undefined), and each becomes an `env` import.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O1 %s -o %t.wasm -Wl,--host=wasip1 -Wl,--host-allow=env.*
// RUN: wasit2 check --host wasip1 --host-allow env.* %t.wasm
extern int read_temp(void);
extern void set_led(int on);

int main(void) {
    set_led(read_temp() > 400);
    return 0;
}
