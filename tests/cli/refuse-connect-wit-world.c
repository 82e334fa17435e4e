// A WIT world as the host profile (`--host PATH:WORLD`): firmware serving
// p1 and TCP but not UDP refuses the UDP imports the socket layer keeps.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O2 -c %S/inputs/connect.c -o %t.o
// RUN: clang-22 --target=wasm32-wasit2-mvp %t.o -o %t.wasm
// RUN: wasit2 check --host %S/inputs/tcp-firmware.wit:device %t.wasm
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2-mvp %sysroot/lib/wasm32-wasit2-mvp/crt1-command.o %t.o -lc -o %t.dev.wasm --host=%S/inputs/tcp-firmware.wit:device --wasip1-libc=adapter
// EXIT: 1
