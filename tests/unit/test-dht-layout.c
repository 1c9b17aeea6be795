/*
 * Unit tests of distribute's layouts (xlators/cluster/distribute/src/dht-layout.c):
 * the fresh layout of a new directory for 1 to 5 subvolumes (the ranges GlusterFS
 * gives: the 2^32 hashes cut into chunks of floor((2^32 - 1) / N), the last
 * subvolume taking the rest, handed out in the order of the subvolume names from
 * the entry the seed picks), the on-disk xattr value (16 bytes, big-endian commit
 * hash, type, start, stop) both ways, malformed values refused, and the checks
 * that tell a complete layout from one with holes or overlaps.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dht.h"
#include "glusterfs/mem.h"

static const char *const names[] = {"vol-client-0", "vol-client-1", "vol-client-2", "vol-client-3",
                                    "vol-client-4"};
static const bool all[] = {true, true, true, true, true};

/* A fresh layout over the first n names with seed 0, checked to be complete. */
static dht_layout_t *fresh(int n, uint32_t seed)
{
    dht_layout_t *l = dht_layout_new(n);

    assert_non_null(l);
    dht_layout_fresh(l, names, all, seed);
    assert_true(dht_layout_complete(l));
    return l;
}

static void assert_range(const dht_layout_t *l, int i, uint32_t start, uint32_t stop)
{
    assert_int_equal(l->r[i].err, 0);
    assert_int_equal(l->r[i].start, start);
    assert_int_equal(l->r[i].stop, stop);
    assert_int_equal(l->r[i].commit, DHT_COMMIT_HASH_INVALID);
}

static void test_fresh_one_subvolume(void **state)
{
    dht_layout_t *l = fresh(1, 0);

    assert_range(l, 0, 0, 0xffffffffu);
    assert_int_equal(l->type, DHT_HASH_TYPE_DM);
    gf_free(l);
}

static void test_fresh_two_subvolumes(void **state)
{
    dht_layout_t *l = fresh(2, 0);

    assert_range(l, 0, 0, 0x7ffffffeu);
    assert_range(l, 1, 0x7fffffffu, 0xffffffffu);
    gf_free(l);
}

static void test_fresh_three_subvolumes(void **state)
{
    dht_layout_t *l = fresh(3, 0);

    assert_range(l, 0, 0, 0x55555554u);
    assert_range(l, 1, 0x55555555u, 0xaaaaaaa9u);
    assert_range(l, 2, 0xaaaaaaaau, 0xffffffffu);
    gf_free(l);
}

static void test_fresh_four_subvolumes(void **state)
{
    dht_layout_t *l = fresh(4, 0);

    assert_range(l, 0, 0, 0x3ffffffeu);
    assert_range(l, 1, 0x3fffffffu, 0x7ffffffdu);
    assert_range(l, 2, 0x7ffffffeu, 0xbffffffcu);
    assert_range(l, 3, 0xbffffffdu, 0xffffffffu);
    gf_free(l);
}

static void test_fresh_five_subvolumes(void **state)
{
    dht_layout_t *l = fresh(5, 0);

    assert_range(l, 0, 0, 0x33333332u);
    assert_range(l, 1, 0x33333333u, 0x66666665u);
    assert_range(l, 2, 0x66666666u, 0x99999998u);
    assert_range(l, 3, 0x99999999u, 0xcccccccbu);
    assert_range(l, 4, 0xccccccccu, 0xffffffffu);
    gf_free(l);
}

/* The seed picks where in the name order the first range goes: seed 7 over 3
 * subvolumes starts at entry 7 % 3 = 1. */
static void test_fresh_seed_rotates_start(void **state)
{
    dht_layout_t *l = fresh(3, 7);

    assert_range(l, 1, 0, 0x55555554u);
    assert_range(l, 2, 0x55555555u, 0xaaaaaaa9u);
    assert_range(l, 0, 0xaaaaaaaau, 0xffffffffu);
    gf_free(l);
}

/* Ranges follow the names in strcmp order, not the subvolume order:
 * "v-client-1" < "v-client-10" < "v-client-2". */
static void test_fresh_follows_name_order(void **state)
{
    const char *const odd[] = {"v-client-10", "v-client-2", "v-client-1"};
    dht_layout_t *l = dht_layout_new(3);

    assert_non_null(l);
    dht_layout_fresh(l, odd, all, 0);
    assert_range(l, 2, 0, 0x55555554u);
    assert_range(l, 0, 0x55555555u, 0xaaaaaaa9u);
    assert_range(l, 1, 0xaaaaaaaau, 0xffffffffu);
    gf_free(l);
}

