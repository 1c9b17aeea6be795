/*
 * Unit tests of glusterd's multiplexing policy (glusterd/src/mux.c): the
 * cluster-wide options (defaults, the values refused and the words of the refusal,
 * applying a value) and the choice of the process a brick joins (signature,
 * room under the limit, processes that take no brick, multiplexing off).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mux.h"

static char err[512];

static void
expect_refused(const char *key, const char *value, int want, const char *phrase)
{
    err[0] = '\0';
    assert_int_equal(gd_mux_validate(key, value, err, sizeof(err)), want);
    if (!strstr(err, phrase))
        fail_msg("refusal of %s=%s says \"%s\", without \"%s\"", key, value, err, phrase);
}

static void
test_defaults(void **state)
{
    gd_mux_conf_t c = {.enabled = false, .max_bricks = 7};
    gd_mux_defaults(&c);
    assert_true(c.enabled);
    assert_int_equal(c.max_bricks, 0);
}

static void
test_accepted_values(void **state)
{
    assert_int_equal(gd_mux_validate(GD_MUX_KEY, "on", err, sizeof(err)), 0);
    assert_int_equal(gd_mux_validate(GD_MUX_KEY, "off", err, sizeof(err)), 0);
    assert_int_equal(gd_mux_validate(GD_MUX_KEY, "disable", err, sizeof(err)), 0);
    assert_int_equal(gd_mux_validate(GD_MUX_LIMIT_KEY, "0", err, sizeof(err)), 0);
    assert_int_equal(gd_mux_validate(GD_MUX_LIMIT_KEY, "2", err, sizeof(err)), 0);
    assert_int_equal(gd_mux_validate(GD_MUX_LIMIT_KEY, "250", err, sizeof(err)), 0);
}

static void
test_refused_values(void **state)
{
    expect_refused(GD_MUX_LIMIT_KEY, "1", -EINVAL, "multiplexing off");
    expect_refused(GD_MUX_LIMIT_KEY, "01", -EINVAL, "process of its own");
    expect_refused(GD_MUX_LIMIT_KEY, "-1", -EINVAL, "out of range");
    expect_refused(GD_MUX_LIMIT_KEY, "-5", -EINVAL, "0 means no limit");
    expect_refused(GD_MUX_LIMIT_KEY, "three", -EINVAL, "not a valid integer");
    expect_refused(GD_MUX_LIMIT_KEY, "3x", -EINVAL, "not a valid integer");
    expect_refused(GD_MUX_LIMIT_KEY, "", -EINVAL, "not a valid integer");
    expect_refused(GD_MUX_KEY, "maybe", -EINVAL, "not a boolean");
    expect_refused("auth.allow", "*", -ENOENT, "not a cluster-wide option");
}

static void
test_apply(void **state)
{
    gd_mux_conf_t c;
    gd_mux_defaults(&c);
    gd_mux_apply(&c, GD_MUX_LIMIT_KEY, "3");
    assert_int_equal(c.max_bricks, 3);
    assert_true(c.enabled);
    gd_mux_apply(&c, GD_MUX_KEY, "off");
    assert_false(c.enabled);
    assert_int_equal(c.max_bricks, 3);
    gd_mux_apply(&c, GD_MUX_LIMIT_KEY, NULL);
    assert_int_equal(c.max_bricks, 0);
    assert_false(c.enabled);
    gd_mux_apply(&c, GD_MUX_KEY, NULL);
    assert_true(c.enabled);
}

static void
test_pick_signature(void **state)
{
    gd_mux_conf_t c = {.enabled = true, .max_bricks = 0};
    gd_mux_proc_t p[] = {{"tls=on\n", 5, true}, {"tls=off\n", 9, true}};
    assert_int_equal(gd_mux_pick(p, 2, "tls=off\n", &c), 1);
    assert_int_equal(gd_mux_pick(p, 2, "tls=on\n", &c), 0);
    assert_int_equal(gd_mux_pick(p, 2, "tls=on\ncipher=X\n", &c), -1);
    assert_int_equal(gd_mux_pick(p, 0, "tls=on\n", &c), -1);
}

static void
test_pick_limit(void **state)
{
    gd_mux_conf_t c = {.enabled = true, .max_bricks = 3};
    gd_mux_proc_t p[] = {{"s", 3, true}, {"s", 2, true}, {"s", 0, true}};
    assert_int_equal(gd_mux_pick(p, 3, "s", &c), 1);
    p[1].n_bricks = 3;
    assert_int_equal(gd_mux_pick(p, 3, "s", &c), 2);
    p[2].n_bricks = 3;
    assert_int_equal(gd_mux_pick(p, 3, "s", &c), -1);
    c.max_bricks = 0;
    assert_int_equal(gd_mux_pick(p, 3, "s", &c), 0);
}

static void
test_pick_closed_or_off(void **state)
{
    gd_mux_conf_t c = {.enabled = true, .max_bricks = 0};
    gd_mux_proc_t p[] = {{"s", 1, false}, {"s", 4, true}};
    assert_int_equal(gd_mux_pick(p, 2, "s", &c), 1);
    p[1].open = false;
    assert_int_equal(gd_mux_pick(p, 2, "s", &c), -1);
    p[1].open = true;
    c.enabled = false;
    assert_int_equal(gd_mux_pick(p, 2, "s", &c), -1);
}

/* Six bricks of one signature under a limit of 3 fill two processes, first fit. */
static void
test_pick_fills_in_order(void **state)
{
    gd_mux_conf_t c = {.enabled = true, .max_bricks = 3};
    gd_mux_proc_t p[6];
    int n = 0;

    for (int brick = 0; brick < 6; brick++) {
        int i = gd_mux_pick(p, n, "s", &c);
        if (i < 0) {
            p[n] = (gd_mux_proc_t){"s", 0, true};
            i = n++;
        }
        p[i].n_bricks++;
    }
    assert_int_equal(n, 2);
    assert_int_equal(p[0].n_bricks, 3);
    assert_int_equal(p[1].n_bricks, 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_accepted_values),
        cmocka_unit_test(test_refused_values),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_pick_signature),
        cmocka_unit_test(test_pick_limit),
        cmocka_unit_test(test_pick_closed_or_off),
        cmocka_unit_test(test_pick_fills_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
