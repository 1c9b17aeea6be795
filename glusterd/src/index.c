/*
 * The text-keyed index (contract in index.h): chained hashing (FNV-1a) over a
 * power-of-two table that doubles when it holds more entries than buckets.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "index.h"

#define MIN_BUCKETS 64

typedef struct node {
    struct node *next;
    const char *key;
    void *record;
} node_t;

struct gd_index {
    node_t **buckets;
    size_t n_buckets; /* a power of two */
    size_t n;
};

static uint32_t
hash(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++)
        h = (h ^ *c) * 16777619u;
    return h;
}

gd_index_t *
gd_index_new(void)
{
    gd_index_t *idx = gf_calloc(1, sizeof(*idx));

    if (idx && !(idx->buckets = gf_calloc(MIN_BUCKETS, sizeof(*idx->buckets)))) {
        gf_free(idx);
        return NULL;
    }
    if (idx)
        idx->n_buckets = MIN_BUCKETS;
    return idx;
}

void
gd_index_free(gd_index_t *idx)
{
    if (!idx)
        return;
    for (size_t i = 0; i < idx->n_buckets; i++) {
        while (idx->buckets[i]) {
            node_t *n = idx->buckets[i];
            idx->buckets[i] = n->next;
            gf_free(n);
        }
    }
    gf_free(idx->buckets);
    gf_free(idx);
}

/* The link that points at key's node (or the end of its chain). */
static node_t **
find(const gd_index_t *idx, const char *key)
{
    node_t **pp = &idx->buckets[hash(key) & (idx->n_buckets - 1)];
    while (*pp && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->next;
    return pp;
}

/* Doubles the table; keeps the old one when memory is short. */
static void
grow(gd_index_t *idx)
{
    size_t n = idx->n_buckets * 2;
    node_t **b = gf_calloc(n, sizeof(*b));

    if (!b)
        return;
    for (size_t i = 0; i < idx->n_buckets; i++) {
        while (idx->buckets[i]) {
            node_t *nd = idx->buckets[i];
            idx->buckets[i] = nd->next;
            nd->next = b[hash(nd->key) & (n - 1)];
            b[hash(nd->key) & (n - 1)] = nd;
        }
    }
    gf_free(idx->buckets);
    idx->buckets = b;
    idx->n_buckets = n;
}

int
gd_index_put(gd_index_t *idx, const char *key, void *record)
{
    node_t **pp = find(idx, key), *n;

    if (*pp) {
        (*pp)->key = key;
        (*pp)->record = record;
        return 0;
    }
    if (!(n = gf_calloc(1, sizeof(*n))))
        return -ENOMEM;
    n->key = key;
    n->record = record;
    *pp = n;
    if (++idx->n > idx->n_buckets)
        grow(idx);
    return 0;
}

void *
gd_index_get(const gd_index_t *idx, const char *key)
{
    node_t *n = *find(idx, key);
    return n ? n->record : NULL;
}

void
gd_index_del(gd_index_t *idx, const char *key)
{
    node_t **pp = find(idx, key), *n = *pp;

    if (!n)
        return;
    *pp = n->next;
    gf_free(n);
    idx->n--;
}
