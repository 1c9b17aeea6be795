/*
 * Tests of glusterd's membership (members.c) on the local store, seen through a
 * thin wrapper backend that counts full reads of server/ and can make the next
 * registration transactions fail (applied or not, as an etcd whose answer was
 * lost): the address index written at registration (an old address removed, an
 * address taken over from another server), registration tried again until it
 * succeeds, and `peer probe` through the index, with its fallback to reading
 * every server for a store written before the index. Everything members.c does
 * runs on the event thread, as in glusterd: the test posts its steps there and
 * waits for their callbacks.
 */
#include <errno.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterd.h"
#include "members.h"
#include "store-fault.h"

gd_t gd; /* members.c reaches the store and the configuration through it */

#define U1 "11111111-1111-1111-1111-111111111111" /* this server */
#define U2 "22222222-2222-2222-2222-222222222222"
#define U3 "33333333-3333-3333-3333-333333333333"
#define U4 "44444444-4444-4444-4444-444444444444"

static store_fault_t fault, *w = &fault;
static char dir[] = "/tmp/test-gd-members.XXXXXX";
static sem_t called;
static int ready_err;
static int probe_err;
static char probe_msg[1024];
static char probe_info[256];
static char got[1024]; /* get_value's result, or "ENOENT" */

static void
put_done(int err, uint64_t rev, void *cookie)
{
    assert_int_equal(err, 0);
}

/* --- steps on the event thread --- */

static void
run(gf_event_task_t task, void *data)
{
    assert_int_equal(gf_event_post(gf_ctx->events, task, data), 0);
}

static void
wait_called(int seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    assert_int_equal(sem_timedwait(&called, &ts), 0);
}

static void
ready(int err)
{
    ready_err = err;
    sem_post(&called);
}

static void
start_task(void *data)
{
    gd_members_start(10, ready, NULL);
}

/* Starts membership and waits for the first registration (retries included). */
static void
start_members(void)
{
    ready_err = 1;
    run(start_task, NULL);
    wait_called(15);
    assert_int_equal(ready_err, 0);
}

static void
got_value(int err, const gd_kv_t *kv, void *cookie)
{
    snprintf(got, sizeof(got), "%s", err == -ENOENT ? "ENOENT" : err ? "ERROR" : kv->value);
    sem_post(&called);
}

static void
get_task(void *key)
{
    gd_store_get(gd.store, key, got_value, NULL);
}

/* The value of key in the store, or "ENOENT". */
static const char *
get_value(const char *key)
{
    run(get_task, (void *)key);
    wait_called(5);
    return got;
}

/* Puts key=value (directly in the local store, before members start). */
static void
put(const char *key, const char *value)
{
    gd_store_put(w->inner, key, value, put_done, NULL);
}

static void
probed(int err, const char *errstr, gf_dict_t *out, void *cookie)
{
    const char *info = NULL;

    if (out && gf_dict_get_str(out, "info", &info) != 0)
        info = NULL;

    probe_err = err;
    snprintf(probe_msg, sizeof(probe_msg), "%s", errstr ? errstr : "");
    snprintf(probe_info, sizeof(probe_info), "%s", info ? info : "");
    sem_post(&called);
}

static void
probe_task(void *host)
{
    gd_peer_probe(host, probed, NULL);
}

static void
probe(const char *host)
{
    run(probe_task, (void *)host);
    wait_called(10);
}

/* --- fixtures --- */

static int
setup(void **state)
{
    assert_non_null(mkdtemp(dir));
    assert_int_equal(gf_ctx_init("test", 1, 1), 0);
    assert_int_equal(store_fault_open(w, dir, gf_ctx->events), 0);
    w->count_prefix = GD_SERVER_PREFIX;
    gd.store = &w->base;
    return 0;
}

static int
teardown(void **state)
{
    char cmd[64];
    gd_store_destroy(gd.store);
    gd.store = NULL;
    gf_ctx_fini();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    strcpy(dir, "/tmp/test-gd-members.XXXXXX");
    return 0;
}

/* --- tests --- */

/* Registration writes server/UUID and addr/ADDR naming it. */
static void
test_register_writes_index(void **state)
{
    start_members();
    assert_string_equal(get_value("addr/127.1.1.1"), U1);
    assert_string_equal(get_value("server/" U1), "addrs=127.1.1.1\nport=24007\n");
    assert_string_not_equal(get_value("alive/" U1), "ENOENT");
}

