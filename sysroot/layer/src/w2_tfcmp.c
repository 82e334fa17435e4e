/*
 * long double (IEEE binary128) comparisons for wasm64.
 *
 * clang lowers a `long double` comparison to a libcall returning `int`
 * (an i32 on every WebAssembly target). The compiler-rt builtins Debian
 * ships for wasm64 declare these functions with a `long` result, an i64
 * there, so every call traps with a signature mismatch. libc.a is linked
 * before the builtins, so these definitions, with the i32 result clang
 * expects, are the ones a wasm64 program gets. wasm32 keeps the builtins
 * (its `long` is 32 bits and they match).
 *
 * Results follow the libcall contract: negative, zero or positive for
 * less, equal, greater; an unordered pair (a NaN operand) answers so that
 * the caller's test is false: `1` for ==, !=, <, <=, and `-1` for >, >=.
 */
#if __SIZEOF_POINTER__ == 8

typedef unsigned __int128 w2_u128;
typedef __int128 w2_s128;

#define W2_SIGN_BIT ((w2_u128)1 << 127)
/* Exponent all ones, fraction zero: the magnitude of infinity. */
#define W2_INF_BITS ((w2_u128)0x7fff << 112)

static w2_u128 w2_bits(long double x) {
    w2_u128 r;
    __builtin_memcpy(&r, &x, sizeof r);
    return r;
}

static int w2_is_nan_bits(w2_u128 magnitude) { return magnitude > W2_INF_BITS; }

/* Three-way comparison of two binary128 values; `unordered` when either is NaN. */
static int w2_compare(long double a, long double b, int unordered) {
    w2_u128 ua = w2_bits(a), ub = w2_bits(b);
    w2_u128 ma = ua & ~W2_SIGN_BIT, mb = ub & ~W2_SIGN_BIT;
    if (w2_is_nan_bits(ma) || w2_is_nan_bits(mb))
        return unordered;
    if ((ma | mb) == 0)
        return 0; /* +0 and -0 are equal */
    /* Sign-magnitude encodings order like two's complement integers as long
     * as one operand is non-negative; two negative ones order in reverse. */
    w2_s128 sa = (w2_s128)ua, sb = (w2_s128)ub;
    int neg_both = (sa < 0) && (sb < 0);
    if (sa == sb)
        return 0;
    int less = neg_both ? (sa > sb) : (sa < sb);
    return less ? -1 : 1;
}

int __eqtf2(long double a, long double b) { return w2_compare(a, b, 1); }
int __netf2(long double a, long double b) { return w2_compare(a, b, 1); }
int __lttf2(long double a, long double b) { return w2_compare(a, b, 1); }
int __letf2(long double a, long double b) { return w2_compare(a, b, 1); }
int __gttf2(long double a, long double b) { return w2_compare(a, b, -1); }
int __getf2(long double a, long double b) { return w2_compare(a, b, -1); }

int __unordtf2(long double a, long double b) {
    return w2_is_nan_bits(w2_bits(a) & ~W2_SIGN_BIT) || w2_is_nan_bits(w2_bits(b) & ~W2_SIGN_BIT);
}

#endif
