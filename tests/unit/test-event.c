/*
 * Unit tests of the event loop (event.c) with pipes: readiness runs the
 * callback and re-arms it, a handle deleted from its callback or from another
 * thread never runs again (and del waits for a running callback), gf_event_mod
 * from the callback applies at re-arm, posted tasks run, hang-up is reported,
 * and many descriptors on two threads each get exactly their events.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "glusterfs/event.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "glusterfs/xlator.h"

typedef struct watch {
    int fds[2];
    gf_event_handle_t *h; /* set before any event can fire on fds[0] */
    int starts;           /* atomic: callbacks started */
    int calls;            /* atomic: callbacks finished */
    int in_cb;            /* atomic: callbacks running now */
    int overlaps;         /* atomic: callbacks that found another running */
    int failures;         /* atomic: calls made from the callback that failed */
    uint32_t last_events; /* atomic */
    int sleep_ms;
    bool drain;           /* read what is readable */
    bool del_in_cb;       /* delete the handle from the first callback */
    uint32_t mod_in_cb;   /* if nonzero: gf_event_mod to this from the callback */
} watch_t;

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls *counter until it reaches want or 2 s pass; returns its last value. */
static int wait_count(int *counter, int want)
{
    uint64_t end = gf_time_ms() + 2000;
    int n;
    while ((n = __atomic_load_n(counter, __ATOMIC_ACQUIRE)) < want && gf_time_ms() < end)
        sleep_ms(1);
    return n;
}

