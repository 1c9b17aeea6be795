/*
 * Unit tests of memory accounting (mem.c): the global account and a
 * translator's account go up and down with allocations, realloc keeps the
 * paying account, and the string helpers charge and copy correctly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"

static uint64_t global_bytes(void)
{
    return __atomic_load_n(&gf_mem_global_acct.bytes, __ATOMIC_RELAXED);
}

static uint64_t global_blocks(void)
{
    return __atomic_load_n(&gf_mem_global_acct.blocks, __ATOMIC_RELAXED);
}

static void test_malloc_free_global(void **state)
{
    uint64_t bytes = global_bytes(), blocks = global_blocks();
    uint64_t allocs = gf_mem_global_acct.total_allocs;
    char *p = gf_malloc(100);
    assert_non_null(p);
    assert_int_equal(global_bytes(), bytes + 100);
    assert_int_equal(global_blocks(), blocks + 1);
    assert_int_equal(gf_mem_global_acct.total_allocs, allocs + 1);
    gf_free(p);
    assert_int_equal(global_bytes(), bytes);
    assert_int_equal(global_blocks(), blocks);
    assert_int_equal(gf_mem_global_acct.total_allocs, allocs + 1);
}

static void test_alignment(void **state)
{
    void *p[5];
    for (size_t i = 0; i < 5; i++) {
        p[i] = gf_malloc(i * 7 + 1);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
    }
    for (size_t i = 0; i < 5; i++)
        gf_free(p[i]);
}

static void test_calloc_zeroed_and_overflow(void **state)
{
    uint64_t bytes = global_bytes();
    unsigned char *p = gf_calloc(10, 8);
    assert_non_null(p);
    for (int i = 0; i < 80; i++)
        assert_int_equal(p[i], 0);
    assert_int_equal(global_bytes(), bytes + 80);
    gf_free(p);
    assert_null(gf_calloc(SIZE_MAX / 2, 4));
    assert_null(gf_malloc(SIZE_MAX - 4));
    assert_int_equal(global_bytes(), bytes);
}

static void test_free_null(void **state)
{
    uint64_t bytes = global_bytes(), blocks = global_blocks();
    gf_free(NULL);
    assert_int_equal(global_bytes(), bytes);
    assert_int_equal(global_blocks(), blocks);
}

static void test_xlator_account(void **state)
{
    gf_xlator_t xl = {.name = "test"};
    uint64_t bytes = global_bytes();
    gf_this = &xl;
    void *p = gf_malloc(64);
    void *q = gf_calloc(4, 4);
    gf_this = NULL;
    assert_int_equal(xl.mem_acct.bytes, 80);
    assert_int_equal(xl.mem_acct.blocks, 2);
    assert_int_equal(xl.mem_acct.total_allocs, 2);
    assert_int_equal(global_bytes(), bytes);
    gf_free(p); /* freed with no translator current: still credits xl */
    gf_free(q);
    assert_int_equal(xl.mem_acct.bytes, 0);
    assert_int_equal(xl.mem_acct.blocks, 0);
    assert_int_equal(global_bytes(), bytes);
}

static void test_explicit_account(void **state)
{
    gf_mem_acct_t acct = {0};
    void *p = gf_malloc_acct(&acct, 10);
    void *q = gf_calloc_acct(&acct, 3, 10);
    assert_int_equal(acct.bytes, 40);
    assert_int_equal(acct.blocks, 2);
    gf_free(p);
    gf_free(q);
    assert_int_equal(acct.bytes, 0);
    assert_int_equal(acct.blocks, 0);
}

static void test_realloc_keeps_account(void **state)
{
    gf_xlator_t xl = {.name = "test"};
    uint64_t bytes = global_bytes();
    gf_this = &xl;
    char *p = gf_malloc(10);
    gf_this = NULL;
    memcpy(p, "abcdefghi", 10);
    p = gf_realloc(p, 1000);
    assert_non_null(p);
    assert_string_equal(p, "abcdefghi");
    assert_int_equal(xl.mem_acct.bytes, 1000);
    assert_int_equal(xl.mem_acct.blocks, 1);
    p = gf_realloc(p, 5);
    assert_int_equal(xl.mem_acct.bytes, 5);
    assert_int_equal(global_bytes(), bytes);
    gf_free(p);
    assert_int_equal(xl.mem_acct.bytes, 0);
    assert_int_equal(xl.mem_acct.blocks, 0);
}

static void test_realloc_null_allocates(void **state)
{
    uint64_t blocks = global_blocks();
    void *p = gf_realloc(NULL, 32);
    assert_non_null(p);
    assert_int_equal(global_blocks(), blocks + 1);
    gf_free(p);
    assert_int_equal(global_blocks(), blocks);
}

static void test_strdup_strndup(void **state)
{
    gf_xlator_t xl = {.name = "test"};
    gf_this = &xl;
    char *a = gf_strdup("hello");
    char *b = gf_strndup("hello world", 5);
    char *c = gf_strndup("hi", 10);
    gf_this = NULL;
    assert_string_equal(a, "hello");
    assert_string_equal(b, "hello");
    assert_string_equal(c, "hi");
    assert_int_equal(xl.mem_acct.bytes, 6 + 6 + 3);
    gf_free(a);
    gf_free(b);
    gf_free(c);
    assert_int_equal(xl.mem_acct.bytes, 0);
}

static void test_asprintf(void **state)
{
    gf_xlator_t xl = {.name = "test"};
    char *s = NULL;
    gf_this = &xl;
    int n = gf_asprintf(&s, "%s-%d", "brick", 42);
    gf_this = NULL;
    assert_int_equal(n, 8);
    assert_string_equal(s, "brick-42");
    assert_int_equal(xl.mem_acct.bytes, 9);
    assert_int_equal(xl.mem_acct.blocks, 1);
    gf_free(s);
    assert_int_equal(xl.mem_acct.bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malloc_free_global),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_calloc_zeroed_and_overflow),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_xlator_account),
        cmocka_unit_test(test_explicit_account),
        cmocka_unit_test(test_realloc_keeps_account),
        cmocka_unit_test(test_realloc_null_allocates),
        cmocka_unit_test(test_strdup_strndup),
        cmocka_unit_test(test_asprintf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
