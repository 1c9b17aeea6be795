/*
 * Unit tests of translator options (options.c): parsing and range checks of
 * every type, the messages given for bad values, and binding into a private
 * struct (values, defaults, unknown keys, memory charged to the translator).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterfs/options.h"
#include "glusterfs/xlator.h"

/* A private struct with a field of every bound type. */
typedef struct priv {
    char *name;
    char *dir;
    int64_t threads;
    uint64_t cache;
    bool direct;
    char *mode;
    int64_t timeout;
    char *addr;
    int64_t untouched;
} priv_t;

static const gf_option_t table[] = {
    {.key = "name", .type = GF_OPT_STR, .def = "nobody", .offset = offsetof(priv_t, name)},
    {.key = "dir", .type = GF_OPT_PATH, .offset = offsetof(priv_t, dir)},
    {.key = "threads", .type = GF_OPT_INT, .def = "16", .min = 1, .max = 64,
     .offset = offsetof(priv_t, threads)},
    {.key = "cache-size", .type = GF_OPT_SIZE, .def = "32MB", .min = 4096, .max = 1LL << 40,
     .offset = offsetof(priv_t, cache)},
    {.key = "direct", .type = GF_OPT_BOOL, .def = "on", .offset = offsetof(priv_t, direct)},
    {.key = "mode", .type = GF_OPT_ENUM, .def = "fast", .values = {"fast", "safe", "off"},
     .offset = offsetof(priv_t, mode)},
    {.key = "timeout", .type = GF_OPT_TIME, .def = "42", .min = 1, .max = 86400,
     .offset = offsetof(priv_t, timeout)},
    {.key = "addr", .type = GF_OPT_ANY, .offset = offsetof(priv_t, addr)},
    {.key = "hint", .type = GF_OPT_STR, .offset = GF_OPT_NO_FIELD},
    {.key = NULL},
};

/* A translator the bindings run for: messages name it, memory is charged to it. */
static gf_xlator_t xl = {.name = "vol1", .type = "test/table"};

static uint64_t blocks_at_start;

static int enter_xlator(void **state)
{
    memset(&xl.mem_acct, 0, sizeof(xl.mem_acct));
    blocks_at_start = gf_mem_global_acct.blocks;
    gf_this = &xl;
    return 0;
}

static int leave_xlator(void **state)
{
    gf_this = NULL;
    assert_int_equal(xl.mem_acct.blocks, 0);
    assert_int_equal(gf_mem_global_acct.blocks, blocks_at_start);
    return 0;
}

static const gf_option_t *find(const char *key)
{
    const gf_option_t *opt = gf_option_find(table, key);

    assert_non_null(opt);
    return opt;
}

static void accepts(const char *key, const char *value)
{
    char err[256] = "";

    if (gf_option_validate(find(key), value, err, sizeof(err)) != 0)
        fail_msg("%s=%s refused: %s", key, value, err);
}

