/*
 * The store: where glusterd keeps its configuration, as small values under
 * '/'-separated keys, one key per object (vol/NAME/info, vol/NAME/brick/N,
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

typedef enum { GD_TXN_PUT, GD_TXN_DELETE } gd_txn_op_type_t;

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

/* What a backend implements. */
typedef struct gd_store_ops {
    const char *name;
    void (*get)(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie);
    void (*list)(gd_store_t *s, const char *prefix, gd_store_list_cb_t cb, void *cookie);
    void (*txn)(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie);
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

/* Transaction building. gd_txn_new returns NULL on ENOMEM; the add functions record
 * an allocation failure in txn->err (the transaction then fails with it). */
gd_txn_t *gd_txn_new(void);
void gd_txn_guard(gd_txn_t *txn, const char *key, uint64_t rev);
void gd_txn_put(gd_txn_t *txn, const char *key, const char *value, size_t len);
void gd_txn_put_str(gd_txn_t *txn, const char *key, const char *value);
void gd_txn_delete(gd_txn_t *txn, const char *key);
void gd_txn_free(gd_txn_t *txn);

/*
 * The local backend: one file per key under dir (created if missing), each written
 * atomically (temporary file, fsync, rename, fsync of the folder). A transaction is
 * first written whole to dir/.journal, then applied; opening the store replays the
 * journal, so a crash in the middle of a transaction completes it at the next start.
 * Answers inline. Returns 0 with *out set, or -errno.
 */
int gd_store_local_open(const char *dir, gd_store_t **out);

#endif
