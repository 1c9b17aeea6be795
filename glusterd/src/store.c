/*
 * The backend-independent half of the store: key rules, transaction building, and
 * the calls that dispatch to a backend's operations.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "store.h"

int
gd_store_key_valid(const char *key)
{
    size_t len = key ? strlen(key) : 0;
    if (len == 0 || len > GD_STORE_KEY_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        int part_start = (i == 0 || key[i - 1] == '/');
        if (!isprint(c))
            return 0;
        if (part_start && (c == '/' || c == '.'))
            return 0;
    }
    return key[len - 1] != '/';
}

void
gd_store_get(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie)
{
    if (!gd_store_key_valid(key)) {
        cb(-EINVAL, NULL, cookie);
        return;
    }
    s->ops->get(s, key, cb, cookie);
}

void
gd_store_list(gd_store_t *s, const char *prefix, gd_store_list_cb_t cb, void *cookie)
{
    s->ops->list(s, prefix, cb, cookie);
}

void
gd_store_txn(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie)
{
    if (txn->err) {
        cb(txn->err, 0, cookie);
        return;
    }
    for (int i = 0; i < txn->n_guards; i++) {
        if (!gd_store_key_valid(txn->guards[i].key)) {
            cb(-EINVAL, 0, cookie);
            return;
        }
    }
    for (int i = 0; i < txn->n_ops; i++) {
        if (!gd_store_key_valid(txn->ops[i].key)) {
            cb(-EINVAL, 0, cookie);
            return;
        }
    }
    s->ops->txn(s, txn, cb, cookie);
}

/* Runs a transaction of one put (value non-NULL) or one delete (value NULL). */
static void
single_op(gd_store_t *s, const char *key, const char *value, gd_store_txn_cb_t cb, void *cookie)
{
    gd_txn_t *txn = gd_txn_new();
    if (!txn) {
        cb(-ENOMEM, 0, cookie);
        return;
    }
    if (value)
        gd_txn_put_str(txn, key, value);
    else
        gd_txn_delete(txn, key);
    gd_store_txn(s, txn, cb, cookie);
    gd_txn_free(txn);
}

void
gd_store_put(gd_store_t *s, const char *key, const char *value, gd_store_txn_cb_t cb,
             void *cookie)
{
    single_op(s, key, value ? value : "", cb, cookie);
}

void
gd_store_delete(gd_store_t *s, const char *key, gd_store_txn_cb_t cb, void *cookie)
{
    single_op(s, key, NULL, cb, cookie);
}

void
gd_store_destroy(gd_store_t *s)
{
    if (s)
        s->ops->destroy(s);
}

gd_txn_t *
gd_txn_new(void)
{
    return gf_calloc(1, sizeof(gd_txn_t));
}

/* Grows *arr (of *n elements of size sz) by one zeroed element; NULL on ENOMEM. */
static void *
grow(void **arr, int *n, size_t sz)
{
    char *p = gf_realloc(*arr, (size_t)(*n + 1) * sz);
    if (!p)
        return NULL;
    memset(p + (size_t)*n * sz, 0, sz);
    *arr = p;
    return p + (size_t)(*n)++ * sz;
}

void
gd_txn_guard(gd_txn_t *txn, const char *key, uint64_t rev)
{
    gd_txn_guard_t *g;
    if (txn->err)
        return;
    g = grow((void **)&txn->guards, &txn->n_guards, sizeof(*g));
    if (!g || !(g->key = gf_strdup(key))) {
        if (g)
            txn->n_guards--;
        txn->err = -ENOMEM;
        return;
    }
    g->rev = rev;
}

/* Appends an operation; value NULL for a delete. */
static void
add_op(gd_txn_t *txn, gd_txn_op_type_t type, const char *key, const char *value, size_t len)
{
    gd_txn_op_t *op;
    if (txn->err)
        return;
    op = grow((void **)&txn->ops, &txn->n_ops, sizeof(*op));
    if (!op) {
        txn->err = -ENOMEM;
        return;
    }
    op->type = type;
    op->key = gf_strdup(key);
    op->len = len;
    if (value) {
        op->value = gf_malloc(len + 1);
        if (op->value) {
            memcpy(op->value, value, len);
            op->value[len] = '\0';
        }
    }
    if (!op->key || (value && !op->value))
        txn->err = -ENOMEM;
}

void
gd_txn_put(gd_txn_t *txn, const char *key, const char *value, size_t len)
{
    add_op(txn, GD_TXN_PUT, key, value, len);
}

void
gd_txn_put_str(gd_txn_t *txn, const char *key, const char *value)
{
    add_op(txn, GD_TXN_PUT, key, value, strlen(value));
}

void
gd_txn_delete(gd_txn_t *txn, const char *key)
{
    add_op(txn, GD_TXN_DELETE, key, NULL, 0);
}

void
gd_txn_free(gd_txn_t *txn)
{
    if (!txn)
        return;
    for (int i = 0; i < txn->n_guards; i++)
        gf_free(txn->guards[i].key);
    for (int i = 0; i < txn->n_ops; i++) {
        gf_free(txn->ops[i].key);
        gf_free(txn->ops[i].value);
    }
    gf_free(txn->guards);
    gf_free(txn->ops);
    gf_free(txn);
}
