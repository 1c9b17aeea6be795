/*
 * The inode table (see glusterfs/inode.h for the life of an inode).
 *
 * Layout: every live inode is on exactly one of two lists, `active` (referenced,
 * pinned by lookups, or the root) and `lru` (unreferenced, linked, cached, oldest
 * at the head). Linked inodes are also in a gfid hash; dentries are in a hash on
 * (parent pointer, name) and on a singly linked list of their inode. Both hashes
 * double when their load passes one entry per bucket.
 *
 * Every operation works under the table mutex and collects the inodes it kills
 * on a `reap` list; they are finished (forget callbacks, free) after the mutex
 * is released, so a translator's forget may use the table again.
 *
 * Invariants that keep the name graph a tree: a parent is always a linked
 * directory, a directory has at most one name, and a name that would make a
 * directory its own ancestor is not added. Walking up from any directory
 * therefore ends at the root or at a directory whose name is unknown.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "glusterfs/inode.h"
#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"

#define HASH_INITIAL_SIZE 64 /* buckets; a power of two */
#define CTX_INITIAL_SLOTS 4

typedef struct gf_dentry {
    struct gf_dentry *hnext; /* dentry hash chain */
    struct gf_dentry *inext; /* next name of the same inode */
    gf_inode_t *inode;
    gf_inode_t *parent; /* holds a reference */
    char name[];
} dentry_t;

typedef struct {
    gf_inode_t *head, *tail;
    size_t count;
} ilist_t;

/* Inodes to finish once the table mutex is released, chained through `next`. */
typedef struct {
    gf_inode_t *head;
} reap_t;

struct gf_inode_table {
    pthread_mutex_t lock;
    gf_xlator_t *xl;
    size_t lru_limit;
    gf_inode_t *root;
    gf_inode_t **ihash;
    size_t ihash_size, nhashed;
    dentry_t **dhash;
    size_t dhash_size, ndentries;
    ilist_t active, lru;
};

static const uuid_t root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* Allocations are charged to the table's translator when it has one. */
static void *acct_calloc(gf_xlator_t *xl, size_t n, size_t size)
{
    return xl ? gf_calloc_acct(&xl->mem_acct, n, size) : gf_calloc(n, size);
}

static gf_mem_acct_t *table_acct(gf_inode_table_t *t)
{
    return t->xl ? &t->xl->mem_acct : NULL;
}

static void ilist_add(ilist_t *l, gf_inode_t *inode)
{
    inode->prev = l->tail;
    inode->next = NULL;
    if (l->tail)
        l->tail->next = inode;
    else
        l->head = inode;
    l->tail = inode;
    l->count++;
}

static void ilist_del(ilist_t *l, gf_inode_t *inode)
{
    if (inode->prev)
        inode->prev->next = inode->next;
    else
        l->head = inode->next;
    if (inode->next)
        inode->next->prev = inode->prev;
    else
        l->tail = inode->prev;
    inode->prev = inode->next = NULL;
    l->count--;
}

static void reap_add(reap_t *reap, gf_inode_t *inode)
{
    inode->next = reap->head;
    reap->head = inode;
}

/* ---- hashes ---- */

static size_t gfid_bucket(const uuid_t gfid, size_t size)
{
    uint64_t a, b;
    memcpy(&a, gfid, 8);
    memcpy(&b, gfid + 8, 8);
    uint64_t h = (a ^ b) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 32)) & (size - 1);
}

static size_t name_bucket(const gf_inode_t *parent, const char *name, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(uintptr_t)parent;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return (size_t)(h ^ (h >> 32)) & (size - 1);
}

/* Doubles the gfid hash; on ENOMEM keeps the old one (longer chains, still correct). */
static void ihash_grow(gf_inode_table_t *t)
{
    size_t size = t->ihash_size * 2;
    gf_inode_t **buckets = acct_calloc(t->xl, size, sizeof(*buckets));
    if (!buckets)
        return;
    for (size_t i = 0; i < t->ihash_size; i++) {
        gf_inode_t *inode = t->ihash[i], *next;
        for (; inode; inode = next) {
            next = inode->hnext;
            size_t k = gfid_bucket(inode->gfid, size);
            inode->hnext = buckets[k];
            buckets[k] = inode;
        }
    }
    gf_free(t->ihash);
    t->ihash = buckets;
    t->ihash_size = size;
}

