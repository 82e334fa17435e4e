/* <setjmp.h> for wasit2 (our own header; docs/sysroot.md, "setjmp and
 * longjmp").
 *
 * WebAssembly cannot save and restore a call stack, so setjmp/longjmp are
 * built on wasm exception handling: compiled with `-mllvm -wasm-enable-sjlj`,
 * clang rewrites each function that calls setjmp so that it records the
 * jmp_buf (`__wasm_setjmp`) and catches the `__c_longjmp` exception that
 * longjmp (`__wasm_longjmp`) throws; libsetjmp.a, which the clang config
 * links, holds those functions. Without that flag (or on the -mvp and
 * -lime1 targets, whose engines have no exceptions) calling setjmp or
 * longjmp is a compile error that says so; including this header is not. */
#ifndef _SETJMP_H
#define _SETJMP_H

#include <features.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What __wasm_setjmp records and __wasm_longjmp throws (libsetjmp.a,
 * sysroot/layer/setjmp/w2_setjmp.c); the rest is room to grow. */
typedef struct __jmp_buf_tag {
	void *__invocation;
	unsigned int __label;
	void *__thrown_env;
	int __thrown_value;
	unsigned long __reserved[4];
} jmp_buf[1];

#ifdef __wasm_exception_handling__
#define __W2_SJLJ_ONLY
#else
#define __W2_SJLJ_ONLY __attribute__((__unavailable__( \
	"setjmp/longjmp need wasm exception handling: compile with " \
	"-mllvm -wasm-enable-sjlj (docs/sysroot.md); the -mvp and -lime1 " \
	"targets have no setjmp")))
#endif

int setjmp(jmp_buf) __W2_SJLJ_ONLY;
_Noreturn void longjmp(jmp_buf, int) __W2_SJLJ_ONLY;
#define setjmp setjmp

/* No signal masks on WASI: the sig and underscore forms are the plain
 * ones (clang only rewrites calls to functions named setjmp/longjmp). */
#if defined(_POSIX_SOURCE) || defined(_POSIX_C_SOURCE) \
 || defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) \
 || defined(_BSD_SOURCE)
typedef jmp_buf sigjmp_buf;
#define sigsetjmp(env, savemask) setjmp(env)
#define siglongjmp(env, val) longjmp(env, val)
#endif

#if defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) \
 || defined(_BSD_SOURCE)
#define _setjmp(env) setjmp(env)
#define _longjmp(env, val) longjmp(env, val)
#endif

#undef __W2_SJLJ_ONLY

#ifdef __cplusplus
}
#endif

#endif
