// `-S allow-ip-name-lookup` lets the lookup through to the host's resolver,
// which refuses the name (the trailing dot) instead of the host denying it.
// RUN: clang-22 --target=wasm32-wasit2 -O1 %S/inputs/run-net-probe.c -o %t.wasm
// RUN: wasit2 run -S inherit-network -S allow-ip-name-lookup %t.wasm
// RUN: wasit2 run -S inherit-network,allow-ip-name-lookup %t.wasm
