/*
 * Unit tests of protocol/server's routing table (server-route.c): publishing,
 * lookups by brick name and volfile id, the ATTACHING/READY/DETACHING states
 * and their errors, user counting and draining, the list of bound
 * connections (bind, unbind, sweep, and binds racing an unpublish), and
 * lookups from several threads while routes are published and unpublished.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "server-route.h"

/* Stand-ins for brick translators: routes only keep the pointer. */
static gf_xlator_t brick1 = {.name = "/data/b1"};
static gf_xlator_t brick2 = {.name = "/data/b2"};

static uint64_t blocks_at_start;

static int setup(void **state)
{
    server_routes_t *t;

    blocks_at_start = gf_mem_global_acct.blocks;
    t = server_routes_new();
    assert_non_null(t);
    *state = t;
    return 0;
}

/* Every test unpublishes what it published: the table must be empty and all
 * memory returned. */
static int teardown(void **state)
{
    server_routes_t *t = *state;

    assert_int_equal(server_routes_count(t), 0);
    server_routes_destroy(t);
    assert_int_equal(gf_mem_global_acct.blocks, blocks_at_start);
    return 0;
}

static server_route_t *publish(server_routes_t *t, const char *name, const char *vid,
                               gf_xlator_t *brick)
{
    server_route_spec_t spec = {.name = name, .volfile_id = vid, .brick = brick};
    server_route_t *r = NULL;

    assert_int_equal(server_route_publish(t, &spec, &r), 0);
    assert_non_null(r);
    return r;
}

static void unpublish(server_routes_t *t, server_route_t *r)
{
    assert_int_equal(server_route_unpublish(t, r), 0);
    server_route_unref(r);
}

static int threads_now(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;

    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n - 2; /* "." and ".." */
}

static void test_new_table_starts_no_thread(void **state)
{
    int before = threads_now();
    server_routes_t *t = server_routes_new();

    assert_non_null(t);
    assert_int_equal(threads_now(), before);
    server_routes_destroy(t);
}

static void test_unknown_brick(void **state)
{
    server_route_t *r = NULL;

    assert_int_equal(server_route_lookup(*state, "/nowhere", &r), -ENOENT);
    assert_int_equal(server_route_lookup_volfile_id(*state, "v.h.nowhere", &r), -ENOENT);
    assert_null(server_route_find(*state, "/nowhere"));
    assert_null(r);
}

static void test_attaching_is_eagain(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", NULL, &brick1), *got = NULL;

    assert_int_equal(server_route_state(r), SERVER_ROUTE_ATTACHING);
    assert_int_equal(server_route_lookup(*state, "/data/b1", &got), -EAGAIN);
    assert_null(got);
    assert_int_equal(server_routes_count(*state), 1);
    unpublish(*state, r);
}

static void test_ready_lookup(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", "v1.h.data-b1", &brick1), *got = NULL;

    assert_int_equal(server_route_set_state(r, SERVER_ROUTE_READY), 0);
    assert_int_equal(server_route_lookup(*state, "/data/b1", &got), 0);
    assert_ptr_equal(got, r);
    assert_ptr_equal(got->brick, &brick1);
    assert_string_equal(got->name, "/data/b1");
    server_route_unref(got);
    assert_int_equal(server_route_lookup_volfile_id(*state, "v1.h.data-b1", &got), 0);
    assert_ptr_equal(got, r);
    server_route_unref(got);
    /* names are compared whole */
    assert_int_equal(server_route_lookup(*state, "/data/b", &got), -ENOENT);
    assert_int_equal(server_route_lookup(*state, "/data/b1/", &got), -ENOENT);
    unpublish(*state, r);
}

static void test_two_bricks(void **state)
{
    server_route_t *r1 = publish(*state, "/data/b1", "v.1", &brick1);
    server_route_t *r2 = publish(*state, "/data/b2", "v.2", &brick2), *got;

    server_route_set_state(r1, SERVER_ROUTE_READY);
    server_route_set_state(r2, SERVER_ROUTE_READY);
    assert_int_equal(server_route_lookup(*state, "/data/b2", &got), 0);
    assert_ptr_equal(got->brick, &brick2);
    server_route_unref(got);
    assert_int_equal(server_route_lookup_volfile_id(*state, "v.1", &got), 0);
    assert_ptr_equal(got->brick, &brick1);
    server_route_unref(got);
    assert_int_equal(server_routes_count(*state), 2);
    unpublish(*state, r1);
    assert_int_equal(server_route_lookup(*state, "/data/b2", &got), 0);
    server_route_unref(got);
    unpublish(*state, r2);
}

