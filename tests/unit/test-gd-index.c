/*
 * Unit tests of glusterd's text-keyed index (glusterd/src/index.c): put, get,
 * replace and delete, keys borrowed from the records, and growth past its first
 * table with every key still found.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "index.h"

static void
test_put_get_del(void **state)
{
    gd_index_t *idx = gd_index_new();
    int a = 1, b = 2;

    assert_non_null(idx);
    assert_null(gd_index_get(idx, "/data/b1"));
    assert_int_equal(gd_index_put(idx, "/data/b1", &a), 0);
    assert_int_equal(gd_index_put(idx, "/data/b2", &b), 0);
    assert_ptr_equal(gd_index_get(idx, "/data/b1"), &a);
    assert_ptr_equal(gd_index_get(idx, "/data/b2"), &b);
    assert_int_equal(gd_index_put(idx, "/data/b1", &b), 0);
    assert_ptr_equal(gd_index_get(idx, "/data/b1"), &b);
    gd_index_del(idx, "/data/b1");
    assert_null(gd_index_get(idx, "/data/b1"));
    assert_ptr_equal(gd_index_get(idx, "/data/b2"), &b);
    gd_index_del(idx, "/data/none");
    gd_index_free(idx);
    gd_index_free(NULL);
}

/* Ten thousand keys: the table grows and every key is still found, deleted ones
 * are not. */
static void
test_growth(void **state)
{
    enum { N = 10000 };
    static char keys[N][24];
    static int records[N];
    gd_index_t *idx = gd_index_new();

    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof(keys[i]), "/bricks/b%d", i);
        assert_int_equal(gd_index_put(idx, keys[i], &records[i]), 0);
    }
    for (int i = 0; i < N; i += 2)
        gd_index_del(idx, keys[i]);
    for (int i = 0; i < N; i++) {
        void *r = gd_index_get(idx, keys[i]);
        if (i % 2)
            assert_ptr_equal(r, &records[i]);
        else
            assert_null(r);
    }
    gd_index_free(idx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_del),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
