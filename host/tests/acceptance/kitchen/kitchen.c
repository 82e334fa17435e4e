/* The guest of host/tests/acceptance/kitchen.rs: `exercise` calls every
 * import of test:kitchen/api and types with values of each WIT kind and
 * describes what came back; the other exports take lists, strings and
 * spilled parameters from the host. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitchen.h"

static char out[2048];
static size_t used;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    used += (size_t)vsnprintf(out + used, sizeof out - used, fmt, ap);
    va_end(ap);
}

static wasit2_string_t str(const char *s) {
    return (wasit2_string_t){(uint8_t *)s, strlen(s)};
}

static wasit2_string_t take(const char *s, size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, s, n);
    return (wasit2_string_t){p, n};
}

void test_kitchen_guest_exercise(wasit2_string_t *ret) {
    used = 0;
    char arena[256];

    test_kitchen_api_point_t p = {3, -4, str("origin")};
    wasit2_string_t s;
    size_t need = test_kitchen_api_describe(&p, 2, &s, arena, sizeof arena);
    say("describe: %.*s (%zu)\n", (int)s.len, (char *)s.ptr, need);
    /* Too small: the size comes back, nothing is written. */
    wasit2_string_t untouched = {0, 0};
    need = test_kitchen_api_describe(&p, 0, &untouched, arena, 3);
    say("describe in 3 bytes: needs %zu, len %zu\n", need, untouched.len);

    test_kitchen_api_list_string_t names;
    need = test_kitchen_api_names(&names, arena, sizeof arena);
    say("names (%zu bytes):", need);
    for (size_t i = 0; i < names.len; i++)
        say(" [%.*s]", (int)names.ptr[i].len, (char *)names.ptr[i].ptr);
    say("\n");

    test_kitchen_api_option_point_t o;
    test_kitchen_api_lookup(str("home"), &o, arena, sizeof arena);
    say("lookup home: %d %d,%d %.*s\n", o.is_some, o.val.x, o.val.y,
        (int)o.val.label.len, (char *)o.val.label.ptr);
    test_kitchen_api_lookup(str("nowhere"), &o, arena, sizeof arena);
    say("lookup nowhere: %d\n", o.is_some);

    test_kitchen_api_result_u64_string_t r;
    test_kitchen_api_shape_t circle = {.tag = 0, .val.circle = 1.5};
    test_kitchen_api_check(&circle, 1 | 4, &r, arena, sizeof arena);
    say("check circle: err=%d ok=%llu\n", r.is_err, (unsigned long long)r.val.ok);
    test_kitchen_api_shape_t rect = {.tag = 1, .val.rect = {7, 8, str("box")}};
    test_kitchen_api_check(&rect, 2, &r, arena, sizeof arena);
    say("check rect: err=%d ok=%llu\n", r.is_err, (unsigned long long)r.val.ok);
    test_kitchen_api_shape_t empty = {.tag = 2};
    test_kitchen_api_check(&empty, 0, &r, arena, sizeof arena);
    say("check empty: err=%d %.*s\n", r.is_err, (int)r.val.err.len, (char *)r.val.err.ptr);

    test_kitchen_api_tuple2_u64_f64_t t;
    test_kitchen_api_many(200, 60000, 4000000000u, 1ull << 40, -100, -30000, -2000000000,
                          -(1ll << 40), 0.25f, -2.5, 0x1F600, true, &t);
    say("many: %llu %g\n", (unsigned long long)t.f0, t.f1);

    test_kitchen_types_counter_t c = test_kitchen_types_constructor_counter(10);
    uint32_t a = test_kitchen_types_method_counter_bump(c, 5);
    uint32_t b = test_kitchen_types_method_counter_bump(c, 1);
    say("counter: %u %u\n", a, b);
    test_kitchen_types_counter_drop(c);

    *ret = take(out, used);
}

int64_t test_kitchen_guest_sum(test_kitchen_guest_list_point_t items) {
    int64_t total = 0;
    for (size_t i = 0; i < items.len; i++)
        total += (int64_t)items.ptr[i].x * items.ptr[i].y + (int64_t)items.ptr[i].label.len;
    return total;
}

void test_kitchen_guest_join(test_kitchen_api_list_string_t parts, wasit2_string_t sep,
                             wasit2_string_t *ret) {
    size_t n = 0;
    for (size_t i = 0; i < parts.len; i++)
        n += (i > 0 ? sep.len : 0) + parts.ptr[i].len;
    uint8_t *p = malloc(n ? n : 1), *at = p;
    for (size_t i = 0; i < parts.len; i++) {
        if (i > 0) {
            memcpy(at, sep.ptr, sep.len);
            at += sep.len;
        }
        memcpy(at, parts.ptr[i].ptr, parts.ptr[i].len);
        at += parts.ptr[i].len;
    }
    ret->ptr = p;
    ret->len = n;
}

uint64_t test_kitchen_guest_wide(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e,
                                 uint32_t f, uint32_t g, uint32_t h, uint32_t i, uint32_t j,
                                 uint32_t k, uint32_t l, uint32_t m, uint32_t n, uint32_t o,
                                 uint32_t p, wasit2_string_t q) {
    uint64_t v[] = {a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p};
    uint64_t total = 0;
    for (size_t x = 0; x < 16; x++)
        total = total * 3 + v[x];
    return total * 1000 + q.len;
}

void test_kitchen_guest_rev(test_kitchen_guest_list_u8_t data, test_kitchen_guest_list_u8_t *ret) {
    uint8_t *p = malloc(data.len ? data.len : 1);
    for (size_t i = 0; i < data.len; i++)
        p[i] = data.ptr[data.len - 1 - i];
    ret->ptr = p;
    ret->len = data.len;
}
