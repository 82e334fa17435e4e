// `-S inherit-network` allows binding and connecting; name lookups still
// need `-S allow-ip-name-lookup`.
// RUN: clang-22 --target=wasm32-wasit2 -O1 %S/inputs/run-net-probe.c -o %t.wasm
// RUN: wasit2 run -S inherit-network %t.wasm
// RUN: wasit2 run -S inherit-network=y,allow-ip-name-lookup=n %t.wasm
