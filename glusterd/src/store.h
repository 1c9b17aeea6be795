/*
 * The store: where glusterd keeps its configuration, as small values under
 * '/'-separated keys, one key per object (vol/NAME/info, brick/NAME/N,
 * vol/NAME/opt/KEY), never a whole volume in one value.
 *
 * Every operation completes through a callback, so that a backend may answer later
 * from another context (an etcd backend answers when its HTTP reply arrives); the
 * local backend answers inline, before the call returns. Code above the store must
 * work either way: it never assumes the callback has run when the call returns.
 *
 * Each change is part of a transaction: guards that compare keys' revisions, then
 * puts and deletes applied all or nothing. Every transaction gets a new revision
 * number, greater than any before; each key remembers the revision of its last
 * change (as etcd's mod_revision).
 */
#ifndef GD_STORE_H
#define GD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "glusterfs/event.h"

#define GD_STORE_KEY_MAX 1024

typedef struct gd_store gd_store_t;

/* One key as read. value is NUL-terminated (len excludes the NUL). */
typedef struct gd_kv {
    char *key;
    char *value;
    size_t len;
    uint64_t rev; /* revision of the key's last change */
} gd_kv_t;

/* err: 0, or -ENOENT when the key does not exist, or another -errno. kv is valid
 * only during the call. */
typedef void (*gd_store_get_cb_t)(int err, const gd_kv_t *kv, void *cookie);
/* kvs sorted by key, valid only during the call. err 0 with n 0 when nothing
 * matches. */
typedef void (*gd_store_list_cb_t)(int err, const gd_kv_t *kvs, int n, void *cookie);
/* err: 0 (rev is the transaction's revision), -ECANCELED when a guard did not
 * hold (nothing was changed), -EINVAL for a bad key, or another -errno. */
typedef void (*gd_store_txn_cb_t)(int err, uint64_t rev, void *cookie);

/* GD_TXN_PUT_SESSION: a put whose key lives only as long as the store's session
 * (gd_store_session_open): it is deleted when the session ends. */
typedef enum { GD_TXN_PUT, GD_TXN_DELETE, GD_TXN_PUT_SESSION } gd_txn_op_type_t;

typedef struct gd_txn_op {
    gd_txn_op_type_t type;
    char *key;
    char *value; /* PUT only */
    size_t len;
} gd_txn_op_t;

typedef struct gd_txn_guard {
    char *key;
    uint64_t rev; /* the key's revision must equal this; 0: the key must not exist */
} gd_txn_guard_t;

/* A transaction being built; it owns copies of every key and value. */
typedef struct gd_txn {
    gd_txn_guard_t *guards;
    int n_guards;
    gd_txn_op_t *ops;
    int n_ops;
    int err; /* first allocation failure while building; reported by gd_store_txn */
} gd_txn_t;

/*
 * Watches. A watch reports changes under a prefix, in the order they were made,
 * always later (from the event loop), never inside the call that made them:
 *  - n == 0: the watch is established, first or again when the backend lost
 *    track of changes (etcd compacted the history it would resume from; an
 *    outage alone is not reported: the watch resumes where it stopped): anything
 *    under the prefix may have changed meanwhile, so read it again (a watcher
 *    that reads on every call, and only then, never misses a change);
 *  - n > 0: changes; evs valid only during the call.
 */
typedef struct gd_store_watch gd_store_watch_t;
typedef struct gd_store_event {
    int deleted; /* 1: kv.key was deleted (kv.value is "", kv.rev the deletion's) */
    gd_kv_t kv;
} gd_store_event_t;
typedef void (*gd_store_watch_cb_t)(const gd_store_event_t *evs, int n, void *cookie);

/* The session's state changes: up 1 when a session starts (the first one, or a
 * new one after a loss: keys put under a lost session are gone and must be put
 * again), or when a session that seemed lost turns out alive; up 0 when it is
 * lost (not renewed within its TTL). */
typedef void (*gd_store_session_cb_t)(int up, void *cookie);
/* Leadership of an election: leader 1 when this server leads, 0 when it no
 * longer does (its session was lost; the backend campaigns again in the next). */
typedef void (*gd_store_elect_cb_t)(int leader, void *cookie);

/* What a backend implements. */
typedef struct gd_store_ops {
    const char *name;
    void (*get)(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie);
    void (*list)(gd_store_t *s, const char *prefix, gd_store_list_cb_t cb, void *cookie);
    void (*txn)(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie);
    /* A backend's watch starts with the shared gd_store_watch_t (store-backend.h);
     * watch_cancel detaches it from the backend, and store.c frees it. */
    int (*watch)(gd_store_t *s, const char *prefix, gd_store_watch_cb_t cb, void *cookie,
                 gd_store_watch_t **out);
    void (*watch_cancel)(gd_store_watch_t *w);
    int (*session_open)(gd_store_t *s, int ttl_s, gd_store_session_cb_t cb, void *cookie);
    int (*elect)(gd_store_t *s, const char *name, const char *value, gd_store_elect_cb_t cb,
                 void *cookie);
    void (*strerror)(gd_store_t *s, int err, char *buf, size_t len);
    void (*destroy)(gd_store_t *s);
} gd_store_ops_t;