static void ihash_insert(gf_inode_table_t *t, gf_inode_t *inode)
{
    if (t->nhashed >= t->ihash_size)
        ihash_grow(t);
    size_t k = gfid_bucket(inode->gfid, t->ihash_size);
    inode->hnext = t->ihash[k];
    t->ihash[k] = inode;
    inode->hashed = true;
    t->nhashed++;
}

static void ihash_remove(gf_inode_table_t *t, gf_inode_t *inode)
{
    gf_inode_t **pp = &t->ihash[gfid_bucket(inode->gfid, t->ihash_size)];
    while (*pp != inode)
        pp = &(*pp)->hnext;
    *pp = inode->hnext;
    inode->hnext = NULL;
    inode->hashed = false;
    t->nhashed--;
}

static gf_inode_t *ihash_find(gf_inode_table_t *t, const uuid_t gfid)
{
    gf_inode_t *inode = t->ihash[gfid_bucket(gfid, t->ihash_size)];
    while (inode && uuid_compare(inode->gfid, gfid) != 0)
        inode = inode->hnext;
    return inode;
}

/* Doubles the dentry hash; on ENOMEM keeps the old one. */
static void dhash_grow(gf_inode_table_t *t)
{
    size_t size = t->dhash_size * 2;
    dentry_t **buckets = acct_calloc(t->xl, size, sizeof(*buckets));
    if (!buckets)
        return;
    for (size_t i = 0; i < t->dhash_size; i++) {
        dentry_t *d = t->dhash[i], *next;
        for (; d; d = next) {
            next = d->hnext;
            size_t k = name_bucket(d->parent, d->name, size);
            d->hnext = buckets[k];
            buckets[k] = d;
        }
    }
    gf_free(t->dhash);
    t->dhash = buckets;
    t->dhash_size = size;
}

static dentry_t *dhash_find(gf_inode_table_t *t, const gf_inode_t *parent, const char *name)
{
    dentry_t *d = t->dhash[name_bucket(parent, name, t->dhash_size)];
    while (d && (d->parent != parent || strcmp(d->name, name) != 0))
        d = d->hnext;
    return d;
}

/* ---- reference counting and the LRU ---- */

/* Takes a reference, or a lookup count, off an inode that may be on the LRU. */
static void activate_locked(gf_inode_table_t *t, gf_inode_t *inode)
{
    if (!inode->in_lru)
        return;
    ilist_del(&t->lru, inode);
    inode->in_lru = false;
    ilist_add(&t->active, inode);
}

static void ref_locked(gf_inode_table_t *t, gf_inode_t *inode)
{
    activate_locked(t, inode);
    inode->ref++;
}

/* Called after ref or nlookup dropped: an inode free of both goes to the LRU
 * when linked, else to the reap list. */
static void settle_locked(gf_inode_table_t *t, gf_inode_t *inode, reap_t *reap)
{
    if (inode->ref || inode->nlookup)
        return;
    ilist_del(&t->active, inode);
    if (inode->hashed) {
        inode->in_lru = true;
        ilist_add(&t->lru, inode);
    } else {
        reap_add(reap, inode);
    }
}

static void unref_locked(gf_inode_table_t *t, gf_inode_t *inode, reap_t *reap)
{
    assert(inode->ref > 0);
    inode->ref--;
    settle_locked(t, inode, reap);
}

/* ---- dentries ---- */

static void dentry_remove(gf_inode_table_t *t, dentry_t *d, reap_t *reap)
{
    dentry_t **pp = &t->dhash[name_bucket(d->parent, d->name, t->dhash_size)];
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    for (pp = &d->inode->dentries; *pp != d; pp = &(*pp)->inext)
        ;
    *pp = d->inext;
    t->ndentries--;
    unref_locked(t, d->parent, reap);
    gf_free(d);
}

