/*
 * <pwd.h> for wasit2 (written for the wasit2 system layer; opt-in).
 *
 * WASI has no user database. With -D_WASI_EMULATED_OWNERSHIP (the same
 * switch that declares chown and getuid in <unistd.h>) programs that look
 * users up compile and are told that there is no such user: the lookups
 * find nothing and the enumeration is empty (docs/sysroot.md).
 */
#ifndef _PWD_H
#define _PWD_H

#ifndef _WASI_EMULATED_OWNERSHIP
#error "WASI has no user database; to compile code that looks users up (and finds none), compile with -D_WASI_EMULATED_OWNERSHIP"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define __NEED_size_t
#define __NEED_uid_t
#define __NEED_gid_t
#include <bits/alltypes.h>

struct passwd {
	char *pw_name;
	char *pw_passwd;
	uid_t pw_uid;
	gid_t pw_gid;
	char *pw_gecos;
	char *pw_dir;
	char *pw_shell;
};

struct passwd *getpwuid(uid_t);
struct passwd *getpwnam(const char *);
int getpwuid_r(uid_t, struct passwd *, char *, size_t, struct passwd **);
int getpwnam_r(const char *, struct passwd *, char *, size_t, struct passwd **);
void setpwent(void);
void endpwent(void);
struct passwd *getpwent(void);

#ifdef __cplusplus
}
#endif

#endif
