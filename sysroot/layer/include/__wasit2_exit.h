/*
 * wasit2: which exit import a C program needs (included by <stdlib.h> and
 * <unistd.h>; docs/componentize.md, "Exit codes and older hosts").
 *
 * WASI 0.2 hosts before 0.2.12 have only wasi:cli/exit `exit` (success or
 * failure); `exit-with-code` is newer. The layer imports `exit-with-code`
 * only when `__wasit2_exit_with_code` is linked. These macros link it when
 * a call can pass a status other than a constant 0 or 1, so a program that
 * only ever exits with 0/1 (EXIT_SUCCESS/EXIT_FAILURE) runs on any 0.2.x
 * host. In C++ (std::exit) and with `(exit)(n)` the macros do not apply;
 * link with -Wl,-u,__wasit2_exit_with_code to keep other codes there.
 */
#if !defined(__cplusplus) && !defined(__wasit2_no_exit_macros)
#ifndef __wasit2_exit_decls
#define __wasit2_exit_decls
_Noreturn void __wasit2_exit(int);
_Noreturn void __wasit2__Exit(int);
_Noreturn void __wasit2_quick_exit(int);

#define __wasit2_exit_plain(s) \
	(__builtin_constant_p(s) && ((s) == 0 || (s) == 1))
#endif

#if defined(_STDLIB_H) && !defined(exit)
#define exit(s) (__wasit2_exit_plain(s) ? (exit)(s) : __wasit2_exit(s))
#define _Exit(s) (__wasit2_exit_plain(s) ? (_Exit)(s) : __wasit2__Exit(s))
#define quick_exit(s) \
	(__wasit2_exit_plain(s) ? (quick_exit)(s) : __wasit2_quick_exit(s))
#endif
#if defined(_UNISTD_H) && !defined(_exit)
#define _exit(s) (__wasit2_exit_plain(s) ? (_exit)(s) : __wasit2__Exit(s))
#endif
#endif