/* True when dir is parent or one of its known ancestors. */
static bool is_ancestor(const gf_inode_t *dir, const gf_inode_t *parent)
{
    for (const gf_inode_t *p = parent; p; p = p->dentries ? p->dentries->parent : NULL)
        if (p == dir)
            return true;
    return false;
}

static bool name_is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/*
 * Names inode `name` in parent (a linked directory), replacing the inode that
 * name pointed at and, for a directory, its previous name. Dot names, names for
 * the root and names that would make a loop are skipped. 0 or -ENOMEM.
 */
static int dentry_add(gf_inode_table_t *t, gf_inode_t *inode, gf_inode_t *parent,
                      const char *name, reap_t *reap)
{
    bool is_dir = inode->ia_type == S_IFDIR;
    if (inode == t->root || name_is_dot(name) || (is_dir && is_ancestor(inode, parent)))
        return 0;
    dentry_t *d = dhash_find(t, parent, name);
    if (d && d->inode == inode)
        return 0;
    size_t len = strlen(name);
    dentry_t *nd = acct_calloc(t->xl, 1, sizeof(*nd) + len + 1);
    if (!nd)
        return -ENOMEM;
    if (d)
        dentry_remove(t, d, reap);
    while (is_dir && inode->dentries)
        dentry_remove(t, inode->dentries, reap);
    if (t->ndentries >= t->dhash_size)
        dhash_grow(t);
    memcpy(nd->name, name, len + 1);
    nd->inode = inode;
    nd->parent = parent;
    ref_locked(t, parent);
    size_t k = name_bucket(parent, name, t->dhash_size);
    nd->hnext = t->dhash[k];
    t->dhash[k] = nd;
    nd->inext = inode->dentries;
    inode->dentries = nd;
    t->ndentries++;
    return 0;
}

/* Evicts the least recently used inodes until the LRU fits its limit. Evicting
 * an inode drops its names, which may put parents on the LRU: the loop goes on. */
static void prune_locked(gf_inode_table_t *t, reap_t *reap)
{
    while (t->lru_limit && t->lru.count > t->lru_limit) {
        gf_inode_t *victim = t->lru.head;
        ilist_del(&t->lru, victim);
        victim->in_lru = false;
        while (victim->dentries)
            dentry_remove(t, victim->dentries, reap);
        ihash_remove(t, victim);
        reap_add(reap, victim);
    }
}

/* Calls fn(xl, obj) with gf_this = xl for every translator holding a ctx slot.
 * Slots are re-read each round: the callback may delete its own value. */
static void call_forget(gf_inode_t *inode)
{
    for (uint32_t i = 0; i < inode->ctx.n; i++) {
        gf_xlator_t *xl = inode->ctx.v[i].xl;
        if (!xl || !xl->desc || !xl->desc->forget)
            continue;
        gf_xlator_t *saved = gf_this;
        gf_this = xl;
        xl->desc->forget(xl, inode);
        gf_this = saved;
    }
}

/* Finishes the reaped inodes; the table mutex must not be held. */
static void reap_run(reap_t *reap)
{
    while (reap->head) {
        gf_inode_t *inode = reap->head;
        reap->head = inode->next;
        call_forget(inode);
        gf_ctx_slots_free(&inode->ctx);
        gf_free(inode);
    }
}

/* Ends an operation begun with pthread_mutex_lock(&t->lock). */
static void unlock_and_reap(gf_inode_table_t *t, reap_t *reap)
{
    prune_locked(t, reap);
    pthread_mutex_unlock(&t->lock);
    reap_run(reap);
}

/* ---- the table ---- */

static gf_inode_t *inode_alloc(gf_inode_table_t *t)
{
    gf_inode_t *inode = acct_calloc(t->xl, 1, sizeof(*inode));
    if (inode) {
        inode->table = t;
        inode->ref = 1;
    }
    return inode;
}

