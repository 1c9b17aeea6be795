/*
 * Unit tests of the typed dict wire form (dict-xdr.h): every type through
 * gfx_dict and through real XDR bytes, the absent dict, the exact encoding
 * of a small dict, xdr_size, and rejection of malformed pairs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dict-xdr.h"
#include "glusterfs/mem.h"

static uint64_t live_blocks(void)
{
    return __atomic_load_n(&gf_mem_global_acct.blocks, __ATOMIC_RELAXED);
}

/* Encodes g with XDR into buf; returns the encoded length. */
static size_t encode(gfx_dict *g, char *buf, size_t room)
{
    XDR xdr;
    size_t len;

    xdrmem_create(&xdr, buf, (u_int)room, XDR_ENCODE);
    assert_true(xdr_gfx_dict(&xdr, g));
    len = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    return len;
}

/* Decodes len bytes of buf into a gfx_dict (free with xdr_free); false on failure. */
static bool decode(char *buf, size_t len, gfx_dict *g)
{
    XDR xdr;
    bool ok;

    memset(g, 0, sizeof(*g));
    xdrmem_create(&xdr, buf, (u_int)len, XDR_DECODE);
    ok = xdr_gfx_dict(&xdr, g);
    xdr_destroy(&xdr);
    return ok;
}

static void fill_all_types(gf_dict_t *d, const gf_iatt_t *ia, const gf_mdata_t *md, const uuid_t u)
{
    assert_int_equal(gf_dict_set_str(d, "str", "hello"), 0);
    assert_int_equal(gf_dict_set_int64(d, "int", -42), 0);
    assert_int_equal(gf_dict_set_uint64(d, "uint", UINT64_MAX), 0);
    assert_int_equal(gf_dict_set_double(d, "dbl", 2.25), 0);
    assert_int_equal(gf_dict_set_bin(d, "bin", "\x00\x01\x02", 3), 0);
    assert_int_equal(gf_dict_set_gfuuid(d, "gfid", u), 0);
    assert_int_equal(gf_dict_set_iatt(d, "iatt", ia), 0);
    assert_int_equal(gf_dict_set_mdata(d, "mdata", md), 0);
    assert_int_equal(gf_dict_set_typed(d, "old", GF_DATA_TYPE_STR_OLD, "7", 2), 0);
}