static void refuses(const char *key, const char *value, const char *message)
{
    char err[256] = "";

    assert_int_equal(gf_option_validate(find(key), value, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, message);
}

static void test_find(void **state)
{
    assert_ptr_equal(gf_option_find(table, "mode"), &table[5]);
    assert_null(gf_option_find(table, "nope"));
    assert_null(gf_option_find(NULL, "mode"));
}

static void test_parse_size(void **state)
{
    static const struct {
        const char *text;
        uint64_t bytes;
    } good[] = {
        {"0", 0},           {"4096", 4096},         {"64KB", 65536},
        {"64kb", 65536},    {"1Mb", 1048576},       {"1GB", 1073741824ULL},
        {"2TB", 2ULL << 40}, {"16777215TB", 16777215ULL << 40},
    };
    static const char *const bad[] = {"",     "KB",   "-1",  "+1",   " 1",        "1 KB",
                                      "1XB",  "1K",   "1.5GB", "1KBB", "16777216TB",
                                      "18446744073709551616"};
    uint64_t v;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(gf_parse_size(good[i].text, &v), 0);
        assert_int_equal(v, good[i].bytes);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (gf_parse_size(bad[i], &v) != -EINVAL)
            fail_msg("size '%s' was accepted", bad[i]);
}

static void test_parse_bool(void **state)
{
    static const char *const yes[] = {"on", "yes", "true", "enable", "1", "ON", "True"};
    static const char *const no[] = {"off", "no", "false", "disable", "0", "OFF", "Disable"};
    static const char *const bad[] = {"", "maybe", "2", "onn", "y"};
    bool b;

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        b = false;
        assert_int_equal(gf_parse_bool(yes[i], &b), 0);
        assert_true(b);
        assert_int_equal(gf_parse_bool(no[i], &b), 0);
        assert_false(b);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(gf_parse_bool(bad[i], &b), -EINVAL);
}

static void test_str_and_any(void **state)
{
    accepts("name", "");
    accepts("name", "anything at all");
    accepts("addr", "10.0.0.1,10.0.0.2");
}

static void test_path(void **state)
{
    accepts("dir", "/bricks/b1");
    refuses("dir", "bricks/b1", "'bricks/b1' is not an absolute path (it must start with '/')");
    refuses("dir", "", "'' is not an absolute path (it must start with '/')");
}

static void test_int(void **state)
{
    accepts("threads", "1");
    accepts("threads", "64");
    accepts("threads", "+8");
    refuses("threads", "0", "'0' is out of range (accepted: 1 to 64)");
    refuses("threads", "65", "'65' is out of range (accepted: 1 to 64)");
    refuses("threads", "eight", "'eight' is not a valid integer (accepted: 1 to 64)");
    refuses("threads", "8x", "'8x' is not a valid integer (accepted: 1 to 64)");
    refuses("threads", "99999999999999999999",
            "'99999999999999999999' is not a valid integer (accepted: 1 to 64)");
}

static void test_int_unbounded(void **state)
{
    gf_option_t opt = {.key = "n", .type = GF_OPT_INT};
    char err[128];

    assert_int_equal(gf_option_validate(&opt, "-9223372036854775808", err, sizeof(err)), 0);
    assert_int_equal(gf_option_validate(&opt, "9223372036854775807", err, sizeof(err)), 0);
    assert_int_equal(gf_option_validate(&opt, "-", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "'-' is not a valid integer (examples: 0, 42, -1)");
}

static void test_size(void **state)
{
    accepts("cache-size", "4096");
    accepts("cache-size", "4KB");
    accepts("cache-size", "1TB");
    refuses("cache-size", "lots", "'lots' is not a valid size (examples: 4096, 64KB, 1GB)");
    refuses("cache-size", "4095", "'4095' is out of range (accepted: 4096 to 1099511627776 bytes)");
    refuses("cache-size", "2TB", "'2TB' is out of range (accepted: 4096 to 1099511627776 bytes)");
}

static void test_bool(void **state)
{
    accepts("direct", "enable");
    accepts("direct", "0");
    refuses("direct", "maybe",
            "'maybe' is not a boolean (accepted: on/off, yes/no, true/false, enable/disable, "
            "1/0)");
}

static void test_enum(void **state)
{
    accepts("mode", "safe");
    accepts("mode", "off");
    refuses("mode", "Safe", "'Safe' is not one of the accepted values: fast, safe, off");
    refuses("mode", "", "'' is not one of the accepted values: fast, safe, off");
}

static void test_time(void **state)
{
    accepts("timeout", "30");
    accepts("timeout", "30s");
    accepts("timeout", "5M");
    accepts("timeout", "24h");
    accepts("timeout", "1d");
    refuses("timeout", "2d", "'2d' is out of range (accepted: 1 to 86400 seconds)");
    refuses("timeout", "0s", "'0s' is out of range (accepted: 1 to 86400 seconds)");
    refuses("timeout", "5w", "'5w' is not a valid time (examples: 30, 30s, 5m, 2h, 1d)");
    refuses("timeout", "5mn", "'5mn' is not a valid time (examples: 30, 30s, 5m, 2h, 1d)");
    refuses("timeout", "-5", "'-5' is not a valid time (examples: 30, 30s, 5m, 2h, 1d)");
}

/* A dict of key, value pairs ending at a NULL key, charged to no translator. */
static gf_dict_t *dict_of(const char *kv, ...)
{
    gf_xlator_t *saved = gf_this;
    gf_dict_t *d;
    va_list ap;

    gf_this = NULL;
    d = gf_dict_new();
    assert_non_null(d);
    va_start(ap, kv);
    for (const char *k = kv; k; k = va_arg(ap, const char *))
        assert_int_equal(gf_dict_set_str(d, k, va_arg(ap, const char *)), 0);
    va_end(ap);
    gf_this = saved;
    return d;
}

static void test_bind_values(void **state)
{
    gf_dict_t *d = dict_of("name", "alice", "dir", "/b", "threads", "4", "cache-size", "1GB",
                           "direct", "off", "mode", "safe", "timeout", "2m", "addr", "*",
                           "hint", "unused", NULL);
    priv_t p = {.untouched = 7};
    char err[256];

    assert_int_equal(gf_options_bind(table, d, &p, err, sizeof(err)), 0);
    assert_string_equal(p.name, "alice");
    assert_string_equal(p.dir, "/b");
    assert_int_equal(p.threads, 4);
    assert_int_equal(p.cache, 1ULL << 30);
    assert_false(p.direct);
    assert_string_equal(p.mode, "safe");
    assert_int_equal(p.timeout, 120);
    assert_string_equal(p.addr, "*");
    assert_int_equal(p.untouched, 7);
    assert_int_equal(xl.mem_acct.blocks, 4); /* name, dir, mode, addr: charged to xl */
    gf_options_unbind(table, &p);
    assert_null(p.name);
    assert_null(p.mode);
    gf_dict_unref(d);
}

static void test_bind_defaults(void **state)
{
    gf_dict_t *d = dict_of("threads", "2", NULL);
    priv_t p = {0};
    char err[256];

    assert_int_equal(gf_options_bind(table, d, &p, err, sizeof(err)), 0);
    assert_string_equal(p.name, "nobody");
    assert_null(p.dir); /* no default: left NULL */
    assert_int_equal(p.threads, 2);
    assert_int_equal(p.cache, 32ULL << 20);
    assert_true(p.direct);
    assert_string_equal(p.mode, "fast");
    assert_int_equal(p.timeout, 42);
    assert_null(p.addr);
    gf_options_unbind(table, &p);
    gf_dict_unref(d);
}

static void test_bind_without_dict(void **state)
{
    priv_t p = {0};
    char err[256];

    assert_int_equal(gf_options_bind(table, NULL, &p, err, sizeof(err)), 0);
    assert_int_equal(p.threads, 16);
    assert_string_equal(p.name, "nobody");
    gf_options_unbind(table, &p);
}

static void test_bind_unknown_key(void **state)
{
    gf_dict_t *d = dict_of("threads", "2", "colour", "red", NULL);
    priv_t p = {0};
    char err[512];

    assert_int_equal(gf_options_bind(table, d, &p, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "option 'colour' of volume 'vol1': no such option for translator "
                             "test/table (known options: name, dir, threads, cache-size, "
                             "direct, mode, timeout, addr, hint)");
    assert_int_equal(p.threads, 0); /* nothing bound when anything is refused */
    assert_null(p.name);
    gf_dict_unref(d);
}

static void test_bind_no_table(void **state)
{
    gf_dict_t *d = dict_of("k", "v", NULL);
    char err[512];

    assert_int_equal(gf_options_bind(NULL, d, NULL, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "option 'k' of volume 'vol1': no such option for translator "
                             "test/table (it takes no options)");
    gf_dict_unref(d);
}

static void test_bind_bad_value(void **state)
{
    gf_dict_t *d = dict_of("name", "bob", "cache-size", "lots", NULL);
    priv_t p = {0};
    char err[512];

    assert_int_equal(gf_options_bind(table, d, &p, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "option 'cache-size' of volume 'vol1': 'lots' is not a valid size "
                             "(examples: 4096, 64KB, 1GB)");
    assert_null(p.name);
    gf_dict_unref(d);
}

static void test_bind_bad_default(void **state)
{
    static const gf_option_t broken[] = {
        {.key = "n", .type = GF_OPT_INT, .def = "ten", .offset = 0},
        {.key = NULL},
    };
    int64_t field = 0;
    char err[512];

    assert_int_equal(gf_options_bind(broken, NULL, &field, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "option 'n' of volume 'vol1': the translator's default is invalid: "
                             "'ten' is not a valid integer (examples: 0, 42, -1)");
}

static void test_bind_without_translator(void **state)
{
    gf_dict_t *d = dict_of("threads", "100", NULL);
    priv_t p = {0};
    char err[512];

    gf_this = NULL;
    assert_int_equal(gf_options_bind(table, d, &p, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "option 'threads': '100' is out of range (accepted: 1 to 64)");
    gf_dict_unref(d);
}

static void test_rebind_replaces_strings(void **state)
{
    gf_dict_t *d1 = dict_of("mode", "safe", NULL);
    gf_dict_t *d2 = dict_of("mode", "off", NULL);
    priv_t p = {0};
    char err[256];

    assert_int_equal(gf_options_bind(table, d1, &p, err, sizeof(err)), 0);
    assert_int_equal(gf_options_bind(table, d2, &p, err, sizeof(err)), 0);
    assert_string_equal(p.mode, "off");
    assert_int_equal(xl.mem_acct.blocks, 2); /* name and mode, the old copies freed */
    gf_options_unbind(table, &p);
    gf_dict_unref(d1);
    gf_dict_unref(d2);
}

/* Pattern keys ("PREFIX.*"): matched by prefix, validated by type, never bound. */
static const gf_option_t pattern_table[] = {
    {.key = "auth.login.*", .type = GF_OPT_ANY, .offset = GF_OPT_NO_FIELD},
    {.key = "limit.*", .type = GF_OPT_INT, .min = 1, .max = 9, .offset = 0},
    {.key = "auth.login.special", .type = GF_OPT_INT, .offset = GF_OPT_NO_FIELD},
    {.key = NULL},
};

static void test_find_pattern(void **state)
{
    assert_ptr_equal(gf_option_find(pattern_table, "auth.login./data/b1.allow"),
                     &pattern_table[0]);
    assert_ptr_equal(gf_option_find(pattern_table, "auth.login.alice.password"),
                     &pattern_table[0]);
    assert_ptr_equal(gf_option_find(pattern_table, "limit.x"), &pattern_table[1]);
    /* an exact key wins over a pattern listed before it */
    assert_ptr_equal(gf_option_find(pattern_table, "auth.login.special"), &pattern_table[2]);
    /* the prefix alone, or without its dot, does not match */
    assert_null(gf_option_find(pattern_table, "auth.login."));
    assert_null(gf_option_find(pattern_table, "auth.login"));
    assert_null(gf_option_find(pattern_table, "auth.loginx.y"));
    assert_null(gf_option_find(table, "mode.x"));
}

static void test_bind_pattern(void **state)
{
    gf_dict_t *good = dict_of("auth.login./b1.allow", "alice", "limit.a", "3", "limit.b", "9",
                              NULL);
    gf_dict_t *bad = dict_of("auth.login./b1.allow", "alice", "limit.a", "10", NULL);
    int64_t field = 77; /* limit.* says offset 0: a pattern must still not write it */
    char err[512];

    assert_int_equal(gf_options_bind(pattern_table, good, &field, err, sizeof(err)), 0);
    assert_int_equal(field, 77);
    assert_int_equal(xl.mem_acct.blocks, 0); /* nothing copied for patterns */
    assert_int_equal(gf_options_bind(pattern_table, bad, &field, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "option 'limit.a' of volume 'vol1': '10' is out of range "
                             "(accepted: 1 to 9)");
    gf_options_unbind(pattern_table, &field);
    assert_int_equal(field, 77);
    gf_dict_unref(good);
    gf_dict_unref(bad);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, enter_xlator, leave_xlator)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(test_find),
        CASE(test_parse_size),
        CASE(test_parse_bool),
        CASE(test_str_and_any),
        CASE(test_path),
        CASE(test_int),
        CASE(test_int_unbounded),
        CASE(test_size),
        CASE(test_bool),
        CASE(test_enum),
        CASE(test_time),
        CASE(test_bind_values),
        CASE(test_bind_defaults),
        CASE(test_bind_without_dict),
        CASE(test_bind_unknown_key),
        CASE(test_bind_no_table),
        CASE(test_bind_bad_value),
        CASE(test_bind_bad_default),
        CASE(test_bind_without_translator),
        CASE(test_rebind_replaces_strings),
        CASE(test_find_pattern),
        CASE(test_bind_pattern),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