static void table_free(gf_inode_table_t *t)
{
    gf_free(t->root);
    gf_free(t->ihash);
    gf_free(t->dhash);
    pthread_mutex_destroy(&t->lock);
    gf_free(t);
}

gf_inode_table_t *gf_inode_table_new(size_t lru_limit, gf_xlator_t *xl)
{
    gf_inode_table_t *t = acct_calloc(xl, 1, sizeof(*t));
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    t->xl = xl;
    t->lru_limit = lru_limit;
    t->ihash_size = t->dhash_size = HASH_INITIAL_SIZE;
    t->ihash = acct_calloc(xl, t->ihash_size, sizeof(*t->ihash));
    t->dhash = acct_calloc(xl, t->dhash_size, sizeof(*t->dhash));
    t->root = inode_alloc(t);
    if (!t->ihash || !t->dhash || !t->root) {
        table_free(t);
        return NULL;
    }
    uuid_copy(t->root->gfid, root_gfid);
    t->root->ia_type = S_IFDIR;
    t->root->mode = S_IFDIR | 0755;
    ihash_insert(t, t->root);
    ilist_add(&t->active, t->root); /* the table's reference keeps it there */
    return t;
}

static void reap_list(ilist_t *l, reap_t *reap)
{
    while (l->head) {
        gf_inode_t *inode = l->head;
        ilist_del(l, inode);
        reap_add(reap, inode);
    }
}

void gf_inode_table_destroy(gf_inode_table_t *t)
{
    if (!t)
        return;
    reap_t reap = {NULL};
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->dhash_size; i++) {
        while (t->dhash[i]) {
            dentry_t *d = t->dhash[i];
            t->dhash[i] = d->hnext;
            gf_free(d);
        }
    }
    reap_list(&t->active, &reap);
    reap_list(&t->lru, &reap);
    for (gf_inode_t *inode = reap.head; inode; inode = inode->next) {
        inode->dentries = NULL;
        inode->hashed = false;
        inode->in_lru = false;
    }
    pthread_mutex_unlock(&t->lock);
    reap_run(&reap);
    t->root = NULL; /* freed with the others */
    table_free(t);
}

gf_inode_t *gf_inode_table_root(gf_inode_table_t *t)
{
    return gf_inode_ref(t->root);
}

gf_xlator_t *gf_inode_table_xlator(const gf_inode_table_t *t)
{
    return t->xl;
}