static void test_publish_refusals(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", "v.1", &brick1), *out = NULL;
    server_route_spec_t same_name = {.name = "/data/b1", .brick = &brick2};
    server_route_spec_t same_vid = {.name = "/data/b2", .volfile_id = "v.1", .brick = &brick2};
    server_route_spec_t no_name = {.brick = &brick2};
    server_route_spec_t empty_name = {.name = "", .brick = &brick2};
    server_route_spec_t no_brick = {.name = "/data/b3"};

    assert_int_equal(server_route_publish(*state, &same_name, &out), -EEXIST);
    assert_null(out);
    assert_int_equal(server_route_publish(*state, &same_vid, NULL), -EEXIST);
    assert_int_equal(server_route_publish(*state, &no_name, NULL), -EINVAL);
    assert_int_equal(server_route_publish(*state, &empty_name, NULL), -EINVAL);
    assert_int_equal(server_route_publish(*state, &no_brick, NULL), -EINVAL);
    assert_int_equal(server_routes_count(*state), 1);
    unpublish(*state, r);
}

static void test_spec_is_copied(void **state)
{
    char name[] = "/data/b1", vid[] = "v.1", volid[] = "0b9ed8a4-bd1c-4d5f-93ac-bfa2f1d2a9c1";
    gf_dict_t *auth = gf_dict_new();
    server_route_spec_t spec = {.name = name,
                                .volfile_id = vid,
                                .volume_id = volid,
                                .brick = &brick1,
                                .auth = auth,
                                .owner = &spec};
    server_route_t *r = NULL;

    assert_int_equal(gf_dict_set_str(auth, "auth.addr./data/b1.allow", "*"), 0);
    assert_int_equal(server_route_publish(*state, &spec, &r), 0);
    name[1] = vid[0] = volid[0] = 'X';
    gf_dict_unref(auth); /* the route keeps its own reference */
    assert_string_equal(r->name, "/data/b1");
    assert_string_equal(r->volfile_id, "v.1");
    assert_string_equal(r->volume_id, "0b9ed8a4-bd1c-4d5f-93ac-bfa2f1d2a9c1");
    assert_true(gf_dict_has(r->auth, "auth.addr./data/b1.allow"));
    assert_ptr_equal(r->owner, &spec);
    unpublish(*state, r);
}

static void test_down_again(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", NULL, &brick1), *got;

    assert_int_equal(server_route_set_state(r, SERVER_ROUTE_READY), 0);
    assert_int_equal(server_route_set_state(r, SERVER_ROUTE_ATTACHING), 0);
    assert_int_equal(server_route_lookup(*state, "/data/b1", &got), -EAGAIN);
    assert_int_equal(server_route_enter(r), -EAGAIN);
    assert_int_equal(server_route_set_state(r, SERVER_ROUTE_DETACHING), -EINVAL);
    unpublish(*state, r);
}

static void test_unpublish(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", "v.1", &brick1), *got;

    server_route_set_state(r, SERVER_ROUTE_READY);
    assert_int_equal(server_route_unpublish(*state, r), 0);
    assert_int_equal(server_route_state(r), SERVER_ROUTE_DETACHING);
    assert_int_equal(server_route_lookup(*state, "/data/b1", &got), -ENOENT);
    assert_int_equal(server_route_lookup_volfile_id(*state, "v.1", &got), -ENOENT);
    assert_int_equal(server_route_unpublish(*state, r), -ENOENT);
    assert_int_equal(server_route_set_state(r, SERVER_ROUTE_READY), -EINVAL);
    assert_int_equal(server_routes_count(*state), 0);
    /* the name is free again */
    got = publish(*state, "/data/b1", "v.1", &brick2);
    unpublish(*state, got);
    server_route_unref(r);
}

static void test_enter_leave(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", NULL, &brick1);

    assert_int_equal(server_route_enter(r), -EAGAIN);
    server_route_set_state(r, SERVER_ROUTE_READY);
    assert_int_equal(server_route_enter(r), 0);
    assert_int_equal(server_route_enter(r), 0);
    assert_int_equal(server_route_users(r), 2);
    server_route_leave(r);
    assert_int_equal(server_route_users(r), 1);
    server_route_leave(r);
    assert_int_equal(server_route_users(r), 0);
    unpublish(*state, r);
}

/* Drained callback: counts calls (atomically: several routes may drain at once). */
static void count_drained(server_route_t *r, void *arg)
{
    __atomic_add_fetch((int *)arg, 1, __ATOMIC_RELEASE);
}

