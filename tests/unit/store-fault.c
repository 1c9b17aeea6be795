/*
 * The fault-injecting store of the glusterd unit tests (see store-fault.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-fault.h"

static store_fault_t *of(gd_store_t *s)
{
    return (store_fault_t *)s;
}

static void sf_get(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie)
{
    gd_store_get(of(s)->inner, key, cb, cookie);
}

static void sf_list(gd_store_t *s, const char *prefix, gd_store_list_cb_t cb, void *cookie)
{
    store_fault_t *sf = of(s);
    if (sf->count_prefix && !strcmp(prefix, sf->count_prefix))
        sf->lists++;
    if (sf->failed && sf->fail_reads) {
        cb(-EHOSTUNREACH, NULL, 0, cookie);
        return;
    }
    gd_store_list(sf->inner, prefix, cb, cookie);
}

/* A transaction run by the local store whose answer becomes fail_err. */
typedef struct lost {
    store_fault_t *sf;
    gd_store_txn_cb_t cb;
    void *cookie;
} lost_t;

static void lost_answer(int err, uint64_t rev, void *cookie)
{
    lost_t l = *(lost_t *)cookie;
    free(cookie);
    l.cb(err ? err : l.sf->fail_err, 0, l.cookie);
}

static void raced(int err, uint64_t rev, void *cookie)
{
    if (err)
        fprintf(stderr, "store-fault: the racing put failed: %s\n", strerror(-err));
}

static void sf_txn(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie)
{
    store_fault_t *sf = of(s);
    lost_t *l;

    sf->txns++;
    if (sf->race_key) {
        gd_store_put(sf->inner, sf->race_key, sf->race_value, raced, NULL);
        sf->race_key = NULL;
    }
    if (sf->fail_txns == 0) {
        gd_store_txn(sf->inner, txn, cb, cookie);
        return;
    }
    sf->fail_txns--;
    sf->failed++;
    if (!sf->fail_applied || !(l = malloc(sizeof(*l)))) {
        cb(sf->fail_err, 0, cookie);
        return;
    }
    *l = (lost_t){sf, cb, cookie};
    gd_store_txn(sf->inner, txn, lost_answer, l);
}

static int sf_watch(gd_store_t *s, const char *prefix, gd_store_watch_cb_t cb, void *cookie,
                    gd_store_watch_t **out)
{
    return gd_store_watch(of(s)->inner, prefix, cb, cookie, out);
}

static int sf_session_open(gd_store_t *s, int ttl_s, gd_store_session_cb_t cb, void *cookie)
{
    return gd_store_session_open(of(s)->inner, ttl_s, cb, cookie);
}

static void sf_strerror(gd_store_t *s, int err, char *buf, size_t len)
{
    if (err == -ETIMEDOUT)
        snprintf(buf, len, "member m1 went silent, outcome unknown");
    else if (err == -EHOSTUNREACH)
        snprintf(buf, len, "monitor cluster unreachable");
    else
        gd_store_strerror(of(s)->inner, err, buf, len);
}

static void sf_destroy(gd_store_t *s)
{
    gd_store_destroy(of(s)->inner);
    of(s)->inner = NULL;
}

static const gd_store_ops_t fault_ops = {
    .name = "fault",
    .get = sf_get,
    .list = sf_list,
    .txn = sf_txn,
    .watch = sf_watch,
    .session_open = sf_session_open,
    .strerror = sf_strerror,
    .destroy = sf_destroy,
};

int store_fault_open(store_fault_t *sf, const char *dir, gf_event_pool_t *events)
{
    memset(sf, 0, sizeof(*sf));
    sf->base.ops = &fault_ops;
    return gd_store_local_open(dir, events, &sf->inner);
}
