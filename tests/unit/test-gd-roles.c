/*
 * Unit tests of glusterd's role designation (glusterd/src/roles.c): empty
 * cases, a fresh assignment spread evenly, no move when nothing changes, a
 * dead server's roles (and only those) spread over the others, a joining server
 * taking only the excess over the new share, holders that are not live, the
 * same answer whatever the order of the input, and 1000 servers with 5000 roles.
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

#include "roles.h"

enum { MAX_SERVERS = 1000, MAX_ROLES = 5000 };

static char uuids[MAX_SERVERS][GD_ROLE_HOLDER_MAX];

/* Server i's UUID; UUIDs sort as their numbers do. */
static const char *
uuid(int i)
{
    return uuids[i];
}

static int
setup(void **state)
{
    for (int i = 0; i < MAX_SERVERS; i++)
        snprintf(uuids[i], sizeof(uuids[i]), "%08x-0000-4000-8000-%012x", (unsigned)i * 7919u,
                 (unsigned)i);
    return 0;
}

/* Fills list with servers first..first+n-1. */
static void
servers(const char **list, int first, int n)
{
    for (int i = 0; i < n; i++)
        list[i] = uuid(first + i);
}

/* n unassigned roles: a rebalance per volume and a self-heal per replica set. */
static gd_role_t *
make_roles(int n)
{
    gd_role_t *roles = calloc((size_t)n, sizeof(*roles));

    assert_non_null(roles);
    for (int i = 0; i < n; i++) {
        if (i % 3 == 0) {
            snprintf(roles[i].kind, sizeof(roles[i].kind), "rebalance");
            snprintf(roles[i].scope, sizeof(roles[i].scope), "vol%d", i / 3);
        } else {
            snprintf(roles[i].kind, sizeof(roles[i].kind), "self-heal");
            snprintf(roles[i].scope, sizeof(roles[i].scope), "vol%d/set%d", i / 3, i % 3);
        }
    }
    return roles;
}

static gd_role_t *
copy_roles(const gd_role_t *roles, int n)
{
    gd_role_t *c = malloc((size_t)n * sizeof(*c));

    assert_non_null(c);
    memcpy(c, roles, (size_t)n * sizeof(*c));
    return c;
}

/* How many of the roles server u holds. */
static int
held_by(const gd_role_t *roles, int n, const char *u)
{
    int count = 0;

    for (int i = 0; i < n; i++)
        count += strcmp(roles[i].holder, u) == 0;
    return count;
}

/* Asserts every role is held by one of the live servers, and no server holds
 * more than share; *min and *max get the fewest and most roles a server holds. */
static void
check_held(const char **live, int n_live, const gd_role_t *roles, int n, int share, int *min,
           int *max)
{
    int total = 0;

    *min = n + 1;
    *max = -1;
    for (int s = 0; s < n_live; s++) {
        int h = held_by(roles, n, live[s]);
        if (h < *min)
            *min = h;
        if (h > *max)
            *max = h;
        total += h;
    }
    assert_int_equal(total, n);
    assert_true(*max <= share);
}

