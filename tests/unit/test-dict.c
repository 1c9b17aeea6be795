/*
 * Unit tests of the typed dict (glusterfs/dict.h): typed round trips, reading
 * numbers sent as text, order, copy, reference counting, thread safety, and
 * the old untyped encoding, both against a hand-built buffer and against
 * malformed input.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"

static uint64_t live_blocks(void)
{
    return __atomic_load_n(&gf_mem_global_acct.blocks, __ATOMIC_RELAXED);
}

static int setup(void **state)
{
    gf_dict_t *dict = gf_dict_new();
    *state = dict;
    return dict ? 0 : -1;
}

static int teardown(void **state)
{
    gf_dict_unref(*state);
    return 0;
}

static void test_str_round_trip(void **state)
{
    gf_dict_t *d = *state;
    char buf[] = "hello";
    const char *out = NULL;

    assert_int_equal(gf_dict_set_str(d, "k", buf), 0);
    buf[0] = 'j'; /* the dict holds its own copy */
    assert_int_equal(gf_dict_get_str(d, "k", &out), 0);
    assert_string_equal(out, "hello");
    assert_int_equal(gf_dict_get_type(d, "k"), GF_DATA_TYPE_STR);
}

static void test_int_round_trip(void **state)
{
    gf_dict_t *d = *state;
    int64_t i64 = 0;
    uint64_t u64 = 0;
    int32_t i32 = 0;

    assert_int_equal(gf_dict_set_int64(d, "min", INT64_MIN), 0);
    assert_int_equal(gf_dict_set_uint64(d, "max", UINT64_MAX), 0);
    assert_int_equal(gf_dict_set_int32(d, "i32", -123456), 0);
    assert_int_equal(gf_dict_get_int64(d, "min", &i64), 0);
    assert_true(i64 == INT64_MIN);
    assert_int_equal(gf_dict_get_uint64(d, "max", &u64), 0);
    assert_true(u64 == UINT64_MAX);
    assert_int_equal(gf_dict_get_int32(d, "i32", &i32), 0);
    assert_int_equal(i32, -123456);
    assert_int_equal(gf_dict_get_type(d, "i32"), GF_DATA_TYPE_INT);
    assert_int_equal(gf_dict_get_type(d, "max"), GF_DATA_TYPE_UINT);
}

static void test_number_conversions(void **state)
{
    gf_dict_t *d = *state;
    int64_t i64 = 0;
    uint64_t u64 = 0;
    int32_t i32 = 0;
    double dbl = 0;

    assert_int_equal(gf_dict_set_uint64(d, "big", UINT64_MAX), 0);
    assert_int_equal(gf_dict_get_int64(d, "big", &i64), -ERANGE);
    assert_int_equal(gf_dict_set_int64(d, "neg", -1), 0);
    assert_int_equal(gf_dict_get_uint64(d, "neg", &u64), -ERANGE);
    assert_int_equal(gf_dict_set_int64(d, "wide", 1LL << 40), 0);
    assert_int_equal(gf_dict_get_int32(d, "wide", &i32), -ERANGE);
    assert_int_equal(gf_dict_set_uint64(d, "small", 9), 0);
    assert_int_equal(gf_dict_get_int64(d, "small", &i64), 0);
    assert_int_equal(i64, 9);
    assert_int_equal(gf_dict_get_double(d, "small", &dbl), 0);
    assert_true(dbl == 9.0);
}

static void test_double_round_trip(void **state)
{
    gf_dict_t *d = *state;
    double out = 0;
    int64_t i64;

    assert_int_equal(gf_dict_set_double(d, "pi", 3.141592653589793), 0);
    assert_int_equal(gf_dict_get_double(d, "pi", &out), 0);
    assert_true(out == 3.141592653589793);
    assert_int_equal(gf_dict_get_int64(d, "pi", &i64), -EINVAL);
}