static void check_all_types(gf_dict_t *d, const gf_iatt_t *ia, const gf_mdata_t *md, const uuid_t u)
{
    static const char *order[] = {"str",  "int",  "uint",  "dbl", "bin",
                                  "gfid", "iatt", "mdata", "old"};
    const char *s;
    int64_t i;
    uint64_t v;
    double f;
    const void *bin;
    size_t len;
    uuid_t u2;
    gf_iatt_t ia2;
    gf_mdata_t md2;

    memset(&ia2, 0, sizeof(ia2)); /* whole-struct compares below include padding */
    memset(&md2, 0, sizeof(md2));
    assert_int_equal(gf_dict_count(d), 9);
    assert_int_equal(gf_dict_get_str(d, "str", &s), 0);
    assert_string_equal(s, "hello");
    assert_int_equal(gf_dict_get_int64(d, "int", &i), 0);
    assert_int_equal(i, -42);
    assert_int_equal(gf_dict_get_uint64(d, "uint", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(gf_dict_get_double(d, "dbl", &f), 0);
    assert_true(f == 2.25);
    assert_int_equal(gf_dict_get_bin(d, "bin", &bin, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(bin, "\x00\x01\x02", 3);
    assert_int_equal(gf_dict_get_gfuuid(d, "gfid", u2), 0);
    assert_memory_equal(u, u2, sizeof(uuid_t));
    assert_int_equal(gf_dict_get_iatt(d, "iatt", &ia2), 0);
    assert_memory_equal(ia, &ia2, sizeof(ia2));
    assert_int_equal(gf_dict_get_mdata(d, "mdata", &md2), 0);
    assert_memory_equal(md, &md2, sizeof(md2));
    assert_int_equal(gf_dict_get_int64(d, "old", &i), 0);
    assert_int_equal(i, 7);
    assert_int_equal(gf_dict_get_type(d, "old"), GF_DATA_TYPE_STR_OLD);
    assert_int_equal(gf_dict_get_type(d, "bin"), GF_DATA_TYPE_PTR);
    for (size_t k = 0; k < 9; k++)
        assert_true(gf_dict_has(d, order[k]));
}

static void make_values(gf_iatt_t *ia, gf_mdata_t *md, uuid_t u)
{
    memset(ia, 0, sizeof(*ia));
    memset(md, 0, sizeof(*md));
    uuid_generate(ia->ia_gfid);
    ia->ia_ino = 12345;
    ia->ia_size = 1ULL << 40;
    ia->ia_mode = 040755;
    ia->ia_nlink = 2;
    ia->ia_atime = -1;
    ia->ia_btime_nsec = 999999999;
    ia->ia_attributes_mask = 0xf0;
    md->ia_atime = 10;
    md->ia_mtime = 20;
    md->ia_ctime = 30;
    md->ia_atime_nsec = 1;
    md->ia_mtime_nsec = 2;
    md->ia_ctime_nsec = 3;
    uuid_generate(u);
}

static void test_round_trip_in_memory(void **state)
{
    gf_dict_t *d = gf_dict_new();
    gf_dict_t *back = NULL;
    gfx_dict g;
    gf_iatt_t ia;
    gf_mdata_t md;
    uuid_t u;

    make_values(&ia, &md, u);
    fill_all_types(d, &ia, &md, u);
    assert_int_equal(gf_dict_to_gfx(d, &g), 0);
    assert_int_equal(g.count, 9);
    assert_int_equal(g.pairs.pairs_len, 9);
    assert_int_equal(gf_dict_from_gfx(&g, &back), 0);
    check_all_types(back, &ia, &md, u);
    gf_gfx_dict_free(&g);
    gf_dict_unref(back);
    gf_dict_unref(d);
}

static void test_round_trip_through_xdr(void **state)
{
    uint64_t before = live_blocks();
    gf_dict_t *d = gf_dict_new();
    gf_dict_t *back = NULL;
    gfx_dict g, g2;
    char buf[4096];
    size_t len;
    gf_iatt_t ia;
    gf_mdata_t md;
    uuid_t u;

    make_values(&ia, &md, u);
    fill_all_types(d, &ia, &md, u);
    assert_int_equal(gf_dict_to_gfx(d, &g), 0);
    len = encode(&g, buf, sizeof(buf));
    assert_int_equal(g.xdr_size, len - 12);
    assert_true(decode(buf, len, &g2));
    assert_int_equal(gf_dict_from_gfx(&g2, &back), 0);
    check_all_types(back, &ia, &md, u);
    xdr_free((xdrproc_t)xdr_gfx_dict, (char *)&g2);
    gf_gfx_dict_free(&g);
    gf_dict_unref(back);
    gf_dict_unref(d);
    assert_int_equal(live_blocks(), before);
}

static void test_keys_and_strings_carry_nul(void **state)
{
    gf_dict_t *d = gf_dict_new();
    gfx_dict g;

    gf_dict_set_str(d, "key", "on");
    assert_int_equal(gf_dict_to_gfx(d, &g), 0);
    assert_int_equal(g.pairs.pairs_val[0].key.key_len, 4);
    assert_memory_equal(g.pairs.pairs_val[0].key.key_val, "key", 4);
    assert_int_equal(g.pairs.pairs_val[0].value.type, GF_DATA_TYPE_STR);
    assert_int_equal(g.pairs.pairs_val[0].value.gfx_value_u.val_string.val_string_len, 3);
    assert_memory_equal(g.pairs.pairs_val[0].value.gfx_value_u.val_string.val_string_val, "on", 3);
    gf_gfx_dict_free(&g);
    gf_dict_unref(d);
}

/* The XDR bytes of {"k": INT 5, "s": STR "on"}, laid out by hand. */
static const unsigned char expected_gfx[] = {
    0, 0, 0, 40,                 /* xdr_size: the 40 bytes after the first 12 */
    0, 0, 0, 2,                  /* count */
    0, 0, 0, 2,                  /* pairs length */
    0, 0, 0, 2,  'k', 0,   0, 0, /* key "k\0", padded */
    0, 0, 0, 2,                  /* type INT */
    0, 0, 0, 0,  0,   0,   0, 5, /* hyper 5 */
    0, 0, 0, 2,  's', 0,   0, 0, /* key "s\0" */
    0, 0, 0, 5,                  /* type STR */
    0, 0, 0, 3,  'o', 'n', 0, 0, /* "on\0", padded */
};

static void test_exact_encoding(void **state)
{
    gf_dict_t *d = gf_dict_new();
    gfx_dict g;
    char buf[256];
    size_t len;

    gf_dict_set_int64(d, "k", 5);
    gf_dict_set_str(d, "s", "on");
    assert_int_equal(gf_dict_to_gfx(d, &g), 0);
    len = encode(&g, buf, sizeof(buf));
    assert_int_equal(len, sizeof(expected_gfx));
    assert_memory_equal(buf, expected_gfx, len);
    gf_gfx_dict_free(&g);
    gf_dict_unref(d);
}

static void test_decode_hand_built(void **state)
{
    unsigned char copy[sizeof(expected_gfx)];
    gf_dict_t *d = NULL;
    gfx_dict g;
    const char *s;
    int64_t k;

    memcpy(copy, expected_gfx, sizeof(copy));
    assert_true(decode((char *)copy, sizeof(copy), &g));
    assert_int_equal(gf_dict_from_gfx(&g, &d), 0);
    assert_int_equal(gf_dict_get_int64(d, "k", &k), 0);
    assert_int_equal(k, 5);
    assert_int_equal(gf_dict_get_str(d, "s", &s), 0);
    assert_string_equal(s, "on");
    xdr_free((xdrproc_t)xdr_gfx_dict, (char *)&g);
    gf_dict_unref(d);
}

static void test_absent_dict(void **state)
{
    gf_dict_t *d = (gf_dict_t *)&d; /* anything non-NULL: must become NULL */
    gfx_dict g;

    assert_int_equal(gf_dict_to_gfx(NULL, &g), 0);
    assert_int_equal(g.count, -1);
    assert_int_equal(g.pairs.pairs_len, 0);
    assert_int_equal(g.xdr_size, 0);
    assert_int_equal(gf_dict_from_gfx(&g, &d), 0);
    assert_null(d);
    gf_gfx_dict_free(&g);
}

static void test_empty_dict(void **state)
{
    gf_dict_t *d = gf_dict_new();
    gf_dict_t *back = NULL;
    gfx_dict g;

    assert_int_equal(gf_dict_to_gfx(d, &g), 0);
    assert_int_equal(g.count, 0);
    assert_int_equal(g.xdr_size, 0);
    assert_int_equal(gf_dict_from_gfx(&g, &back), 0);
    assert_non_null(back);
    assert_int_equal(gf_dict_count(back), 0);
    gf_gfx_dict_free(&g);
    gf_dict_unref(back);
    gf_dict_unref(d);
}

/* A one-pair gfx_dict built by hand, pointing at caller-owned bytes. */
static void one_pair(gfx_dict *g, gfx_dict_pair *p, const char *key, u_int key_len, int type)
{
    memset(g, 0, sizeof(*g));
    memset(p, 0, sizeof(*p));
    p->key.key_val = (char *)key;
    p->key.key_len = key_len;
    p->value.type = type;
    g->count = 1;
    g->pairs.pairs_len = 1;
    g->pairs.pairs_val = p;
}

static void expect_rejected(const gfx_dict *g)
{
    gf_dict_t *d = NULL;
    uint64_t before = live_blocks();

    assert_int_equal(gf_dict_from_gfx(g, &d), -EINVAL);
    assert_null(d);
    assert_int_equal(live_blocks(), before);
}

static void test_bad_types_rejected(void **state)
{
    static const int bad[] = {0, 10, -1, 1000};
    gfx_dict g;
    gfx_dict_pair p;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        one_pair(&g, &p, "k", 2, bad[i]);
        expect_rejected(&g);
    }
}

static void test_bad_type_on_the_wire(void **state)
{
    unsigned char copy[sizeof(expected_gfx)];
    gfx_dict g;

    memcpy(copy, expected_gfx, sizeof(copy));
    copy[12 + 8 + 3] = 10; /* first pair's type */
    assert_false(decode((char *)copy, sizeof(copy), &g));
    xdr_free((xdrproc_t)xdr_gfx_dict, (char *)&g);
}

static void test_bad_keys_rejected(void **state)
{
    gfx_dict g;
    gfx_dict_pair p;

    one_pair(&g, &p, "kx", 2, GF_DATA_TYPE_INT); /* no NUL */
    expect_rejected(&g);
    one_pair(&g, &p, "k\0x", 4, GF_DATA_TYPE_INT); /* NUL inside */
    expect_rejected(&g);
    one_pair(&g, &p, "", 0, GF_DATA_TYPE_INT); /* empty opaque */
    expect_rejected(&g);
    one_pair(&g, &p, NULL, 0, GF_DATA_TYPE_INT);
    expect_rejected(&g);
}

static void test_string_without_nul_rejected(void **state)
{
    gfx_dict g;
    gfx_dict_pair p;

    one_pair(&g, &p, "k", 2, GF_DATA_TYPE_STR);
    p.value.gfx_value_u.val_string.val_string_val = "on";
    p.value.gfx_value_u.val_string.val_string_len = 2;
    expect_rejected(&g);
    p.value.gfx_value_u.val_string.val_string_val = NULL;
    p.value.gfx_value_u.val_string.val_string_len = 0;
    expect_rejected(&g);
}

static void test_other_without_buffer_rejected(void **state)
{
    gfx_dict g;
    gfx_dict_pair p;

    one_pair(&g, &p, "k", 2, GF_DATA_TYPE_PTR);
    p.value.gfx_value_u.other.other_len = 5;
    expect_rejected(&g);
}

static void test_empty_other_accepted(void **state)
{
    gfx_dict g;
    gfx_dict_pair p;
    gf_dict_t *d = NULL;
    const void *bin;
    size_t len = 1;

    one_pair(&g, &p, "k", 2, GF_DATA_TYPE_PTR);
    assert_int_equal(gf_dict_from_gfx(&g, &d), 0);
    assert_int_equal(gf_dict_get_bin(d, "k", &bin, &len), 0);
    assert_int_equal(len, 0);
    gf_dict_unref(d);
}

static void test_later_bad_pair_rejects_all(void **state)
{
    gf_dict_t *d = gf_dict_new();
    gf_dict_t *back = NULL;
    gfx_dict g;

    gf_dict_set_int64(d, "a", 1);
    gf_dict_set_int64(d, "b", 2);
    assert_int_equal(gf_dict_to_gfx(d, &g), 0);
    g.pairs.pairs_val[1].value.type = 42;
    assert_int_equal(gf_dict_from_gfx(&g, &back), -EINVAL);
    assert_null(back);
    g.pairs.pairs_val[1].value.type = GF_DATA_TYPE_INT;
    gf_gfx_dict_free(&g);
    gf_dict_unref(d);
}

static void test_free_releases_everything(void **state)
{
    uint64_t before;
    gf_dict_t *d = gf_dict_new();
    gfx_dict g;
    char key[16];

    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        gf_dict_set_str(d, key, "value");
        gf_dict_set_bin(d, key + 1, "xy", 2);
    }
    before = live_blocks();
    assert_int_equal(gf_dict_to_gfx(d, &g), 0);
    assert_true(live_blocks() > before);
    gf_gfx_dict_free(&g);
    assert_int_equal(live_blocks(), before);
    assert_int_equal(g.count, -1);
    assert_int_equal(g.pairs.pairs_len, 0);
    gf_dict_unref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_in_memory),
        cmocka_unit_test(test_round_trip_through_xdr),
        cmocka_unit_test(test_keys_and_strings_carry_nul),
        cmocka_unit_test(test_exact_encoding),
        cmocka_unit_test(test_decode_hand_built),
        cmocka_unit_test(test_absent_dict),
        cmocka_unit_test(test_empty_dict),
        cmocka_unit_test(test_bad_types_rejected),
        cmocka_unit_test(test_bad_type_on_the_wire),
        cmocka_unit_test(test_bad_keys_rejected),
        cmocka_unit_test(test_string_without_nul_rejected),
        cmocka_unit_test(test_other_without_buffer_rejected),
        cmocka_unit_test(test_empty_other_accepted),
        cmocka_unit_test(test_later_bad_pair_rejects_all),
        cmocka_unit_test(test_free_releases_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