/* Subvolumes left out get an empty range; the others share the hashes. */
static void test_fresh_skips_non_members(void **state)
{
    const bool member[] = {true, false, true};
    dht_layout_t *l = dht_layout_new(3);

    assert_non_null(l);
    l->r[1].err = 107; /* ENOTCONN, say: kept */
    dht_layout_fresh(l, names, member, 0);
    assert_range(l, 0, 0, 0x7ffffffeu);
    assert_range(l, 2, 0x7fffffffu, 0xffffffffu);
    assert_int_equal(l->r[1].start, 0);
    assert_int_equal(l->r[1].stop, 0);
    assert_int_equal(l->r[1].err, 107);
    assert_true(dht_layout_complete(l));
    gf_free(l);
}

static void test_fresh_without_members_changes_nothing(void **state)
{
    const bool none[] = {false, false};
    dht_layout_t *l = dht_layout_new(2);

    assert_non_null(l);
    dht_layout_fresh(l, names, none, 0);
    assert_int_equal(l->r[0].err, -1);
    assert_int_equal(l->r[1].err, -1);
    assert_false(dht_layout_complete(l));
    gf_free(l);
}

static void test_search_finds_range_bounds(void **state)
{
    dht_layout_t *l = fresh(3, 0);

    assert_int_equal(dht_layout_search(l, 0), 0);
    assert_int_equal(dht_layout_search(l, 0x55555554u), 0);
    assert_int_equal(dht_layout_search(l, 0x55555555u), 1);
    assert_int_equal(dht_layout_search(l, 0xaaaaaaaau), 2);
    assert_int_equal(dht_layout_search(l, 0xffffffffu), 2);
    l->r[1].err = -1;
    assert_int_equal(dht_layout_search(l, 0x60000000u), -1);
    gf_free(l);
}

static void test_encode_matches_disk_format(void **state)
{
    const unsigned char want[16] = {0,    0,    0,    1,    0,    0,    0,    0,
                                    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    dht_range_t r = {.commit = 1, .start = 0x7fffffffu, .stop = 0xffffffffu};
    unsigned char out[16];

    dht_layout_encode(&r, DHT_HASH_TYPE_DM, out);
    assert_memory_equal(out, want, 16);
}

static void test_encode_decode_round_trip(void **state)
{
    dht_range_t r = {.commit = 0xdeadbeefu, .start = 0x12345678u, .stop = 0x9abcdef0u};
    dht_range_t back;
    unsigned char out[16];
    uint32_t type;

    dht_layout_encode(&r, DHT_HASH_TYPE_DM_USER, out);
    assert_int_equal(dht_layout_decode(out, sizeof(out), &back, &type), 0);
    assert_int_equal(type, DHT_HASH_TYPE_DM_USER);
    assert_int_equal(back.commit, r.commit);
    assert_int_equal(back.start, r.start);
    assert_int_equal(back.stop, r.stop);
    assert_int_equal(back.err, 0);
}

/* What GlusterFS writes on the second of two bricks decodes to its range. */
static void test_decode_stock_value(void **state)
{
    const unsigned char disk[16] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xfe};
    dht_range_t r;
    uint32_t type;

    assert_int_equal(dht_layout_decode(disk, sizeof(disk), &r, &type), 0);
    assert_int_equal(r.commit, 1);
    assert_int_equal(type, DHT_HASH_TYPE_DM);
    assert_int_equal(r.start, 0);
    assert_int_equal(r.stop, 0x7ffffffeu);
}

static void test_decode_rejects_wrong_length(void **state)
{
    unsigned char buf[20] = {0};
    dht_range_t r = {.start = 5};
    uint32_t type = 9;

    assert_int_equal(dht_layout_decode(buf, 15, &r, &type), -EINVAL);
    assert_int_equal(dht_layout_decode(buf, 17, &r, &type), -EINVAL);
    assert_int_equal(dht_layout_decode(buf, 0, &r, &type), -EINVAL);
    assert_int_equal(dht_layout_decode(NULL, 16, &r, &type), -EINVAL);
    assert_int_equal(r.start, 5); /* untouched */
    assert_int_equal(type, 9);
}