static void test_bin_round_trip(void **state)
{
    gf_dict_t *d = *state;
    const unsigned char bytes[] = {0x00, 0xff, 0x00, 0x7f};
    const void *data = NULL;
    size_t len = 0;
    const char *str;

    assert_int_equal(gf_dict_set_bin(d, "b", bytes, sizeof(bytes)), 0);
    assert_int_equal(gf_dict_get_bin(d, "b", &data, &len), 0);
    assert_int_equal(len, sizeof(bytes));
    assert_memory_equal(data, bytes, sizeof(bytes));
    assert_int_equal(gf_dict_get_type(d, "b"), GF_DATA_TYPE_PTR);
    assert_int_equal(gf_dict_get_str(d, "b", &str), -EINVAL);
}

static void test_gfuuid_round_trip(void **state)
{
    gf_dict_t *d = *state;
    uuid_t in, out;

    uuid_generate(in);
    assert_int_equal(gf_dict_set_gfuuid(d, "gfid-req", in), 0);
    assert_int_equal(gf_dict_get_gfuuid(d, "gfid-req", out), 0);
    assert_memory_equal(in, out, sizeof(uuid_t));
    assert_int_equal(gf_dict_get_type(d, "gfid-req"), GF_DATA_TYPE_GFUUID);
}

static void test_iatt_mdata_round_trip(void **state)
{
    gf_dict_t *d = *state;
    gf_iatt_t ia, ia_out;
    gf_mdata_t md, md_out;

    /* zeroed whole, padding included, so the struct compares below are exact */
    memset(&ia, 0, sizeof(ia));
    memset(&md, 0, sizeof(md));
    memset(&ia_out, 0xaa, sizeof(ia_out));
    memset(&md_out, 0xaa, sizeof(md_out));
    ia.ia_ino = 77;
    ia.ia_size = 1 << 20;
    ia.ia_mode = 0100644;
    ia.ia_mtime = -5;
    md.ia_atime = 1;
    md.ia_mtime = 2;
    md.ia_ctime = 3;
    md.ia_ctime_nsec = 999;
    uuid_generate(ia.ia_gfid);
    assert_int_equal(gf_dict_set_iatt(d, "ia", &ia), 0);
    assert_int_equal(gf_dict_set_mdata(d, "md", &md), 0);
    assert_int_equal(gf_dict_get_iatt(d, "ia", &ia_out), 0);
    assert_memory_equal(&ia, &ia_out, sizeof(ia));
    assert_int_equal(gf_dict_get_mdata(d, "md", &md_out), 0);
    assert_memory_equal(&md, &md_out, sizeof(md));
    assert_int_equal(gf_dict_get_iatt(d, "md", &ia_out), -EINVAL);
}

static void test_missing_and_wrong_type(void **state)
{
    gf_dict_t *d = *state;
    const char *str;
    int64_t i64;
    gf_iatt_t ia;
    uuid_t u;

    assert_int_equal(gf_dict_get_str(d, "nope", &str), -ENOENT);
    assert_int_equal(gf_dict_get_int64(d, "nope", &i64), -ENOENT);
    assert_int_equal(gf_dict_get_type(d, "nope"), -ENOENT);
    assert_int_equal(gf_dict_set_int64(d, "n", 5), 0);
    assert_int_equal(gf_dict_get_str(d, "n", &str), -EINVAL);
    assert_int_equal(gf_dict_get_iatt(d, "n", &ia), -EINVAL);
    assert_int_equal(gf_dict_get_gfuuid(d, "n", u), -EINVAL);
    assert_int_equal(gf_dict_set_str(d, "s", "text"), 0);
    assert_int_equal(gf_dict_get_gfuuid(d, "s", u), -EINVAL);
}

static void test_null_arguments(void **state)
{
    gf_dict_t *d = *state;
    int64_t i64;

    assert_int_equal(gf_dict_set_str(NULL, "k", "v"), -EINVAL);
    assert_int_equal(gf_dict_set_str(d, NULL, "v"), -EINVAL);
    assert_int_equal(gf_dict_set_str(d, "k", NULL), -EINVAL);
    assert_int_equal(gf_dict_get_int64(NULL, "k", &i64), -EINVAL);
    assert_int_equal(gf_dict_count(NULL), 0);
    assert_false(gf_dict_has(NULL, "k"));
    assert_null(gf_dict_ref(NULL));
    gf_dict_unref(NULL);
}

