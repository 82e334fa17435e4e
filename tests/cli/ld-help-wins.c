// `--help` wins over everything else on the line: no link happens.
// RUN: wasit-ld --no-entry missing.o -o %t.wasm --help
int unused;