static void test_drain_waits_for_users(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", NULL, &brick1);
    int drained = 0;

    server_route_set_state(r, SERVER_ROUTE_READY);
    assert_int_equal(server_route_enter(r), 0);
    assert_int_equal(server_route_enter(r), 0);
    assert_int_equal(server_route_drain(r, count_drained, &drained), -EINVAL); /* published */
    assert_int_equal(server_route_unpublish(*state, r), 0);
    assert_int_equal(server_route_enter(r), -ENOENT);
    assert_int_equal(server_route_drain(r, count_drained, &drained), 0);
    assert_int_equal(server_route_drain(r, count_drained, &drained), -EALREADY);
    server_route_leave(r);
    assert_int_equal(drained, 0);
    assert_int_equal(server_route_users(r), 1);
    server_route_leave(r);
    assert_int_equal(drained, 1);
    /* nobody can enter a drained route, and the callback never runs again */
    assert_int_equal(server_route_enter(r), -ENOENT);
    assert_int_equal(drained, 1);
    server_route_unref(r);
}

static void test_drain_idle_route(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", NULL, &brick1);
    int drained = 0;

    assert_int_equal(server_route_unpublish(*state, r), 0);
    assert_int_equal(server_route_drain(r, count_drained, &drained), 0);
    assert_int_equal(drained, 1);
    server_route_unref(r);
}

/* ---- bound connections ---- */

/* A stand-in for a connection: its link, and how often a sweep saw it. */
typedef struct {
    server_route_link_t link;
    int seen;
} conn_t;

static void see(server_route_link_t *link, void *arg)
{
    ((conn_t *)((char *)link - offsetof(conn_t, link)))->seen++;
    (*(int *)arg)++;
}

static void test_bind_links_and_counts(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", NULL, &brick1);
    conn_t a = {0}, b = {0}, c = {0};
    int visits = 0;

    assert_int_equal(server_route_bind(r, &a.link), -EAGAIN); /* not READY */
    assert_int_equal(server_route_users(r), 0);
    server_route_set_state(r, SERVER_ROUTE_READY);
    assert_int_equal(server_route_bind(r, &a.link), 0);
    assert_int_equal(server_route_bind(r, &b.link), 0);
    assert_int_equal(server_route_bind(r, &c.link), 0);
    assert_int_equal(server_route_users(r), 3);
    assert_int_equal(server_route_foreach_bound(r, see, &visits), 3);
    assert_int_equal(visits, 3);
    assert_int_equal(a.seen + b.seen + c.seen, 3);
    server_route_unbind(r, &b.link);
    assert_int_equal(server_route_users(r), 2);
    assert_int_equal(server_route_foreach_bound(r, see, &visits), 2);
    assert_int_equal(b.seen, 1);
    assert_int_equal(a.seen, 2);
    assert_int_equal(server_route_foreach_bound(r, NULL, NULL), 2);
    server_route_unbind(r, &a.link);
    server_route_unbind(r, &c.link);
    assert_int_equal(server_route_foreach_bound(r, NULL, NULL), 0);
    assert_int_equal(server_route_users(r), 0);
    unpublish(*state, r);
}

static void test_no_bind_after_unpublish(void **state)
{
    server_route_t *r = publish(*state, "/data/b1", NULL, &brick1);
    conn_t a = {0}, late = {0};
    int drained = 0, visits = 0;

    server_route_set_state(r, SERVER_ROUTE_READY);
    assert_int_equal(server_route_bind(r, &a.link), 0);
    assert_int_equal(server_route_unpublish(*state, r), 0);
    assert_int_equal(server_route_bind(r, &late.link), -ENOENT);
    assert_int_equal(server_route_foreach_bound(r, see, &visits), 1);
    assert_int_equal(a.seen, 1);
    assert_int_equal(server_route_drain(r, count_drained, &drained), 0);
    assert_int_equal(drained, 0); /* the bound connection is a user */
    server_route_unbind(r, &a.link);
    assert_int_equal(drained, 1);
    server_route_unref(r);
}

#define N_BINDERS 4

typedef struct {
    server_route_t *r;
    atomic_bool go;
    conn_t conns[N_BINDERS];
    int results[N_BINDERS];
} bind_race_t;

typedef struct {
    bind_race_t *br;
    int i;
} binder_arg_t;

static void *binder(void *arg)
{
    binder_arg_t *ba = arg;
    bind_race_t *br = ba->br;

    while (!atomic_load(&br->go))
        sched_yield();
    br->results[ba->i] = server_route_bind(br->r, &br->conns[ba->i].link);
    return NULL;
}

/* Binds racing an unpublish: each either fails or is seen by the sweep made
 * after the unpublish; none is lost (the drain then completes once those seen
 * are unbound). */
