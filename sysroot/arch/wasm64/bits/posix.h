/* wasit2 wasm64 arch bits: the programming environment is LP64 with
 * 64-bit off_t. */
#define _POSIX_V6_LP64_OFF64 (1)
#define _POSIX_V7_LP64_OFF64 (1)
