/*
 * Unit tests of distribute's name hash (xlators/cluster/distribute/src/dht-hash.c):
 * the Davies-Meyer/TEA hash must give, bit for bit, what GlusterFS gives, since
 * the layouts on disk are ranges of it; and temporary names must be reduced by
 * the rsync regex (and an extra one) before hashing, as GlusterFS does.
 *
 * Where the expected values come from: each was computed twice, outside this
 * project, and both agreed:
 *   1. by an independent transcription (in Python) of the algorithm as the
 *      header of dht-hash.c describes it: start h0 = 0x9464a485,
 *      h1 = 0x542e1a94; for each full 16-byte block, four little-endian words as
 *      key, 6 TEA rounds (delta 0x9e3779b9) on (h0, h1) added back into them;
 *      then a last block of the remaining full words, padded with
 *      p | p << 16 (p = len | len << 8) words, the first of which takes the last
 *      len % 4 bytes shifted in from the right (each byte sign-extended, as a
 *      signed char), 10 rounds; the hash is h0 ^ h1;
 *   2. by the stock GlusterFS 10.3 library (Debian package libglusterfs0):
 *      gf_dm_hashfn(name, strlen(name)) called through dlopen.
 * The cases cover the empty name, names shorter than a word, exactly a word,
 * exactly one block, one block and a byte, a tail byte >= 0x80, and lengths of
 * 255 and 260 (where the length no longer fits the pad byte).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dht.h"

/* The hash of a name taken whole. */
static uint32_t dm(const char *name)
{
    return dht_dm_hash(name, strlen(name));
}

/* A name of len 'x' characters (len < 300). */
static const char *xs(size_t len)
{
    static char buf[300];

    memset(buf, 'x', len);
    buf[len] = '\0';
    return buf;
}

static void test_empty_name(void **state)
{
    assert_int_equal(dht_dm_hash("", 0), 0x884774a2u);
}

static void test_names_shorter_than_a_word(void **state)
{
    assert_int_equal(dm("a"), 0x3a17e4e6u);
    assert_int_equal(dm("x"), 0xba644973u);
    assert_int_equal(dm("ab"), 0xc3af40d9u);
    assert_int_equal(dm("abc"), 0xba8bd29au);
}

static void test_whole_words(void **state)
{
    assert_int_equal(dm("abcd"), 0xd89627f6u);
    assert_int_equal(dm("file1"), 0xa787fa82u);
    assert_int_equal(dm("foo.txt"), 0xec803fceu);
    assert_int_equal(dm("hello.txt"), 0xe68d61ccu);
}

static void test_full_blocks(void **state)
{
    assert_int_equal(dm("0123456789abcdef"), 0x6ecb5adau);
    assert_int_equal(dm("0123456789abcdefg"), 0x7f5d9903u);
    assert_int_equal(dm("a-rather-long-file-name-with-more-than-32-bytes.dat"), 0x1f108c50u);
}

/* "\xc3\xa9t\xc3\xa9" ("été" in UTF-8): its last byte 0xa9 is a tail byte. */
static void test_high_tail_bytes_are_sign_extended(void **state)
{
    assert_int_equal(dm("\xc3\xa9t\xc3\xa9"), 0xa2e5c9e9u);
}

static void test_long_names(void **state)
{
    assert_int_equal(dm(xs(255)), 0x8ca66f57u);
    assert_int_equal(dm(xs(260)), 0xa24fa3b3u);
}

static void test_paths(void **state)
{
    assert_int_equal(dm("/"), 0x8619bd58u);
    assert_int_equal(dm("/dir1"), 0xc8cb193du);
}

/* Only len bytes count, whatever follows them. */
static void test_length_bounds_the_input(void **state)
{
    assert_int_equal(dht_dm_hash("abcdXYZ", 4), 0xd89627f6u);
}

static void test_rsync_temp_name_hashes_as_final_name(void **state)
{
    dht_hasher_t h;

    assert_int_equal(dht_hasher_init(&h, NULL, NULL), 0);
    assert_int_equal(dht_hash_name(&h, ".foo.txt.AbC123"), 0xec803fceu);
    assert_int_equal(dht_hash_name(&h, "foo.txt"), 0xec803fceu);
    assert_int_equal(dht_hash_name(&h, ".a.b.c.XyZ"), dm("a.b.c"));
    dht_hasher_fini(&h);
}

static void test_names_the_regex_leaves_alone(void **state)
{
    dht_hasher_t h;

    assert_int_equal(dht_hasher_init(&h, NULL, NULL), 0);
    assert_int_equal(dht_hash_name(&h, ".bashrc"), 0xe759f102u); /* no second dot */
    assert_int_equal(dht_hash_name(&h, "..x"), 0xda9d8f15u);     /* empty group */
    assert_int_equal(dht_hash_name(&h, "x.tmp"), 0xc96e982cu);   /* no leading dot */
    assert_int_equal(dht_hash_name(&h, ".x."), dm(".x."));       /* empty suffix */
    dht_hasher_fini(&h);
}

static void test_extra_regex_comes_first(void **state)
{
    dht_hasher_t h;

    assert_int_equal(dht_hasher_init(&h, NULL, "^tmp-(.+)$"), 0);
    assert_int_equal(dht_hash_name(&h, "tmp-x"), 0xba644973u);
    assert_int_equal(dht_hash_name(&h, "tmp-.foo.txt.1"), dm(".foo.txt.1"));
    assert_int_equal(dht_hash_name(&h, ".foo.txt.AbC123"), 0xec803fceu);
    dht_hasher_fini(&h);
}

static void test_custom_rsync_regex_replaces_default(void **state)
{
    dht_hasher_t h;

    assert_int_equal(dht_hasher_init(&h, "^(.+)~$", NULL), 0);
    assert_int_equal(dht_hash_name(&h, "foo.txt~"), 0xec803fceu);
    assert_int_equal(dht_hash_name(&h, ".foo.txt.AbC123"), 0x0aa68c82u);
    dht_hasher_fini(&h);
}

static void test_regex_without_group_hashes_whole_name(void **state)
{
    dht_hasher_t h;

    assert_int_equal(dht_hasher_init(&h, "^foo", NULL), 0);
    assert_int_equal(dht_hash_name(&h, "foo.txt"), 0xec803fceu);
    dht_hasher_fini(&h);
}

static void test_bad_regex_is_refused(void **state)
{
    dht_hasher_t h;

    assert_int_equal(dht_hasher_init(&h, NULL, "(unclosed"), -EINVAL);
    assert_false(h.extra_valid);
    assert_true(h.rsync_valid); /* the default still reduces rsync names */
    assert_int_equal(dht_hash_name(&h, ".foo.txt.AbC123"), 0xec803fceu);
    dht_hasher_fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_name),
        cmocka_unit_test(test_names_shorter_than_a_word),
        cmocka_unit_test(test_whole_words),
        cmocka_unit_test(test_full_blocks),
        cmocka_unit_test(test_high_tail_bytes_are_sign_extended),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_length_bounds_the_input),
        cmocka_unit_test(test_rsync_temp_name_hashes_as_final_name),
        cmocka_unit_test(test_names_the_regex_leaves_alone),
        cmocka_unit_test(test_extra_regex_comes_first),
        cmocka_unit_test(test_custom_rsync_regex_replaces_default),
        cmocka_unit_test(test_regex_without_group_hashes_whole_name),
        cmocka_unit_test(test_bad_regex_is_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
