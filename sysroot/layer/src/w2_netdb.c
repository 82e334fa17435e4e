/*
 * wasit2 system layer: getaddrinfo() and friends over
 * wasi:sockets/ip-name-lookup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "w2_internal.h"

W2_COLD_BEGIN

#define W2_MAX_ADDRS 32

struct addrs {
    struct sockaddr_storage a[W2_MAX_ADDRS];
    size_t len[W2_MAX_ADDRS];
    size_t n;
    int family; /* AF_UNSPEC: any */
};

static void add_addr(void *ctx, const struct sockaddr *sa, size_t salen) {
    struct addrs *s = ctx;
    if (s->n >= W2_MAX_ADDRS)
        return;
    if (s->family != AF_UNSPEC && sa->sa_family != s->family)
        return;
    memcpy(&s->a[s->n], sa, salen);
    s->len[s->n] = salen;
    s->n++;
}

static void add_v4(struct addrs *s, uint32_t host_order) {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(host_order);
    add_addr(s, (struct sockaddr *)&sin, sizeof sin);
}

static void add_v6(struct addrs *s, const struct in6_addr *a) {
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = *a;
    add_addr(s, (struct sockaddr *)&sin6, sizeof sin6);
}

static int parse_port(const char *service, int flags, uint16_t *port) {
    if (!service || !*service) {
        *port = 0;
        return 0;
    }
    char *end;
    unsigned long v = strtoul(service, &end, 10);
    if (*end == 0) {
        if (v > 65535)
            return EAI_SERVICE;
        *port = (uint16_t)v;
        return 0;
    }
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    /* No services database in WASI; the common names are built in. */
    static const struct {
        const char *name;
        uint16_t port;
    } known[] = {{"http", 80}, {"https", 443}, {"ftp", 21}, {"ssh", 22}, {"smtp", 25}, {"domain", 53}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(service, known[i].name)) {
            *port = known[i].port;
            return 0;
        }
    return EAI_SERVICE;
}

int getaddrinfo(const char *restrict node, const char *restrict service, const struct addrinfo *restrict hints,
                struct addrinfo **restrict res) {
    int flags = hints ? hints->ai_flags : 0;
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    int protocol = hints ? hints->ai_protocol : 0;
    if (flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV))
        return EAI_BADFLAGS;
    if (!node && !service)
        return EAI_NONAME;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    uint16_t port;
    int err = parse_port(service, flags, &port);
    if (err)
        return err;

    struct addrs *s = calloc(1, sizeof *s);
    if (!s)
        return EAI_MEMORY;
    s->family = family;
    struct in6_addr a6;
    struct in_addr a4;
    if (!node) {
        bool passive = (flags & AI_PASSIVE) != 0;
        if (family != AF_INET6)
            add_v4(s, passive ? INADDR_ANY : INADDR_LOOPBACK);
        if (family != AF_INET) {
            a6 = passive ? in6addr_any : in6addr_loopback;
            add_v6(s, &a6);
        }
    } else if (inet_pton(AF_INET, node, &a4) == 1) {
        add_v4(s, ntohl(a4.s_addr));
    } else if (inet_pton(AF_INET6, node, &a6) == 1) {
        add_v6(s, &a6);
    } else if (flags & AI_NUMERICHOST) {
        free(s);
        return EAI_NONAME;
    } else {
        __wasi_errno_t e = w2s_resolve(w2_network(), node, strlen(node), add_addr, s);
        if (e && s->n == 0 && !strcmp(node, "localhost")) {
            /* A host without name lookup still knows what localhost is. */
            e = 0;
            if (family != AF_INET6)
                add_v4(s, INADDR_LOOPBACK);
            if (family != AF_INET)
                add_v6(s, &in6addr_loopback);
        }
        if (e) {
            free(s);
            /* A name that is not UTF-8 cannot name a host (EILSEQ). */
            return e == __WASI_ERRNO_AGAIN                                 ? EAI_AGAIN
                   : e == __WASI_ERRNO_NOENT || e == __WASI_ERRNO_ILSEQ ? EAI_NONAME
                                                                          : EAI_FAIL;
        }
    }
    if (s->n == 0) {
        free(s);
        return EAI_NONAME;
    }

    int types[2] = {SOCK_STREAM, SOCK_DGRAM};
    int ntypes = socktype ? 1 : 2;
    if (socktype)
        types[0] = socktype;
    struct addrinfo *head = NULL, **tail = &head;
    for (size_t i = 0; i < s->n; i++) {
        for (int t = 0; t < ntypes; t++) {
            /* One allocation per entry: addrinfo, then its sockaddr. */
            struct addrinfo *ai = calloc(1, sizeof(struct addrinfo) + sizeof(struct sockaddr_storage));
            if (!ai) {
                freeaddrinfo(head);
                free(s);
                return EAI_MEMORY;
            }
            struct sockaddr *sa = (struct sockaddr *)(ai + 1);
            memcpy(sa, &s->a[i], s->len[i]);
            if (sa->sa_family == AF_INET)
                ((struct sockaddr_in *)sa)->sin_port = htons(port);
            else
                ((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
            ai->ai_family = sa->sa_family;
            ai->ai_socktype = types[t];
            ai->ai_protocol = protocol ? protocol : types[t] == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
            ai->ai_addrlen = (socklen_t)s->len[i];
            ai->ai_addr = sa;
            if ((flags & AI_CANONNAME) && !head && node)
                ai->ai_canonname = strdup(node);
            *tail = ai;
            tail = &ai->ai_next;
        }
    }
    free(s);
    *res = head;
    return 0;
}

void freeaddrinfo(struct addrinfo *ai) {
    while (ai) {
        struct addrinfo *next = ai->ai_next;
        free(ai->ai_canonname);
        free(ai);
        ai = next;
    }
}

const char *gai_strerror(int code) {
    switch (code) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Invalid flags";
    case EAI_NONAME: return "Name does not resolve";
    case EAI_AGAIN: return "Try again";
    case EAI_FAIL: return "Non-recoverable error";
    case EAI_NODATA: return "No address for name";
    case EAI_FAMILY: return "Unrecognized address family or invalid length";
    case EAI_SOCKTYPE: return "Unrecognized socket type";
    case EAI_SERVICE: return "Unrecognized service";
    case EAI_ADDRFAMILY: return "Address family for name not supported";
    case EAI_MEMORY: return "Out of memory";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Overflow";
    default: return "Unknown error";
    }
}

int getnameinfo(const struct sockaddr *restrict sa, socklen_t salen, char *restrict host, socklen_t hostlen,
                char *restrict serv, socklen_t servlen, int flags) {
    /* Reverse lookup does not exist in WASI 0.2: names are numeric. */
    if (flags & NI_NAMEREQD)
        return EAI_NONAME;
    const void *addr;
    uint16_t port;
    if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
        addr = &((const struct sockaddr_in *)sa)->sin_addr;
        port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
    } else if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
        addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    } else {
        return EAI_FAMILY;
    }
    if (host && hostlen && !inet_ntop(sa->sa_family, addr, host, hostlen))
        return EAI_OVERFLOW;
    if (serv && servlen) {
        char digits[6];
        size_t n = 0;
        do {
            digits[n++] = (char)('0' + port % 10);
            port /= 10;
        } while (port);
        if (n + 1 > servlen)
            return EAI_OVERFLOW;
        for (size_t i = 0; i < n; i++)
            serv[i] = digits[n - 1 - i];
        serv[n] = 0;
    }
    return 0;
}

W2_COLD_END
