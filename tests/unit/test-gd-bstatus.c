/*
 * Tests of the pure parts of glusterd's brick-status waits (bstatus.c): how long
 * a wait lasts for a number of bricks, and the summary a user gets when bricks
 * failed or did not report, which must stay short, count first, and be cut only
 * at line ends, however many bricks there are.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bstatus.h"
#include "glusterd.h"
#include "glusterfs/mem.h"

gd_t gd; /* bstatus.c reaches the store through glusterd's singletons */

#define N 1000

static gd_volume_t *vol;
static gd_bstatus_t sts[N];
static int failed[N], silent[N];

static int setup(void **state)
{
    char host[32], path[600];

    vol = gd_vol_new("w");
    assert_non_null(vol);
    for (int i = 0; i < N; i++) {
        snprintf(host, sizeof(host), "127.1.%d.%d", i / 250 + 1, i % 250 + 1);
        /* long paths, so that a naive message would pass any limit */
        snprintf(path, sizeof(path), "/bricks/%0400d/b%d", 0, i);
        assert_int_equal(gd_vol_add_brick(vol, host, path), 0);
    }
    return 0;
}

static int teardown(void **state)
{
    gd_vol_free(vol);
    return 0;
}

static void reset(void)
{
    memset(sts, 0, sizeof(sts));
    memset(failed, 0, sizeof(failed));
    memset(silent, 0, sizeof(silent));
}

/* Number of lines of msg. */
static int lines(const char *msg)
{
    int n = 1;
    for (const char *p = msg; *p; p++)
        n += *p == '\n';
    return n;
}

static void test_wait_ms(void **state)
{
    assert_int_equal(gd_bstatus_wait_ms(0), 60000);
    assert_int_equal(gd_bstatus_wait_ms(3), 60150);
    assert_int_equal(gd_bstatus_wait_ms(100), 65000);
    assert_int_equal(gd_bstatus_wait_ms(1000), 110000);
    assert_int_equal(gd_bstatus_wait_ms(100000), GD_BSTATUS_WAIT_MAX_S * 1000);
    assert_true(GD_BSTATUS_WAIT_MAX_S < 120); /* the CLI's default timeout */
}

/* One failed brick: its reason alone, as the brick gave it. */
static void test_one_failure(void **state)
{
    char *msg;

    reset();
    failed[7] = 1;
    snprintf(sts[7].error, sizeof(sts[7].error), "brick X: cannot open its directory");
    msg = gd_bstatus_summary(vol, sts, failed, silent, N, 110);
    assert_non_null(msg);
    assert_string_equal(msg, "brick X: cannot open its directory");
    gf_free(msg);
}

/* 37 silent bricks: one line, counted, the first named, then how many more. */
static void test_silent(void **state)
{
    char *msg, *first;

    reset();
    for (int i = 100; i < 137; i++)
        silent[i] = 1;
    msg = gd_bstatus_summary(vol, sts, failed, silent, N, 110);
    assert_non_null(msg);
    assert_int_equal(lines(msg), 1);
    assert_non_null(strstr(msg, "37 of 1000 bricks have not reported within 110 s (first: "));
    assert_non_null(strstr(msg, ", and 32 more)"));
    first = strstr(msg, "127.1.1.101:/bricks/");
    assert_non_null(first);
    assert_null(strstr(msg, "127.1.1.106:")); /* the sixth is not named */
    assert_true(strlen(msg) < GD_BSTATUS_MSG_MAX);
    gf_free(msg);

    reset();
    silent[2] = 1;
    msg = gd_bstatus_summary(vol, sts, failed, silent, 3, 60);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "1 of 3 bricks has not reported within 60 s (127.1.1.3:/bricks/"));
    gf_free(msg);
}

/* Every brick failed with a long reason, some silent too: count first, five whole
 * lines, "and N more", the silent line last, within the limit. */
static void test_many_failures(void **state)
{
    char *msg, *line, *save = NULL;
    int n_lines = 0;

    reset();
    for (int i = 0; i < N; i++) {
        failed[i] = i < 990;
        silent[i] = i >= 990;
        memset(sts[i].error, 'e', sizeof(sts[i].error) - 1);
        snprintf(sts[i].error, 32, "brick %d: no space", i);
        sts[i].error[strlen(sts[i].error)] = ' ';
    }
    msg = gd_bstatus_summary(vol, sts, failed, silent, N, 110);
    assert_non_null(msg);
    assert_true(strlen(msg) < GD_BSTATUS_MSG_MAX);
    for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (n_lines == 0)
            assert_string_equal(line, "990 of 1000 bricks failed:");
        else if (n_lines <= 5)
            assert_true(strncmp(line, "brick ", 6) == 0 &&
                        strcmp(line + strlen(line) - 3, "...") == 0);
        else if (n_lines == 6)
            assert_string_equal(line, "and 985 more failed bricks: see `gluster volume "
                                      "status w`");
        else
            assert_true(strncmp(line, "10 of 1000 bricks have not reported", 35) == 0 &&
                        strcmp(line + strlen(line) - 1, ")") == 0);
        n_lines++;
    }
    assert_int_equal(n_lines, 8);
    gf_free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_ms),
        cmocka_unit_test(test_one_failure),
        cmocka_unit_test(test_silent),
        cmocka_unit_test(test_many_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