static void test_ints_from_text(void **state)
{
    gf_dict_t *d = *state;
    int64_t i64 = 0;
    uint64_t u64 = 0;
    int32_t i32 = 0;
    double dbl = 0;

    gf_dict_set_str(d, "a", "42");
    gf_dict_set_str(d, "b", "-7");
    gf_dict_set_str(d, "c", "0x10");
    gf_dict_set_str(d, "d", "1.5");
    assert_int_equal(gf_dict_get_int64(d, "a", &i64), 0);
    assert_int_equal(i64, 42);
    assert_int_equal(gf_dict_get_int32(d, "b", &i32), 0);
    assert_int_equal(i32, -7);
    assert_int_equal(gf_dict_get_uint64(d, "c", &u64), 0);
    assert_int_equal(u64, 16);
    assert_int_equal(gf_dict_get_double(d, "d", &dbl), 0);
    assert_true(dbl == 1.5);
}

static void test_bad_text_numbers(void **state)
{
    gf_dict_t *d = *state;
    int64_t i64;
    uint64_t u64;
    int32_t i32;
    double dbl;

    gf_dict_set_str(d, "junk", "12abc");
    gf_dict_set_str(d, "empty", "");
    gf_dict_set_str(d, "huge", "99999999999999999999");
    gf_dict_set_str(d, "neg", "-1");
    gf_dict_set_str(d, "wide", "3000000000");
    gf_dict_set_str(d, "word", "abc");
    assert_int_equal(gf_dict_get_int64(d, "junk", &i64), -EINVAL);
    assert_int_equal(gf_dict_get_int64(d, "empty", &i64), -EINVAL);
    assert_int_equal(gf_dict_get_int64(d, "huge", &i64), -ERANGE);
    assert_int_equal(gf_dict_get_uint64(d, "neg", &u64), -ERANGE);
    assert_int_equal(gf_dict_get_int32(d, "wide", &i32), -ERANGE);
    assert_int_equal(gf_dict_get_double(d, "word", &dbl), -EINVAL);
}

static void test_text_with_bytes_after_nul(void **state)
{
    gf_dict_t *d = *state;
    const char raw[] = {'1', '2', '\0', 'x'};
    int64_t i64;

    assert_int_equal(gf_dict_set_typed(d, "k", GF_DATA_TYPE_STR_OLD, raw, sizeof(raw)), 0);
    assert_int_equal(gf_dict_get_int64(d, "k", &i64), -EINVAL);
}

static void test_bool(void **state)
{
    gf_dict_t *d = *state;
    static const char *yes[] = {"on", "yes", "true", "1", "ON", "True"};
    static const char *no[] = {"off", "no", "false", "0", "Off"};
    bool b;

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        b = false;
        gf_dict_set_str(d, "k", yes[i]);
        assert_int_equal(gf_dict_get_bool(d, "k", &b), 0);
        assert_true(b);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        b = true;
        gf_dict_set_str(d, "k", no[i]);
        assert_int_equal(gf_dict_get_bool(d, "k", &b), 0);
        assert_false(b);
    }
    gf_dict_set_str(d, "k", "maybe");
    assert_int_equal(gf_dict_get_bool(d, "k", &b), -EINVAL);
    gf_dict_set_int32(d, "k", 2);
    assert_int_equal(gf_dict_get_bool(d, "k", &b), 0);
    assert_true(b);
    gf_dict_set_uint64(d, "k", 0);
    assert_int_equal(gf_dict_get_bool(d, "k", &b), 0);
    assert_false(b);
}

static void test_set_typed_validation(void **state)
{
    gf_dict_t *d = *state;
    const char no_nul[] = {'a', 'b'};
    unsigned char bytes[16] = {1};

    assert_int_equal(gf_dict_set_typed(d, "k", GF_DATA_TYPE_STR, no_nul, sizeof(no_nul)), -EINVAL);
    assert_int_equal(gf_dict_set_typed(d, "k", GF_DATA_TYPE_INT, bytes, 8), -EINVAL);
    assert_int_equal(gf_dict_set_typed(d, "k", GF_DATA_TYPE_GFUUID, bytes, 15), -EINVAL);
    assert_int_equal(gf_dict_set_typed(d, "k", GF_DATA_TYPE_IATT, bytes, 16), -EINVAL);
    assert_int_equal(gf_dict_set_typed(d, "k", GF_DATA_TYPE_UNKNOWN, bytes, 1), -EINVAL);
    assert_int_equal(gf_dict_count(d), 0);
    assert_int_equal(gf_dict_set_typed(d, "k", GF_DATA_TYPE_GFUUID, bytes, 16), 0);
    assert_int_equal(gf_dict_get_type(d, "k"), GF_DATA_TYPE_GFUUID);
}