static void
test_empty(void **state)
{
    const char *live[2] = {uuid(1), uuid(2)};
    gd_role_t *roles = make_roles(3);

    assert_int_equal(gd_roles_assign(live, 2, roles, 0), 0);
    assert_int_equal(gd_roles_assign(NULL, 0, roles, 0), 0);
    assert_int_equal(gd_roles_assign(live, -1, roles, 3), -EINVAL);
    assert_int_equal(gd_roles_assign(live, 2, roles, -1), -EINVAL);
    /* No live server: nothing to hold the roles. */
    assert_int_equal(gd_roles_assign(NULL, 0, roles, 3), 0);
    assert_string_equal(roles[0].holder, "");
    assert_int_equal(gd_roles_assign(live, 2, roles, 3), 3);
    assert_int_equal(gd_roles_assign(NULL, 0, roles, 3), 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(roles[i].holder, "");
    free(roles);
}

/* 30 roles over 7 servers: each holds 4 or 5; a second run moves nothing. */
static void
test_fresh_balanced(void **state)
{
    const char *live[7];
    gd_role_t *roles = make_roles(30), *before;
    int min, max;

    servers(live, 0, 7);
    assert_int_equal(gd_roles_assign(live, 7, roles, 30), 30);
    check_held(live, 7, roles, 30, 5, &min, &max);
    assert_true(max - min <= 1);
    before = copy_roles(roles, 30);
    assert_int_equal(gd_roles_assign(live, 7, roles, 30), 0);
    assert_memory_equal(roles, before, 30 * sizeof(*roles));
    free(before);
    free(roles);
}

/* Ties go to the smallest UUID, whatever the order of the servers. */
static void
test_ties(void **state)
{
    const char *live[3] = {uuid(9), uuid(3), uuid(5)};
    gd_role_t *roles = make_roles(4);

    assert_int_equal(gd_roles_assign(live, 3, roles, 1), 1);
    assert_string_equal(roles[0].holder, uuid(3));
    /* The next roles, in (kind, scope) order, go to the least loaded. */
    assert_int_equal(gd_roles_assign(live, 3, roles, 4), 3);
    assert_int_equal(held_by(roles, 4, uuid(3)), 2);
    assert_int_equal(held_by(roles, 4, uuid(5)), 1);
    assert_int_equal(held_by(roles, 4, uuid(9)), 1);
    free(roles);
}

/* One of 5 servers dies: only its roles move, spread over the other 4. */
static void
test_server_dies(void **state)
{
    enum { N = 23 };
    const char *live[5];
    gd_role_t *roles = make_roles(N), *before;
    int min, max, lost;

    servers(live, 0, 5);
    assert_int_equal(gd_roles_assign(live, 5, roles, N), N);
    before = copy_roles(roles, N);
    lost = held_by(roles, N, uuid(2));
    assert_true(lost >= 4);
    live[2] = live[4];
    assert_int_equal(gd_roles_assign(live, 4, roles, N), lost);
    for (int i = 0; i < N; i++) {
        if (strcmp(before[i].holder, uuid(2)) != 0)
            assert_string_equal(roles[i].holder, before[i].holder);
    }
    check_held(live, 4, roles, N, 6, &min, &max);
    assert_true(max - min <= 1);
    free(before);
    free(roles);
}

/* Each role moved from before to roles went to server u, and each server other
 * than u lost at most its excess over share, and only its last roles in (kind,
 * scope) order. Returns how many moved. */
static int
check_moved_to(const gd_role_t *before, const gd_role_t *roles, int n, const char *u)
{
    int moved = 0;

    for (int i = 0; i < n; i++) {
        if (strcmp(before[i].holder, roles[i].holder) == 0)
            continue;
        assert_string_equal(roles[i].holder, u);
        moved++;
        /* A kept role of the same old holder sorts before the moved one. */
        for (int j = 0; j < n; j++) {
            int kept = strcmp(roles[j].holder, before[i].holder) == 0;
            int later = strcmp(roles[j].kind, roles[i].kind) > 0 ||
                        (strcmp(roles[j].kind, roles[i].kind) == 0 &&
                         strcmp(roles[j].scope, roles[i].scope) > 0);
            assert_false(kept && later);
        }
    }
    return moved;
}

/* A server joins: nothing moves while no one is over the new share; otherwise
 * only the excess moves, to the newcomer. */
static void
test_server_joins(void **state)
{
    const char *live[5];
    gd_role_t *roles = make_roles(20), *before;

    servers(live, 0, 5);
    assert_int_equal(gd_roles_assign(live, 4, roles, 16), 16);
    assert_int_equal(gd_roles_assign(live, 5, roles, 16), 0);
    assert_int_equal(held_by(roles, 16, uuid(4)), 0);
    free(roles);

    roles = make_roles(20);
    assert_int_equal(gd_roles_assign(live, 4, roles, 20), 20);
    before = copy_roles(roles, 20);
    assert_int_equal(gd_roles_assign(live, 5, roles, 20), 4);
    assert_int_equal(check_moved_to(before, roles, 20, uuid(4)), 4);
    for (int s = 0; s < 5; s++)
        assert_int_equal(held_by(roles, 20, uuid(s)), 4);
    free(before);
    free(roles);
}

/* Holders that are not live, unassigned roles, and a live holder over its share
 * all give their roles to the least loaded live servers. */
static void
test_holder_not_live(void **state)
{
    const char *live[2] = {uuid(1), uuid(2)};
    gd_role_t *roles = make_roles(6);
    int min, max;

    snprintf(roles[0].holder, sizeof(roles[0].holder), "%s", uuid(7));
    snprintf(roles[1].holder, sizeof(roles[1].holder), "not-a-uuid");
    for (int i = 2; i < 6; i++)
        snprintf(roles[i].holder, sizeof(roles[i].holder), "%s", uuid(1));
    /* uuid(1) keeps 3 of its 4; roles 0, 1 and one of uuid(1)'s go to uuid(2). */
    assert_int_equal(gd_roles_assign(live, 2, roles, 6), 3);
    check_held(live, 2, roles, 6, 3, &min, &max);
    assert_int_equal(min, 3);
    assert_string_equal(roles[0].holder, uuid(2));
    assert_string_equal(roles[1].holder, uuid(2));
    assert_string_equal(roles[5].holder, uuid(2)); /* uuid(1)'s last by kind, scope */
    free(roles);
}

/* The same servers and roles in another order give the same holders; a server
 * named twice counts once. */
static void
test_determinism(void **state)
{
    enum { N = 40 };
    const char *fwd[6], *rev[7];
    gd_role_t *a = make_roles(N), *b = make_roles(N), *c = make_roles(N);

    servers(fwd, 10, 6);
    for (int i = 0; i < 6; i++)
        rev[i] = fwd[5 - i];
    rev[6] = fwd[3];
    for (int i = 0; i < N; i++)
        snprintf(a[i].holder, sizeof(a[i].holder), "%s", uuid(i % 3 ? 10 + i % 9 : 10));
    memcpy(b, a, N * sizeof(*a));
    for (int i = 0; i < N; i++)
        c[i] = a[N - 1 - i];
    assert_int_equal(gd_roles_assign(fwd, 6, a, N), gd_roles_assign(rev, 7, b, N));
    assert_memory_equal(a, b, N * sizeof(*a));
    gd_roles_assign(rev, 7, c, N);
    for (int i = 0; i < N; i++)
        assert_string_equal(c[i].holder, a[N - 1 - i].holder);
    free(a);
    free(b);
    free(c);
}

/* Whether u is one of the servers test_big removes (37, 137, ..., 937). */
static int
is_dead(const char *u)
{
    for (int d = 0; d < 10; d++) {
        if (strcmp(u, uuid(37 + 100 * d)) == 0)
            return 1;
    }
    return 0;
}

/* 1000 servers, 5000 roles: 5 each; 10 servers die: only their 50 roles move and
 * no server ends with more than ceil(5000 / 990) = 6. */
static void
test_big(void **state)
{
    static const char *live[MAX_SERVERS];
    gd_role_t *roles = make_roles(MAX_ROLES), *before;
    int min, max, n = 0;

    servers(live, 0, MAX_SERVERS);
    assert_int_equal(gd_roles_assign(live, MAX_SERVERS, roles, MAX_ROLES), MAX_ROLES);
    check_held(live, MAX_SERVERS, roles, MAX_ROLES, 5, &min, &max);
    assert_int_equal(min, 5);
    before = copy_roles(roles, MAX_ROLES);
    for (int i = 0; i < MAX_SERVERS; i++) {
        if (i % 100 != 37)
            live[n++] = uuid(i);
    }
    assert_int_equal(n, 990);
    assert_int_equal(gd_roles_assign(live, n, roles, MAX_ROLES), 50);
    for (int i = 0; i < MAX_ROLES; i++) {
        if (!is_dead(before[i].holder))
            assert_string_equal(roles[i].holder, before[i].holder);
    }
    check_held(live, n, roles, MAX_ROLES, 6, &min, &max);
    assert_int_equal(gd_roles_assign(live, n, roles, MAX_ROLES), 0);
    free(before);
    free(roles);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),          cmocka_unit_test(test_fresh_balanced),
        cmocka_unit_test(test_ties),           cmocka_unit_test(test_server_dies),
        cmocka_unit_test(test_server_joins),   cmocka_unit_test(test_holder_not_live),
        cmocka_unit_test(test_determinism),    cmocka_unit_test(test_big),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