/* A server registering with another address removes its old index key, but not
 * one another server has taken since; it takes over an address another server
 * registered before. */
static void
test_register_moves_index(void **state)
{
    put("server/" U1, "addrs=127.1.1.9,127.1.1.8\nport=24007\n");
    put("addr/127.1.1.9", U1);
    put("addr/127.1.1.8", U3);
    put("addr/127.1.1.1", U2);
    start_members();
    assert_string_equal(get_value("addr/127.1.1.9"), "ENOENT");
    assert_string_equal(get_value("addr/127.1.1.8"), U3);
    assert_string_equal(get_value("addr/127.1.1.1"), U1);
    assert_string_equal(get_value("server/" U1), "addrs=127.1.1.1\nport=24007\n");
}

/* Unreachable store: the registration is tried again, and succeeds. */
static void
test_register_retries_unreachable(void **state)
{
    w->fail_txns = 1;
    w->fail_err = -EHOSTUNREACH;
    start_members();
    assert_int_equal(w->txns, 2);
    assert_string_equal(get_value("addr/127.1.1.1"), U1);
    assert_string_not_equal(get_value("alive/" U1), "ENOENT");
}

/* Outcome unknown after being applied: the retry's guards see the first
 * attempt's keys; that is a success, not a failure. */
static void
test_register_retries_unknown_outcome(void **state)
{
    w->fail_txns = 1;
    w->fail_err = -ETIMEDOUT;
    w->fail_applied = 1;
    start_members();
    assert_true(w->txns >= 2);
    assert_string_equal(get_value("addr/127.1.1.1"), U1);
    assert_string_equal(get_value("server/" U1), "addrs=127.1.1.1\nport=24007\n");
}

/* Another server registers this server's address between the registration's
 * reads and its transaction: the guard fails, and the registration reads again
 * and takes the address over. */
static void
test_register_guard_race(void **state)
{
    w->race_key = "addr/127.1.1.1";
    w->race_value = U2;
    start_members();
    assert_int_equal(w->txns, 2);
    assert_string_equal(get_value("addr/127.1.1.1"), U1);
}

/* A probe through the index admits the server without reading all servers; a
 * second says it is already in the pool; this server's own address needs none. */
static void
test_probe_by_index(void **state)
{
    put("server/" U2, "addrs=127.1.1.2\nport=24017\n");
    put("addr/127.1.1.2", U2);
    start_members();
    probe("127.1.1.2");
    assert_int_equal(probe_err, 0);
    assert_string_equal(probe_info, "");
    assert_string_equal(get_value("pool/" U2), "");
    assert_string_equal(get_value("pool/" U1), "");
    probe("127.1.1.2");
    assert_int_equal(probe_err, 0);
    assert_string_equal(probe_info, "Host 127.1.1.2 port 24017 already in peer list");
    probe("127.1.1.1");
    assert_int_equal(probe_err, 0);
    assert_string_equal(probe_info, "Probe on localhost not needed");
    assert_int_equal(w->lists, 0);
}

/* A server registered before the index (no addr/ key) is still found, by one full
 * read; so is the message for a host nobody registered, also when the index has
 * a stale entry for it. */
static void
test_probe_falls_back(void **state)
{
    put("server/" U3, "addrs=127.1.1.3\nport=24027\n");
    put("server/" U4, "addrs=127.1.1.5\nport=24037\n");
    put("addr/127.1.1.4", U4);
    start_members();
    probe("127.1.1.3");
    assert_int_equal(probe_err, 0);
    assert_string_equal(get_value("pool/" U3), "");
    assert_int_equal(w->lists, 1);
    probe("127.1.1.4");
    assert_int_equal(probe_err, -ENOENT);
    assert_non_null(strstr(probe_msg, "127.1.1.4 is not a server of this cluster"));
    assert_string_equal(get_value("pool/" U4), "ENOENT");
    assert_int_equal(w->lists, 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_writes_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_moves_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_retries_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_retries_unknown_outcome, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_register_guard_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe_by_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe_falls_back, setup, teardown),
    };

    gd.conf.bind = "127.1.1.1";
    gd.conf.port = 24007;
    snprintf(gd.conf.uuid, sizeof(gd.conf.uuid), "%s", U1);
    sem_init(&called, 0, 0);
    if (gd_members_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