/* A backend embeds this as its first member. */
struct gd_store {
    const gd_store_ops_t *ops;
};

/* A key is valid when it is 1..GD_STORE_KEY_MAX bytes of printable characters,
 * made of non-empty '/'-separated parts none of which starts with '.'. */
int gd_store_key_valid(const char *key);

void gd_store_get(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie);
/* Every key that starts with prefix (a plain string prefix: "vol/a" also matches
 * "vol/ab/info"; end it with '/' to list one folder). */
void gd_store_list(gd_store_t *s, const char *prefix, gd_store_list_cb_t cb, void *cookie);
/* Runs txn (the caller keeps ownership of it; it may be freed once this returns). */
void gd_store_txn(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie);
/* One-operation transactions without guards. */
void gd_store_put(gd_store_t *s, const char *key, const char *value, gd_store_txn_cb_t cb,
                  void *cookie);
void gd_store_delete(gd_store_t *s, const char *key, gd_store_txn_cb_t cb, void *cookie);
void gd_store_destroy(gd_store_t *s);

/* Watches every key starting with prefix (see gd_store_watch_cb_t) until
 * cancelled; the first call (n 0) comes once the watch is in place. 0 with *out
 * set, or -errno (cb is never called). */
int gd_store_watch(gd_store_t *s, const char *prefix, gd_store_watch_cb_t cb, void *cookie,
                   gd_store_watch_t **out);
/* Ends w and frees it, also from its own callback; its callback is not called
 * again once this returns (it may still be finishing on another thread). */
void gd_store_watch_cancel(gd_store_watch_t *w);

/*
 * Opens the store's one session, which stands for this server being alive: a
 * lease of ttl_s seconds, renewed every ttl_s / 3 by the backend, and granted
 * anew after a loss (an outage longer than the TTL). cb reports each change of
 * state (see gd_store_session_cb_t), the first one once the session is up. Keys
 * put with gd_txn_put_session belong to it. The local backend's session is up at
 * once and never lost (its keys vanish when the store is closed). 0, -EEXIST when
 * a session is already open, or -errno.
 */
int gd_store_session_open(gd_store_t *s, int ttl_s, gd_store_session_cb_t cb, void *cookie);
/*
 * Campaigns in election name (a store key) for as long as the session lives, and
 * again in every new session; value says who the candidate is. cb reports when
 * this server becomes and stops being the leader. Needs an open session. The local
 * backend's single server always wins. 0 or -errno.
 */
int gd_store_elect(gd_store_t *s, const char *name, const char *value, gd_store_elect_cb_t cb,
                   void *cookie);
/* A message for err, a -errno given to one of this store's callbacks, naming
 * what failed where (an etcd backend names the monitor cluster and its members,
 * e.g. "monitor cluster unreachable: tried http://... within 4 s"). */
void gd_store_strerror(gd_store_t *s, int err, char *buf, size_t len);

/* Transaction building. gd_txn_new returns NULL on ENOMEM; the add functions record
 * an allocation failure in txn->err (the transaction then fails with it). */
gd_txn_t *gd_txn_new(void);
void gd_txn_guard(gd_txn_t *txn, const char *key, uint64_t rev);
void gd_txn_put(gd_txn_t *txn, const char *key, const char *value, size_t len);
void gd_txn_put_str(gd_txn_t *txn, const char *key, const char *value);
void gd_txn_delete(gd_txn_t *txn, const char *key);
/* A put of a key that lives as long as the store's session (the transaction fails
 * with -ENOTCONN when no session is up). */
void gd_txn_put_session(gd_txn_t *txn, const char *key, const char *value);
void gd_txn_free(gd_txn_t *txn);

/*
 * The local backend: one file per key under dir (created if missing), each written
 * atomically (temporary file, fsync, rename, fsync of the folder). A transaction is
 * first written whole to dir/.journal, then applied; opening the store replays the
 * journal, so a crash in the middle of a transaction completes it at the next start.
 * Answers get, list and txn inline; watch, session and election callbacks are
 * posted to events (which must outlive the store). Session keys are kept in memory
 * only: they are gone when the store is closed. Returns 0 with *out set, or -errno.
 */
int gd_store_local_open(const char *dir, gf_event_pool_t *events, gd_store_t **out);

#endif
