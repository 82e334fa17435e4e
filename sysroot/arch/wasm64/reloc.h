/* wasit2 wasm64: the architecture name musl reports. */
#define LDSO_ARCH "wasm64"