typedef struct walk {
    char keys[8][16];
    int n;
    int stop_at;
} walk_t;

static int record_cb(gf_dict_t *dict, const char *key, const gf_data_t *value, void *arg)
{
    walk_t *w = arg;

    snprintf(w->keys[w->n], sizeof(w->keys[0]), "%s", key);
    w->n++;
    return w->n == w->stop_at ? 99 : 0;
}

static void test_order_replace_delete(void **state)
{
    gf_dict_t *d = *state;
    walk_t w = {.stop_at = -1};
    int64_t v = 0;

    gf_dict_set_int64(d, "one", 1);
    gf_dict_set_int64(d, "two", 2);
    gf_dict_set_int64(d, "three", 3);
    gf_dict_set_int64(d, "one", 11); /* replaced in place */
    assert_int_equal(gf_dict_del(d, "two"), 0);
    assert_int_equal(gf_dict_del(d, "two"), -ENOENT);
    gf_dict_set_int64(d, "four", 4);
    assert_int_equal(gf_dict_count(d), 3);
    assert_false(gf_dict_has(d, "two"));
    assert_true(gf_dict_has(d, "four"));
    assert_int_equal(gf_dict_foreach(d, record_cb, &w), 0);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.keys[0], "one");
    assert_string_equal(w.keys[1], "three");
    assert_string_equal(w.keys[2], "four");
    assert_int_equal(gf_dict_get_int64(d, "one", &v), 0);
    assert_int_equal(v, 11);
}

static void test_foreach_stops(void **state)
{
    gf_dict_t *d = *state;
    walk_t w = {.stop_at = 2};

    gf_dict_set_str(d, "a", "1");
    gf_dict_set_str(d, "b", "2");
    gf_dict_set_str(d, "c", "3");
    assert_int_equal(gf_dict_foreach(d, record_cb, &w), 99);
    assert_int_equal(w.n, 2);
}

static void test_many_keys(void **state)
{
    gf_dict_t *d = *state;
    char key[32];
    int64_t v;

    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        assert_int_equal(gf_dict_set_int64(d, key, i), 0);
    }
    for (int i = 0; i < 2000; i += 2) {
        snprintf(key, sizeof(key), "key-%d", i);
        assert_int_equal(gf_dict_del(d, key), 0);
    }
    assert_int_equal(gf_dict_count(d), 1000);
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        assert_int_equal(gf_dict_get_int64(d, key, &v), i % 2 ? 0 : -ENOENT);
        if (i % 2)
            assert_int_equal(v, i);
    }
}

