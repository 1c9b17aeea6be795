/*
 * Unit tests of glusterd's "is this host me" rules (glusterd/src/addr.c): a
 * glusterd bound to one address owns that address only; one bound to all
 * addresses owns loopback and interface addresses. Uses only literal addresses
 * and "localhost" (resolved from /etc/hosts), never the network.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static void
test_wildcards(void **state)
{
    assert_true(gd_addr_is_any(NULL));
    assert_true(gd_addr_is_any(""));
    assert_true(gd_addr_is_any("0.0.0.0"));
    assert_true(gd_addr_is_any("::"));
    assert_false(gd_addr_is_any("127.0.0.1"));
}

static void
test_bound_to_one_address(void **state)
{
    char err[128];
    assert_int_equal(gd_addr_is_local("127.1.1.3", "127.1.1.3", err, sizeof(err)), 1);
    assert_int_equal(gd_addr_is_local("127.1.1.3", "127.1.1.4", err, sizeof(err)), 0);
    assert_int_equal(gd_addr_is_local("127.1.1.3", "127.0.0.1", err, sizeof(err)), 0);
    assert_int_equal(gd_addr_is_local("127.1.1.3", "localhost", err, sizeof(err)), 0);
}

static void
test_bound_to_all(void **state)
{
    char err[128];
    assert_int_equal(gd_addr_is_local("0.0.0.0", "127.0.0.1", err, sizeof(err)), 1);
    assert_int_equal(gd_addr_is_local("0.0.0.0", "127.1.1.7", err, sizeof(err)), 1);
    assert_int_equal(gd_addr_is_local("0.0.0.0", "localhost", err, sizeof(err)), 1);
    /* TEST-NET-1 (RFC 5737) is never a local interface address */
    assert_int_equal(gd_addr_is_local("0.0.0.0", "192.0.2.1", err, sizeof(err)), 0);
}

static void
test_unresolvable(void **state)
{
    char err[128] = "";
    assert_int_equal(gd_addr_is_local("0.0.0.0", "no host.invalid", err, sizeof(err)),
                     -EHOSTUNREACH);
    assert_non_null(strstr(err, "no host.invalid"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_bound_to_one_address),
        cmocka_unit_test(test_bound_to_all),
        cmocka_unit_test(test_unresolvable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
