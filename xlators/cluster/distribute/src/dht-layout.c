/*
 * Directory layouts: which range of name hashes each subvolume holds in a
 * directory, the xattr that stores one subvolume's range on its copy of the
 * directory, and the fresh layout given to a new directory.
 *
 * On disk (xattr trusted.glusterfs.dht, GlusterFS's format): 16 bytes, four
 * big-endian 32-bit words: the commit hash (the volume configuration the
 * directory was last balanced for; 1 means unknown), the hash type (0, or 1 for
 * a layout set by an administrator; both use the same hash), the first hash of
 * the range and its last. A range with start == stop takes no part (GlusterFS
 * writes 0-0 on subvolumes left out of a directory).
 *
 * These functions are pure: no I/O, no locking; the caller owns the layouts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dht.h"
#include "glusterfs/mem.h"

dht_layout_t *dht_layout_new(int n)
{
    dht_layout_t *l = gf_calloc(1, sizeof(*l) + (size_t)n * sizeof(l->r[0]));
    int i;

    if (!l)
        return NULL;
    l->n = n;
    l->type = DHT_HASH_TYPE_DM;
    for (i = 0; i < n; i++)
        l->r[i].err = -1;
    return l;
}

dht_layout_t *dht_layout_dup(const dht_layout_t *l)
{
    size_t size = sizeof(*l) + (size_t)l->n * sizeof(l->r[0]);
    dht_layout_t *copy = gf_malloc(size);

    if (copy)
        memcpy(copy, l, size);
    return copy;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void dht_layout_encode(const dht_range_t *r, uint32_t type, unsigned char out[16])
{
    put_be32(out, r->commit);
    put_be32(out + 4, type);
    put_be32(out + 8, r->start);
    put_be32(out + 12, r->stop);
}

int dht_layout_decode(const void *buf, size_t len, dht_range_t *r, uint32_t *type)
{
    const unsigned char *p = buf;
    dht_range_t got;
    uint32_t t;

    if (!buf || len != DHT_LAYOUT_DISK_SIZE)
        return -EINVAL;
    t = get_be32(p + 4);
    if (t != DHT_HASH_TYPE_DM && t != DHT_HASH_TYPE_DM_USER)
        return -EINVAL;
    got.commit = get_be32(p);
    got.start = get_be32(p + 8);
    got.stop = get_be32(p + 12);
    got.err = 0;
    if (got.start > got.stop)
        return -EINVAL;
    *r = got;
    *type = t;
    return 0;
}

/* Whether entry r takes part in hashing. */
static bool participates(const dht_range_t *r)
{
    return r->err == 0 && r->start != r->stop;
}

static int cmp_start(const void *a, const void *b)
{
    const dht_range_t *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

bool dht_layout_complete(const dht_layout_t *l)
{
    dht_range_t v[l->n > 0 ? l->n : 1];
    uint64_t next = 0;
    int i, m = 0;

    for (i = 0; i < l->n; i++)
        if (participates(&l->r[i]))
            v[m++] = l->r[i];
    qsort(v, (size_t)m, sizeof(v[0]), cmp_start);
    for (i = 0; i < m; i++) {
        if (v[i].start != next)
            return false; /* a hole before it, or an overlap */
        next = (uint64_t)v[i].stop + 1;
    }
    return m > 0 && next == (uint64_t)UINT32_MAX + 1;
}

int dht_layout_search(const dht_layout_t *l, uint32_t hash)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (participates(&l->r[i]) && l->r[i].start <= hash && hash <= l->r[i].stop)
            return i;
    return -1;
}

/* Sorts idx[0..n) by the names of the subvolumes they index (insertion sort:
 * n is small, and qsort has no context argument). */
static void sort_by_name(int *idx, int n, const char *const *names)
{
    int i, j, k;

    for (i = 1; i < n; i++) {
        k = idx[i];
        for (j = i; j > 0 && strcmp(names[idx[j - 1]], names[k]) > 0; j--)
            idx[j] = idx[j - 1];
        idx[j] = k;
    }
}

void dht_layout_fresh(dht_layout_t *l, const char *const *names, const bool *member, uint32_t seed)
{
    int order[l->n > 0 ? l->n : 1];
    int i, k, members = 0, used = 0;
    uint32_t start = 0, chunk;

    for (i = 0; i < l->n; i++) {
        order[i] = i;
        members += member[i];
    }
    if (!members)
        return;
    sort_by_name(order, l->n, names);
    chunk = (uint32_t)((double)UINT32_MAX / (double)members);
    l->type = DHT_HASH_TYPE_DM;
    for (k = 0; k < l->n; k++) {
        dht_range_t *r = &l->r[order[(k + seed % (uint32_t)l->n) % (uint32_t)l->n]];

        if (!member[r - l->r]) {
            r->start = r->stop = 0;
            continue;
        }
        r->err = 0;
        r->commit = DHT_COMMIT_HASH_INVALID;
        r->start = start;
        r->stop = ++used == members ? UINT32_MAX : start + chunk - 1;
        start += chunk;
    }
}