static void test_copy_is_deep(void **state)
{
    gf_dict_t *d = *state;
    gf_dict_t *copy;
    walk_t w = {.stop_at = -1};
    const char *s;
    const void *bin;
    size_t len;

    gf_dict_set_str(d, "s", "orig");
    gf_dict_set_bin(d, "b", "xyz", 3);
    gf_dict_set_double(d, "f", 0.5);
    copy = gf_dict_copy(d);
    assert_non_null(copy);
    gf_dict_set_str(d, "s", "changed");
    gf_dict_del(d, "b");
    assert_int_equal(gf_dict_get_str(copy, "s", &s), 0);
    assert_string_equal(s, "orig");
    assert_int_equal(gf_dict_get_bin(copy, "b", &bin, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(bin, "xyz", 3);
    assert_int_equal(gf_dict_get_type(copy, "f"), GF_DATA_TYPE_DOUBLE);
    gf_dict_foreach(copy, record_cb, &w);
    assert_string_equal(w.keys[0], "s");
    assert_string_equal(w.keys[1], "b");
    assert_string_equal(w.keys[2], "f");
    gf_dict_unref(copy);
}

static void test_refcount_frees_on_last_unref(void **state)
{
    uint64_t before = live_blocks();
    gf_dict_t *d = gf_dict_new();
    const char *s;

    assert_non_null(d);
    gf_dict_set_str(d, "k", "v");
    gf_dict_set_bin(d, "b", "12", 2);
    assert_ptr_equal(gf_dict_ref(d), d);
    gf_dict_unref(d);
    assert_true(live_blocks() > before); /* one reference left */
    assert_int_equal(gf_dict_get_str(d, "k", &s), 0);
    assert_string_equal(s, "v");
    gf_dict_unref(d);
    assert_int_equal(live_blocks(), before);
}

#define THREADS 4
#define OPS     2000

static void *hammer(void *arg)
{
    gf_dict_t *d = arg;
    char key[32];
    int64_t v;

    for (int i = 0; i < OPS; i++) {
        snprintf(key, sizeof(key), "k%d", i % 50);
        gf_dict_set_int64(d, key, i);
        gf_dict_get_int64(d, key, &v);
        if (i % 7 == 0)
            gf_dict_del(d, key);
        gf_dict_ref(d);
        gf_dict_unref(d);
    }
    return NULL;
}

static void test_concurrent_use(void **state)
{
    gf_dict_t *d = *state;
    pthread_t t[THREADS];
    int64_t v;
    size_t n = 0;

    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, d), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 50; i++) {
        char key[32];
        snprintf(key, sizeof(key), "k%d", i);
        n += gf_dict_get_int64(d, key, &v) == 0;
    }
    assert_int_equal(gf_dict_count(d), n);
}

/* The old encoding of {"vol": "on", "n": 42, "u": 7, "b": 00 ff, "d": 0.5}. */
static const unsigned char expected_old[] = {
    0, 0, 0, 5,                                                /* count */
    0, 0, 0, 3, 0, 0, 0, 3, 'v', 'o', 'l',  0,    'o', 'n', 0, /* "vol" = "on\0" */
    0, 0, 0, 1, 0, 0, 0, 3, 'n', 0,   '4',  '2',  0,           /* "n" = "42\0" */
    0, 0, 0, 1, 0, 0, 0, 2, 'u', 0,   '7',  0,                 /* "u" = "7\0" */
    0, 0, 0, 1, 0, 0, 0, 2, 'b', 0,   0x00, 0xff,              /* "b" = 2 raw bytes */
    0, 0, 0, 1, 0, 0, 0, 4, 'd', 0,   '0',  '.',  '5', 0,      /* "d" = "0.5\0" */
};

static void fill_known(gf_dict_t *d)
{
    const unsigned char raw[] = {0x00, 0xff};

    gf_dict_set_str(d, "vol", "on");
    gf_dict_set_int64(d, "n", 42);
    gf_dict_set_uint64(d, "u", 7);
    gf_dict_set_bin(d, "b", raw, sizeof(raw));
    gf_dict_set_double(d, "d", 0.5);
}

static void test_serialize_known_bytes(void **state)
{
    gf_dict_t *d = *state;
    char *buf = NULL;
    size_t len = 0;

    fill_known(d);
    assert_int_equal(gf_dict_serialized_size(d), sizeof(expected_old));
    assert_int_equal(gf_dict_serialize(d, &buf, &len), 0);
    assert_int_equal(len, sizeof(expected_old));
    assert_memory_equal(buf, expected_old, len);
    gf_free(buf);
}