static int load(int *v)
{
    return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

/* The callback of every watch. It runs on event threads, where cmocka's
 * asserts must not be used: it counts failures for the test to check. */
static void watch_cb(int fd, uint32_t events, void *data)
{
    watch_t *w = data;
    __atomic_add_fetch(&w->starts, 1, __ATOMIC_RELEASE);
    if (__atomic_add_fetch(&w->in_cb, 1, __ATOMIC_ACQ_REL) > 1)
        __atomic_add_fetch(&w->overlaps, 1, __ATOMIC_RELAXED);
    char buf[64];
    __atomic_store_n(&w->last_events, events, __ATOMIC_RELAXED);
    bool failed = false;
    if (w->drain && (events & GF_EV_IN))
        failed |= read(fd, buf, sizeof(buf)) <= 0;
    if (w->sleep_ms)
        sleep_ms(w->sleep_ms);
    if (w->del_in_cb)
        failed |= gf_event_del(w->h) != 0;
    if (w->mod_in_cb)
        failed |= gf_event_mod(w->h, w->mod_in_cb) != 0;
    if (failed)
        __atomic_add_fetch(&w->failures, 1, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&w->in_cb, 1, __ATOMIC_ACQ_REL);
    __atomic_add_fetch(&w->calls, 1, __ATOMIC_RELEASE);
}

static void watch_open(watch_t *w)
{
    *w = (watch_t){.drain = true};
    assert_int_equal(pipe(w->fds), 0);
}

/* Closes the pipe; the callbacks must have made no failing call. */
static void watch_close(watch_t *w)
{
    assert_int_equal(load(&w->failures), 0);
    close(w->fds[0]);
    close(w->fds[1]);
}

static void poke(watch_t *w)
{
    assert_int_equal(write(w->fds[1], "x", 1), 1);
}

static int setup(void **state)
{
    *state = gf_event_pool_new(2);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    gf_event_pool_destroy(*state);
    return 0;
}

static void test_readable_runs_callback_and_rearms(void **state)
{
    watch_t w;
    watch_open(&w);
    assert_int_equal(gf_event_add(*state, w.fds[0], GF_EV_IN, watch_cb, &w, &w.h), 0);
    poke(&w);
    assert_int_equal(wait_count(&w.calls, 1), 1);
    assert_int_equal(__atomic_load_n(&w.last_events, __ATOMIC_RELAXED), GF_EV_IN);
    poke(&w);
    assert_int_equal(wait_count(&w.calls, 2), 2);
    assert_int_equal(gf_event_del(w.h), 0);
    watch_close(&w);
}

static void test_del_from_callback(void **state)
{
    watch_t w;
    watch_open(&w);
    w.del_in_cb = true;
    assert_int_equal(gf_event_add(*state, w.fds[0], GF_EV_IN, watch_cb, &w, &w.h), 0);
    poke(&w);
    assert_int_equal(wait_count(&w.calls, 1), 1);
    poke(&w);
    sleep_ms(20);
    assert_int_equal(load(&w.calls), 1);
    watch_close(&w);
}

static void test_del_while_readable_never_runs_again(void **state)
{
    watch_t w;
    watch_open(&w);
    w.drain = false; /* stays readable: the callback fires again and again */
    assert_int_equal(gf_event_add(*state, w.fds[0], GF_EV_IN, watch_cb, &w, &w.h), 0);
    poke(&w);
    assert_true(wait_count(&w.calls, 5) >= 5);
    assert_int_equal(gf_event_del(w.h), 0);
    int calls = load(&w.calls);
    assert_int_equal(load(&w.in_cb), 0);
    sleep_ms(20);
    assert_int_equal(load(&w.calls), calls);
    assert_int_equal(load(&w.overlaps), 0);
    watch_close(&w);
}

static void test_del_waits_for_running_callback(void **state)
{
    watch_t w;
    watch_open(&w);
    w.sleep_ms = 50;
    assert_int_equal(gf_event_add(*state, w.fds[0], GF_EV_IN, watch_cb, &w, &w.h), 0);
    poke(&w);
    assert_int_equal(wait_count(&w.starts, 1), 1);
    assert_int_equal(gf_event_del(w.h), 0); /* the callback sleeps 50 ms meanwhile */
    assert_int_equal(load(&w.in_cb), 0);
    assert_int_equal(load(&w.calls), 1);
    watch_close(&w);
}

static void test_mod_from_callback_applies_on_rearm(void **state)
{
    watch_t w;
    watch_open(&w);
    w.mod_in_cb = GF_EV_IN; /* the write end never becomes readable */
    assert_int_equal(gf_event_add(*state, w.fds[1], GF_EV_OUT, watch_cb, &w, &w.h), 0);
    assert_int_equal(wait_count(&w.calls, 1), 1);
    assert_int_equal(__atomic_load_n(&w.last_events, __ATOMIC_RELAXED), GF_EV_OUT);
    sleep_ms(20);
    assert_int_equal(load(&w.calls), 1);
    assert_int_equal(gf_event_del(w.h), 0);
    watch_close(&w);
}

static void test_mod_from_outside_rearms(void **state)
{
    watch_t w;
    watch_open(&w);
    assert_int_equal(gf_event_add(*state, w.fds[1], 0, watch_cb, &w, &w.h), 0);
    sleep_ms(10);
    assert_int_equal(load(&w.calls), 0);
    w.mod_in_cb = GF_EV_IN;
    assert_int_equal(gf_event_mod(w.h, GF_EV_OUT), 0);
    assert_int_equal(wait_count(&w.calls, 1), 1);
    assert_int_equal(gf_event_del(w.h), 0);
    watch_close(&w);
}

static void test_hangup_reports_err(void **state)
{
    watch_t w;
    watch_open(&w);
    w.drain = false;
    w.del_in_cb = true;
    assert_int_equal(gf_event_add(*state, w.fds[0], GF_EV_IN, watch_cb, &w, &w.h), 0);
    close(w.fds[1]);
    assert_int_equal(wait_count(&w.calls, 1), 1);
    assert_true(__atomic_load_n(&w.last_events, __ATOMIC_RELAXED) & GF_EV_ERR);
    assert_int_equal(load(&w.failures), 0);
    close(w.fds[0]);
}

static void count_task(void *data)
{
    __atomic_add_fetch((int *)data, 1, __ATOMIC_RELEASE);
}

static void test_post_runs_tasks(void **state)
{
    int ran = 0;
    for (int i = 0; i < 100; i++)
        assert_int_equal(gf_event_post(*state, count_task, &ran), 0);
    assert_int_equal(wait_count(&ran, 100), 100);
    sleep_ms(10);
    assert_int_equal(load(&ran), 100);
}

static void test_many_fds_two_threads(void **state)
{
    enum { N = 100, ROUNDS = 5 }; /* more than the slot table's first size */
    static watch_t w[N];
    assert_int_equal(gf_event_pool_nthreads(*state), 2);
    for (int i = 0; i < N; i++) {
        watch_open(&w[i]);
        assert_int_equal(gf_event_add(*state, w[i].fds[0], GF_EV_IN, watch_cb, &w[i], &w[i].h),
                         0);
    }
    for (int r = 1; r <= ROUNDS; r++) {
        for (int i = 0; i < N; i++)
            poke(&w[i]);
        for (int i = 0; i < N; i++)
            assert_int_equal(wait_count(&w[i].calls, r), r);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(gf_event_del(w[i].h), 0);
        assert_int_equal(load(&w[i].calls), ROUNDS);
        assert_int_equal(load(&w[i].overlaps), 0);
        watch_close(&w[i]);
    }
}

static void test_handles_charged_to_registering_xlator(void **state)
{
    enum { N = 150 };
    static watch_t w[N];
    gf_xlator_t xl = {.name = "test"};
    gf_this = &xl;
    for (int i = 0; i < N; i++) {
        watch_open(&w[i]);
        assert_int_equal(gf_event_add(*state, w[i].fds[0], GF_EV_IN, watch_cb, &w[i], &w[i].h),
                         0);
    }
    gf_this = NULL;
    assert_int_equal(xl.mem_acct.blocks, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(gf_event_del(w[i].h), 0);
        watch_close(&w[i]);
    }
    assert_int_equal(xl.mem_acct.bytes, 0);
    assert_int_equal(xl.mem_acct.blocks, 0);
}

static void test_add_errors(void **state)
{
    gf_event_handle_t *h;
    watch_t w;
    assert_int_equal(gf_event_add(*state, -1, GF_EV_IN, watch_cb, &w, &h), -EINVAL);
    int fd = dup(0);
    close(fd);
    assert_int_equal(gf_event_add(*state, fd, GF_EV_IN, watch_cb, &w, &h), -EBADF);
}

static void test_destroy_frees_registered_handles(void **state)
{
    uint64_t bytes = gf_mem_global_acct.bytes;
    gf_event_pool_t *pool = gf_event_pool_new(1);
    assert_non_null(pool);
    watch_t w;
    watch_open(&w);
    assert_int_equal(gf_event_add(pool, w.fds[0], GF_EV_IN, watch_cb, &w, &w.h), 0);
    int ran = 0;
    assert_int_equal(gf_event_post(pool, count_task, &ran), 0);
    gf_event_pool_destroy(pool);
    assert_int_equal(ran, 1);
    assert_int_equal(gf_mem_global_acct.bytes, bytes);
    watch_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readable_runs_callback_and_rearms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_del_from_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_del_while_readable_never_runs_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_del_waits_for_running_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mod_from_callback_applies_on_rearm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mod_from_outside_rearms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hangup_reports_err, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_runs_tasks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_fds_two_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handles_charged_to_registering_xlator, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_add_errors, setup, teardown),
        cmocka_unit_test(test_destroy_frees_registered_handles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