static void test_binds_racing_unpublish(void **state)
{
    bind_race_t br = {.r = publish(*state, "/data/b1", NULL, &brick1)};
    binder_arg_t args[N_BINDERS];
    pthread_t th[N_BINDERS];
    int drained = 0, visits = 0, ok = 0;

    server_route_set_state(br.r, SERVER_ROUTE_READY);
    for (int i = 0; i < N_BINDERS; i++) {
        args[i] = (binder_arg_t){.br = &br, .i = i};
        assert_int_equal(pthread_create(&th[i], NULL, binder, &args[i]), 0);
    }
    atomic_store(&br.go, true);
    assert_int_equal(server_route_unpublish(*state, br.r), 0);
    server_route_foreach_bound(br.r, see, &visits);
    for (int i = 0; i < N_BINDERS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N_BINDERS; i++) {
        assert_true(br.results[i] == 0 || br.results[i] == -ENOENT);
        assert_int_equal(br.conns[i].seen, br.results[i] == 0 ? 1 : 0);
        ok += br.results[i] == 0;
    }
    assert_int_equal(visits, ok);
    assert_int_equal(server_route_drain(br.r, count_drained, &drained), 0);
    for (int i = 0; i < N_BINDERS; i++)
        if (br.results[i] == 0)
            server_route_unbind(br.r, &br.conns[i].link);
    assert_int_equal(drained, 1);
    server_route_unref(br.r);
}

/* ---- lookups from threads while routes come and go ---- */

#define N_READERS 4
#define N_NAMES   4
#define N_ROUNDS  4

static const char *const names[N_NAMES] = {"/r/0", "/r/1", "/r/2", "/r/3"};

typedef struct {
    server_routes_t *t;
    atomic_bool stop;
    atomic_long found, absent, busy, entered;
    atomic_long wrong; /* a lookup returned a route of another name or state */
} race_t;

static void *reader(void *arg)
{
    race_t *rc = arg;

    for (unsigned i = 0; !atomic_load(&rc->stop); i++) {
        const char *name = names[i % N_NAMES];
        server_route_t *r = NULL;
        int ret = server_route_lookup(rc->t, name, &r);

        if (ret == 0) {
            atomic_fetch_add(&rc->found, 1);
            if (strcmp(r->name, name) != 0 || r->brick != &brick1)
                atomic_fetch_add(&rc->wrong, 1);
            if (server_route_enter(r) == 0) {
                atomic_fetch_add(&rc->entered, 1);
                server_route_leave(r);
            }
            server_route_unref(r);
        } else if (ret == -ENOENT) {
            atomic_fetch_add(&rc->absent, 1);
        } else if (ret == -EAGAIN) {
            atomic_fetch_add(&rc->busy, 1);
        } else {
            atomic_fetch_add(&rc->wrong, 1);
        }
    }
    return NULL;
}

/* One round: publish every name, make them ready and wait (briefly) until the
 * readers have found one, then unpublish and drain them all. */
static void churn(race_t *rc)
{
    server_route_t *r[N_NAMES];
    long found = atomic_load(&rc->found);
    int drained = 0;

    for (int i = 0; i < N_NAMES; i++)
        r[i] = publish(rc->t, names[i], NULL, &brick1);
    for (int i = 0; i < N_NAMES; i++)
        server_route_set_state(r[i], SERVER_ROUTE_READY);
    for (int spin = 0; spin < 100000 && atomic_load(&rc->found) == found; spin++)
        sched_yield();
    for (int i = 0; i < N_NAMES; i++) {
        assert_int_equal(server_route_unpublish(rc->t, r[i]), 0);
        assert_int_equal(server_route_drain(r[i], count_drained, &drained), 0);
    }
    /* readers may still hold a reference (and be entered) for a moment */
    while (__atomic_load_n(&drained, __ATOMIC_ACQUIRE) < N_NAMES)
        sched_yield();
    for (int i = 0; i < N_NAMES; i++)
        server_route_unref(r[i]);
}

static void test_concurrent_lookups(void **state)
{
    race_t rc = {.t = *state};
    pthread_t th[N_READERS];

    for (int i = 0; i < N_READERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader, &rc), 0);
    for (int round = 0; round < N_ROUNDS; round++)
        churn(&rc);
    atomic_store(&rc.stop, true);
    for (int i = 0; i < N_READERS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&rc.wrong), 0);
    assert_true(atomic_load(&rc.found) > 0);
    assert_true(atomic_load(&rc.absent) > 0);
    print_message("lookups: %ld found (%ld entered), %ld not ready, %ld absent\n",
                  atomic_load(&rc.found), atomic_load(&rc.entered), atomic_load(&rc.busy),
                  atomic_load(&rc.absent));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_table_starts_no_thread),
#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        CASE(test_unknown_brick),
        CASE(test_attaching_is_eagain),
        CASE(test_ready_lookup),
        CASE(test_two_bricks),
        CASE(test_publish_refusals),
        CASE(test_spec_is_copied),
        CASE(test_down_again),
        CASE(test_unpublish),
        CASE(test_enter_leave),
        CASE(test_drain_waits_for_users),
        CASE(test_drain_idle_route),
        CASE(test_bind_links_and_counts),
        CASE(test_no_bind_after_unpublish),
        CASE(test_binds_racing_unpublish),
        CASE(test_concurrent_lookups),
#undef CASE
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