static void test_serialize_empty(void **state)
{
    gf_dict_t *d = *state;
    gf_dict_t *back = NULL;
    char *buf = NULL;
    size_t len = 0;
    static const char zero[4] = {0};

    assert_int_equal(gf_dict_serialize(d, &buf, &len), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(buf, zero, 4);
    assert_int_equal(gf_dict_unserialize(buf, len, &back), 0);
    assert_int_equal(gf_dict_count(back), 0);
    gf_dict_unref(back);
    gf_free(buf);
}

static void test_serialize_rejects_iatt(void **state)
{
    gf_dict_t *d = *state;
    gf_iatt_t ia = {0};
    char *buf = NULL;
    size_t len = 0;

    gf_dict_set_iatt(d, "ia", &ia);
    assert_int_equal(gf_dict_serialized_size(d), -EINVAL);
    assert_int_equal(gf_dict_serialize(d, &buf, &len), -EINVAL);
    assert_null(buf);
}

static void test_unserialize_known(void **state)
{
    gf_dict_t *d = NULL;
    walk_t w = {.stop_at = -1};
    const char *s;
    int64_t n;
    uint64_t u;
    double f;
    const void *bin;
    size_t len;

    assert_int_equal(gf_dict_unserialize((const char *)expected_old, sizeof(expected_old), &d), 0);
    assert_int_equal(gf_dict_count(d), 5);
    assert_int_equal(gf_dict_get_type(d, "n"), GF_DATA_TYPE_STR_OLD);
    assert_int_equal(gf_dict_get_str(d, "vol", &s), 0);
    assert_string_equal(s, "on");
    assert_int_equal(gf_dict_get_int64(d, "n", &n), 0);
    assert_int_equal(n, 42);
    assert_int_equal(gf_dict_get_uint64(d, "u", &u), 0);
    assert_int_equal(u, 7);
    assert_int_equal(gf_dict_get_double(d, "d", &f), 0);
    assert_true(f == 0.5);
    assert_int_equal(gf_dict_get_bin(d, "b", &bin, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(bin, "\x00\xff", 2);
    gf_dict_foreach(d, record_cb, &w);
    assert_string_equal(w.keys[0], "vol");
    assert_string_equal(w.keys[4], "d");
    gf_dict_unref(d);
}

static void test_unserialize_value_without_nul(void **state)
{
    static const unsigned char buf[] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 'k', 0, '1', '7'};
    gf_dict_t *d = NULL;
    const char *s;
    int64_t n;

    assert_int_equal(gf_dict_unserialize((const char *)buf, sizeof(buf), &d), 0);
    assert_int_equal(gf_dict_get_str(d, "k", &s), 0);
    assert_string_equal(s, "17");
    assert_int_equal(gf_dict_get_int64(d, "k", &n), 0);
    assert_int_equal(n, 17);
    gf_dict_unref(d);
}

static void test_unserialize_ignores_trailing_bytes(void **state)
{
    unsigned char buf[sizeof(expected_old) + 3];
    gf_dict_t *d = NULL;

    memcpy(buf, expected_old, sizeof(expected_old));
    memset(buf + sizeof(expected_old), 0xee, 3);
    assert_int_equal(gf_dict_unserialize((const char *)buf, sizeof(buf), &d), 0);
    assert_int_equal(gf_dict_count(d), 5);
    gf_dict_unref(d);
}

/* Every proper prefix of a valid encoding is truncated and must be rejected. */
static void test_unserialize_every_truncation(void **state)
{
    uint64_t before = live_blocks();

    for (size_t len = 0; len < sizeof(expected_old); len++) {
        gf_dict_t *d = NULL;
        char *copy = gf_malloc(len ? len : 1); /* exact size: overreads hit the end */
        memcpy(copy, expected_old, len);
        assert_int_equal(gf_dict_unserialize(copy, len, &d), -EINVAL);
        assert_null(d);
        gf_free(copy);
    }
    assert_int_equal(live_blocks(), before);
}

static void expect_rejected(const unsigned char *buf, size_t len)
{
    gf_dict_t *d = NULL;

    assert_int_equal(gf_dict_unserialize((const char *)buf, len, &d), -EINVAL);
    assert_null(d);
}

static void test_unserialize_count_too_large(void **state)
{
    /* claims 2 pairs, holds 1 */
    static const unsigned char buf[] = {0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 'k', 0, 'v'};
    expect_rejected(buf, sizeof(buf));
}

static void test_unserialize_huge_count(void **state)
{
    static const unsigned char buf[] = {0xff, 0xff, 0xff, 0xff, 0,   0, 0,  1,
                                        0,    0,    0,    1,    'k', 0, 'v'};
    expect_rejected(buf, sizeof(buf));
}

static void test_unserialize_count_over_cap(void **state)
{
    /* 2^20 + 1 empty-key, empty-value pairs: the data would hold them, the cap does not. */
    const uint32_t count = (1u << 20) + 1;
    size_t len = 4 + (size_t)count * 9;
    unsigned char *buf = gf_calloc(1, len);

    buf[0] = 0;
    buf[1] = 0x10;
    buf[2] = 0;
    buf[3] = 1;
    expect_rejected(buf, len);
    buf[3] = 0; /* 2^20: exactly at the cap, accepted (one key, replaced each time) */
    {
        gf_dict_t *d = NULL;
        assert_int_equal(gf_dict_unserialize((const char *)buf, len, &d), 0);
        assert_int_equal(gf_dict_count(d), 1);
        gf_dict_unref(d);
    }
    gf_free(buf);
}

static void test_unserialize_key_past_end(void **state)
{
    static const unsigned char buf[] = {0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 'k', 0};
    expect_rejected(buf, sizeof(buf));
}

static void test_unserialize_key_len_max(void **state)
{
    static const unsigned char buf[] = {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 'k', 0};
    expect_rejected(buf, sizeof(buf));
}

static void test_unserialize_value_past_end(void **state)
{
    static const unsigned char buf[] = {0,    0,    0,    1,    0,   0, 0,  1,
                                        0xff, 0xff, 0xff, 0xf0, 'k', 0, 'v'};
    expect_rejected(buf, sizeof(buf));
}

static void test_unserialize_key_without_nul(void **state)
{
    static const unsigned char buf[] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'k', 'x', 'v'};
    expect_rejected(buf, sizeof(buf));
}

static void test_unserialize_key_with_inner_nul(void **state)
{
    static const unsigned char buf[] = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 'k', 0, 0, 'v'};
    expect_rejected(buf, sizeof(buf));
}

