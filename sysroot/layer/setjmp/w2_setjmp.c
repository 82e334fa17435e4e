/* libsetjmp.a: the runtime behind clang's setjmp/longjmp lowering
 * (`-mllvm -wasm-enable-sjlj`; docs/sysroot.md, "setjmp and longjmp").
 *
 * The ABI, as LLVM's WebAssemblyLowerEmscriptenEHSjLj pass emits it:
 * - a function that calls setjmp(env) calls
 *   __wasm_setjmp(env, label, invocation) instead, where label (non-zero)
 *   names the setjmp call site and invocation is an address unique to
 *   this activation of the function;
 * - every call in it that may longjmp sits in a `try_table` catching the
 *   `__c_longjmp` tag, whose payload points at { env, value }; it asks
 *   __wasm_setjmp_test(env, invocation) for the label, continues after that
 *   setjmp with `value` as its result when the label is non-zero, and
 *   otherwise passes the jump on with __wasm_longjmp(env, value);
 * - longjmp(env, value) becomes __wasm_longjmp(env, value).
 *
 * The state lives in the jmp_buf itself (<setjmp.h>), so there is no
 * global: a longjmp thrown while another one unwinds needs nothing else. */
#include <setjmp.h>
#include <stdint.h>

/* The exception longjmp throws. Its one parameter is a pointer (i32 on
 * wasm32, i64 on wasm64); the assembler defines it, C cannot. */
#ifdef __wasm64__
__asm__(".globl __c_longjmp\n.tagtype __c_longjmp i64\n__c_longjmp:\n");
#else
__asm__(".globl __c_longjmp\n.tagtype __c_longjmp i32\n__c_longjmp:\n");
#endif

/* Index of `__c_longjmp` for __builtin_wasm_throw (0 is C++'s tag). */
#define C_LONGJMP_TAG 1

void __wasm_setjmp(void *env, uint32_t label, void *invocation);
uint32_t __wasm_setjmp_test(void *env, void *invocation);
_Noreturn void __wasm_longjmp(void *env, int value);

void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
	struct __jmp_buf_tag *buf = env;
	buf->__invocation = invocation;
	buf->__label = label;
}

/* The label of the setjmp that filled `env`, when it was called by this
 * activation (`invocation`) of the catching function; 0 for a jump to
 * another frame further up the stack. */
uint32_t __wasm_setjmp_test(void *env, void *invocation) {
	struct __jmp_buf_tag *buf = env;
	return buf->__invocation == invocation ? buf->__label : 0;
}

_Noreturn void __wasm_longjmp(void *env, int value) {
	struct __jmp_buf_tag *buf = env;
	/* The payload layout the lowering reads: the env, then the value. The
	 * two fields sit next to each other in the jmp_buf. */
	_Static_assert(__builtin_offsetof(struct __jmp_buf_tag, __thrown_value) -
			       __builtin_offsetof(struct __jmp_buf_tag, __thrown_env) ==
		       sizeof(void *),
		       "payload is { env, value }");
	buf->__thrown_env = env;
	/* C: longjmp(env, 0) makes setjmp return 1. */
	buf->__thrown_value = value ? value : 1;
	__builtin_wasm_throw(C_LONGJMP_TAG, &buf->__thrown_env);
}

/* For code compiled without the lowering that only longjmps (a library
 * whose caller did the setjmp), and for calls through a pointer. */
_Noreturn void longjmp(jmp_buf env, int value) {
	__wasm_longjmp(env, value);
}
