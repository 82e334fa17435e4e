// `wasit-ld --help` lists wasit-ld's own options and says where wasm-ld's are.
// RUN: wasit-ld --help
int unused;