static void test_round_trip_old_encoding(void **state)
{
    gf_dict_t *d = *state;
    gf_dict_t *back = NULL;
    char *buf = NULL;
    size_t len = 0;
    double f;
    int64_t n;
    uuid_t u, u2;

    uuid_generate(u);
    gf_dict_set_double(d, "third", 1.0 / 3.0);
    gf_dict_set_int64(d, "min", INT64_MIN);
    gf_dict_set_gfuuid(d, "gfid", u);
    assert_int_equal(gf_dict_serialize(d, &buf, &len), 0);
    assert_int_equal(gf_dict_unserialize(buf, len, &back), 0);
    assert_int_equal(gf_dict_get_double(back, "third", &f), 0);
    assert_true(f == 1.0 / 3.0);
    assert_int_equal(gf_dict_get_int64(back, "min", &n), 0);
    assert_true(n == INT64_MIN);
    assert_int_equal(gf_dict_get_gfuuid(back, "gfid", u2), 0);
    assert_memory_equal(u, u2, sizeof(uuid_t));
    gf_dict_unref(back);
    gf_free(buf);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_str_round_trip),
        T(test_int_round_trip),
        T(test_number_conversions),
        T(test_double_round_trip),
        T(test_bin_round_trip),
        T(test_gfuuid_round_trip),
        T(test_iatt_mdata_round_trip),
        T(test_missing_and_wrong_type),
        T(test_null_arguments),
        T(test_ints_from_text),
        T(test_bad_text_numbers),
        T(test_text_with_bytes_after_nul),
        T(test_bool),
        T(test_set_typed_validation),
        T(test_order_replace_delete),
        T(test_foreach_stops),
        T(test_many_keys),
        T(test_copy_is_deep),
        cmocka_unit_test(test_refcount_frees_on_last_unref),
        T(test_concurrent_use),
        T(test_serialize_known_bytes),
        T(test_serialize_empty),
        T(test_serialize_rejects_iatt),
        cmocka_unit_test(test_unserialize_known),
        cmocka_unit_test(test_unserialize_value_without_nul),
        cmocka_unit_test(test_unserialize_ignores_trailing_bytes),
        cmocka_unit_test(test_unserialize_every_truncation),
        cmocka_unit_test(test_unserialize_count_too_large),
        cmocka_unit_test(test_unserialize_huge_count),
        cmocka_unit_test(test_unserialize_count_over_cap),
        cmocka_unit_test(test_unserialize_key_past_end),
        cmocka_unit_test(test_unserialize_key_len_max),
        cmocka_unit_test(test_unserialize_value_past_end),
        cmocka_unit_test(test_unserialize_key_without_nul),
        cmocka_unit_test(test_unserialize_key_with_inner_nul),
        T(test_round_trip_old_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