static void test_decode_rejects_unknown_type(void **state)
{
    dht_range_t in = {.commit = 1, .start = 0, .stop = 10}, r;
    unsigned char buf[16];
    uint32_t type;

    dht_layout_encode(&in, 2, buf);
    assert_int_equal(dht_layout_decode(buf, 16, &r, &type), -EINVAL);
    dht_layout_encode(&in, 0x01000000u, buf); /* type 1 in the wrong byte order */
    assert_int_equal(dht_layout_decode(buf, 16, &r, &type), -EINVAL);
}

static void test_decode_rejects_start_after_stop(void **state)
{
    dht_range_t in = {.commit = 1, .start = 0x80000000u, .stop = 0x7fffffffu}, r;
    unsigned char buf[16];
    uint32_t type;

    dht_layout_encode(&in, DHT_HASH_TYPE_DM, buf);
    assert_int_equal(dht_layout_decode(buf, 16, &r, &type), -EINVAL);
}

/* Sets entry i of l to a valid range. */
static void set(dht_layout_t *l, int i, uint32_t start, uint32_t stop)
{
    l->r[i] = (dht_range_t){.commit = 1, .start = start, .stop = stop, .err = 0};
}

static void test_complete_detects_holes(void **state)
{
    dht_layout_t *l = dht_layout_new(2);

    assert_non_null(l);
    set(l, 0, 0, 0x7ffffffeu);
    set(l, 1, 0x80000000u, 0xffffffffu); /* 0x7fffffff missing */
    assert_false(dht_layout_complete(l));
    set(l, 1, 0x7fffffffu, 0xfffffffeu); /* the top missing */
    assert_false(dht_layout_complete(l));
    set(l, 0, 1, 0x7ffffffeu); /* 0 missing */
    set(l, 1, 0x7fffffffu, 0xffffffffu);
    assert_false(dht_layout_complete(l));
    gf_free(l);
}

static void test_complete_detects_overlaps(void **state)
{
    dht_layout_t *l = dht_layout_new(3);

    assert_non_null(l);
    set(l, 0, 0, 0x7fffffffu);
    set(l, 1, 0x7fffffffu, 0xffffffffu);
    set(l, 2, 0, 0);
    assert_false(dht_layout_complete(l));
    set(l, 1, 0x80000000u, 0xffffffffu);
    assert_true(dht_layout_complete(l)); /* the 0-0 entry takes no part */
    set(l, 2, 0x10, 0x20);
    assert_false(dht_layout_complete(l));
    gf_free(l);
}

/* Entries in any order; errors and missing ranges take no part. */
static void test_complete_ignores_order_and_errors(void **state)
{
    dht_layout_t *l = dht_layout_new(3);

    assert_non_null(l);
    set(l, 0, 0x80000000u, 0xffffffffu);
    set(l, 2, 0, 0x7fffffffu);
    l->r[1].err = -1;
    assert_true(dht_layout_complete(l));
    l->r[0].err = 2;
    assert_false(dht_layout_complete(l));
    gf_free(l);
}

static void test_dup_copies_everything(void **state)
{
    dht_layout_t *l = fresh(4, 3), *c = dht_layout_dup(l);

    assert_non_null(c);
    assert_memory_equal(c, l, sizeof(*l) + 4 * sizeof(l->r[0]));
    gf_free(c);
    gf_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_one_subvolume),
        cmocka_unit_test(test_fresh_two_subvolumes),
        cmocka_unit_test(test_fresh_three_subvolumes),
        cmocka_unit_test(test_fresh_four_subvolumes),
        cmocka_unit_test(test_fresh_five_subvolumes),
        cmocka_unit_test(test_fresh_seed_rotates_start),
        cmocka_unit_test(test_fresh_follows_name_order),
        cmocka_unit_test(test_fresh_skips_non_members),
        cmocka_unit_test(test_fresh_without_members_changes_nothing),
        cmocka_unit_test(test_search_finds_range_bounds),
        cmocka_unit_test(test_encode_matches_disk_format),
        cmocka_unit_test(test_encode_decode_round_trip),
        cmocka_unit_test(test_decode_stock_value),
        cmocka_unit_test(test_decode_rejects_wrong_length),
        cmocka_unit_test(test_decode_rejects_unknown_type),
        cmocka_unit_test(test_decode_rejects_start_after_stop),
        cmocka_unit_test(test_complete_detects_holes),
        cmocka_unit_test(test_complete_detects_overlaps),
        cmocka_unit_test(test_complete_ignores_order_and_errors),
        cmocka_unit_test(test_dup_copies_everything),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