size_t gf_inode_table_count(gf_inode_table_t *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->active.count + t->lru.count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

size_t gf_inode_table_lru_count(gf_inode_table_t *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->lru.count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* ---- inodes ---- */

gf_inode_t *gf_inode_new(gf_inode_table_t *t)
{
    gf_inode_t *inode = inode_alloc(t);
    if (!inode)
        return NULL;
    pthread_mutex_lock(&t->lock);
    ilist_add(&t->active, inode);
    pthread_mutex_unlock(&t->lock);
    return inode;
}

static bool name_valid(const char *name)
{
    return name[0] != '\0' && !strchr(name, '/');
}

/* A directory of table t that names can be added to. */
static bool parent_valid(const gf_inode_table_t *t, const gf_inode_t *parent)
{
    return parent && parent->table == t && parent->hashed && parent->ia_type == S_IFDIR;
}

/* gf_inode_link() with the mutex held. */
static gf_inode_t *link_locked(gf_inode_table_t *t, gf_inode_t *inode, gf_inode_t *parent,
                               const char *name, const gf_iatt_t *ia, reap_t *reap)
{
    if (inode->hashed && uuid_compare(inode->gfid, ia->ia_gfid) != 0)
        return NULL;
    if (parent && !parent_valid(t, parent))
        return NULL;
    gf_inode_t *target = ihash_find(t, ia->ia_gfid);
    if (!target) {
        /* The type is fixed here, once: a directory never had a second name. */
        target = inode;
        uuid_copy(target->gfid, ia->ia_gfid);
        target->ia_type = ia->ia_mode & S_IFMT;
        ihash_insert(t, target);
    }
    target->mode = ia->ia_mode;
    ref_locked(t, target);
    if (parent && dentry_add(t, target, parent, name, reap) < 0) {
        unref_locked(t, target, reap);
        return NULL;
    }
    return target;
}

gf_inode_t *gf_inode_link(gf_inode_t *inode, gf_inode_t *parent, const char *name,
                          const gf_iatt_t *ia)
{
    if (!inode || !ia || uuid_is_null(ia->ia_gfid) || !parent != !name)
        return NULL;
    if (name && !name_valid(name))
        return NULL;
    gf_inode_table_t *t = inode->table;
    reap_t reap = {NULL};
    pthread_mutex_lock(&t->lock);
    gf_inode_t *linked = link_locked(t, inode, parent, name, ia, &reap);
    unlock_and_reap(t, &reap);
    return linked;
}

int gf_inode_unlink(gf_inode_t *inode, gf_inode_t *parent, const char *name)
{
    if (!parent || !name)
        return -ENOENT;
    gf_inode_table_t *t = parent->table;
    reap_t reap = {NULL};
    int rc = -ENOENT;
    pthread_mutex_lock(&t->lock);
    dentry_t *d = dhash_find(t, parent, name);
    if (d && (!inode || d->inode == inode)) {
        dentry_remove(t, d, &reap);
        rc = 0;
    }
    unlock_and_reap(t, &reap);
    return rc;
}

int gf_inode_rename(gf_inode_table_t *t, gf_inode_t *oldparent, const char *oldname,
                    gf_inode_t *newparent, const char *newname, gf_inode_t *inode)
{
    if (!inode || inode->table != t || !newname || !name_valid(newname))
        return -EINVAL;
    reap_t reap = {NULL};
    int rc = -EINVAL;
    pthread_mutex_lock(&t->lock);
    if (inode->hashed && parent_valid(t, newparent)) {
        dentry_t *old = oldparent && oldname ? dhash_find(t, oldparent, oldname) : NULL;
        if (old && old->inode == inode)
            dentry_remove(t, old, &reap);
        rc = dentry_add(t, inode, newparent, newname, &reap);
    }
    unlock_and_reap(t, &reap);
    return rc;
}

gf_inode_t *gf_inode_find(gf_inode_table_t *t, const uuid_t gfid)
{
    if (!t || !gfid || uuid_is_null(gfid))
        return NULL;
    pthread_mutex_lock(&t->lock);
    gf_inode_t *inode = ihash_find(t, gfid);
    if (inode)
        ref_locked(t, inode);
    pthread_mutex_unlock(&t->lock);
    return inode;
}

gf_inode_t *gf_inode_grep(gf_inode_table_t *t, gf_inode_t *parent, const char *name)
{
    if (!t || !parent || !name)
        return NULL;
    pthread_mutex_lock(&t->lock);
    dentry_t *d = dhash_find(t, parent, name);
    gf_inode_t *inode = d ? d->inode : NULL;
    if (inode)
        ref_locked(t, inode);
    pthread_mutex_unlock(&t->lock);
    return inode;
}

gf_inode_t *gf_inode_ref(gf_inode_t *inode)
{
    if (!inode)
        return NULL;
    pthread_mutex_lock(&inode->table->lock);
    ref_locked(inode->table, inode);
    pthread_mutex_unlock(&inode->table->lock);
    return inode;
}

void gf_inode_unref(gf_inode_t *inode)
{
    if (!inode)
        return;
    gf_inode_table_t *t = inode->table;
    reap_t reap = {NULL};
    pthread_mutex_lock(&t->lock);
    unref_locked(t, inode, &reap);
    unlock_and_reap(t, &reap);
}

void gf_inode_lookup(gf_inode_t *inode)
{
    pthread_mutex_lock(&inode->table->lock);
    activate_locked(inode->table, inode);
    inode->nlookup++;
    pthread_mutex_unlock(&inode->table->lock);
}

void gf_inode_forget(gf_inode_t *inode, uint64_t n)
{
    gf_inode_table_t *t = inode->table;
    reap_t reap = {NULL};
    pthread_mutex_lock(&t->lock);
    if (n && inode->nlookup) {
        inode->nlookup -= n < inode->nlookup ? n : inode->nlookup;
        settle_locked(t, inode, &reap);
    }
    unlock_and_reap(t, &reap);
}

void gf_inode_gfid(gf_inode_t *inode, uuid_t out)
{
    pthread_mutex_lock(&inode->table->lock);
    uuid_copy(out, inode->gfid);
    pthread_mutex_unlock(&inode->table->lock);
}

/* ---- per-translator context ---- */

int gf_inode_ctx_set(gf_inode_t *inode, gf_xlator_t *xl, uint64_t value)
{
    gf_inode_table_t *t = inode->table;
    pthread_mutex_lock(&t->lock);
    int rc = gf_ctx_slots_set(&inode->ctx, table_acct(t), xl, value);
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int gf_inode_ctx_get(gf_inode_t *inode, gf_xlator_t *xl, uint64_t *value)
{
    pthread_mutex_lock(&inode->table->lock);
    int rc = gf_ctx_slots_get(&inode->ctx, xl, value);
    pthread_mutex_unlock(&inode->table->lock);
    return rc;
}

int gf_inode_ctx_del(gf_inode_t *inode, gf_xlator_t *xl, uint64_t *value)
{
    pthread_mutex_lock(&inode->table->lock);
    int rc = gf_ctx_slots_del(&inode->ctx, xl, value);
    pthread_mutex_unlock(&inode->table->lock);
    return rc;
}

static gf_ctx_slot_t *slot_find(const gf_ctx_slots_t *s, const gf_xlator_t *xl)
{
    for (uint32_t i = 0; xl && i < s->n; i++)
        if (s->v[i].xl == xl)
            return &s->v[i];
    return NULL;
}

/* A free slot, growing the array when full; NULL on ENOMEM. */
static gf_ctx_slot_t *slot_free(gf_ctx_slots_t *s, gf_mem_acct_t *acct)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (!s->v[i].xl)
            return &s->v[i];
    uint32_t used = s->n;
    uint32_t n = used ? used * 2 : CTX_INITIAL_SLOTS;
    gf_ctx_slot_t *v = acct ? gf_calloc_acct(acct, n, sizeof(*v)) : gf_calloc(n, sizeof(*v));
    if (!v)
        return NULL;
    if (used)
        memcpy(v, s->v, used * sizeof(*v));
    gf_free(s->v);
    s->v = v;
    s->n = n;
    return &v[used];
}

int gf_ctx_slots_set(gf_ctx_slots_t *s, gf_mem_acct_t *acct, gf_xlator_t *xl, uint64_t value)
{
    if (!xl)
        return -EINVAL;
    gf_ctx_slot_t *slot = slot_find(s, xl);
    if (!slot)
        slot = slot_free(s, acct);
    if (!slot)
        return -ENOMEM;
    slot->xl = xl;
    slot->value = value;
    return 0;
}

int gf_ctx_slots_get(const gf_ctx_slots_t *s, gf_xlator_t *xl, uint64_t *value)
{
    const gf_ctx_slot_t *slot = slot_find(s, xl);
    if (!slot)
        return -ENOENT;
    *value = slot->value;
    return 0;
}

int gf_ctx_slots_del(gf_ctx_slots_t *s, gf_xlator_t *xl, uint64_t *value)
{
    gf_ctx_slot_t *slot = slot_find(s, xl);
    if (!slot)
        return -ENOENT;
    if (value)
        *value = slot->value;
    slot->xl = NULL;
    slot->value = 0;
    return 0;
}

void gf_ctx_slots_free(gf_ctx_slots_t *s)
{
    gf_free(s->v);
    s->v = NULL;
    s->n = 0;
}
