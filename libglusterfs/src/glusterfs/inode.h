/*
 * The inode table: every file and directory a brick (or a client) currently knows
 * about, keyed by gfid, with the names (dentries: parent inode + basename) under
 * which it has been seen, and a bounded cache of inodes nobody references.
 *
 * Life of an inode:
 *   - gf_inode_new() makes a fresh inode (one reference, null gfid, no name).
 *   - gf_inode_link() gives it its gfid and, optionally, a name in a parent; from
 *     then on gf_inode_find() (by gfid) and gf_inode_grep() (by parent + name)
 *     return it.
 *   - An inode is pinned while its reference count or its lookup count
 *     (gf_inode_lookup/gf_inode_forget: lookups a client still holds) is above 0.
 *     A dentry holds a reference on its parent, so a directory stays pinned while
 *     the table knows names inside it.
 *   - When both counts reach 0, a linked inode goes to the tail of the LRU list,
 *     where it stays findable (finding it takes it off the list again); an inode
 *     that was never linked is destroyed at once. When the LRU holds more than
 *     lru_limit inodes (0: no limit), the head (least recently used) is evicted:
 *     its dentries are removed, it leaves the gfid hash, and it is destroyed.
 *   - Destroying an inode calls desc->forget(xl, inode) for every translator xl
 *     that holds a ctx on it (with gf_this set to xl, no table lock held: forget
 *     may still read its ctx), then frees it.
 *   - The root inode (gfid 00000000-0000-0000-0000-000000000001, a directory)
 *     exists from gf_inode_table_new() to gf_inode_table_destroy() and is never
 *     evicted.
 *
 * Simplification, on purpose: removing the last dentry of an inode (unlink) does
 * not destroy it; it stays in the gfid hash (on the LRU once unreferenced) until
 * evicted, exactly like an inode linked by gfid alone (a nameless lookup). A
 * fop on a deleted gfid then reaches the storage, which answers ENOENT/ESTALE.
 * The lookup count is kept but only pins the inode; nothing else depends on it.
 *
 * A translator whose ctx on an inode must outlive the callers' references (locks
 * held, for instance) keeps a reference of its own on the inode.
 *
 * Thread safety: one mutex per table guards every inode of it, its counts, hash
 * chains, dentries and ctx slots. Nothing calls back into a translator with that
 * mutex held. Memory for the table, its inodes and dentries is charged to the
 * translator given to gf_inode_table_new() (the brick), when one is given.
 */
#ifndef GF_INODE_H
#define GF_INODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "glusterfs/iatt.h"
#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"

/* One translator's private value on an inode or fd. */
typedef struct gf_ctx_slot {
    gf_xlator_t *xl; /* NULL: free slot */
    uint64_t value;
} gf_ctx_slot_t;

/* A small array of ctx slots, grown as translators add values. Used by inodes
 * and fds; the owner provides the locking. */
typedef struct gf_ctx_slots {
    gf_ctx_slot_t *v;
    uint32_t n;
} gf_ctx_slots_t;

struct gf_dentry;

struct gf_inode {
    gf_inode_table_t *table;
    uuid_t gfid;      /* null until linked; never changes afterwards */
    uint32_t ia_type; /* S_IFMT bits of mode, fixed by the first link; 0 before */
    uint32_t mode;    /* st_mode as given by the last gf_inode_link() */

    /* The rest is private to inode.c and guarded by the table's mutex. */
    uint32_t ref;
    uint64_t nlookup;
    bool hashed; /* in the gfid hash (linked, not evicted) */
    bool in_lru;
    gf_inode_t *hnext;            /* gfid hash chain */
    gf_inode_t *prev, *next;      /* active or LRU list */
    struct gf_dentry *dentries;   /* names of this inode */
    gf_ctx_slots_t ctx;
};

/*
 * A table with its root inode. lru_limit: how many unreferenced inodes to keep
 * cached (0: no limit). xl: the translator (brick) the table belongs to, charged
 * for its memory and returned by gf_inode_table_xlator(); may be NULL.
 * NULL on ENOMEM.
 */
gf_inode_table_t *gf_inode_table_new(size_t lru_limit, gf_xlator_t *xl);

/*
 * Forgets and frees every inode of the table (forget callbacks included), then
 * the table. Nobody may use an inode or fd of the table afterwards: drop fds
 * and references first.
 */
void gf_inode_table_destroy(gf_inode_table_t *table);

/* The root inode, with a reference taken for the caller. */
gf_inode_t *gf_inode_table_root(gf_inode_table_t *table);

/* The translator given to gf_inode_table_new(); may be NULL. */
gf_xlator_t *gf_inode_table_xlator(const gf_inode_table_t *table);

/* Inodes alive in the table (root, referenced, pinned and LRU ones). */
size_t gf_inode_table_count(gf_inode_table_t *table);

/* Inodes on the LRU list. */
size_t gf_inode_table_lru_count(gf_inode_table_t *table);

/* A fresh, unlinked inode of the table with one reference. NULL on ENOMEM. */
gf_inode_t *gf_inode_new(gf_inode_table_t *table);

/*
 * Links inode under the gfid ia->ia_gfid (type and mode from ia->ia_mode) and,
 * when parent and name are both given, under the name `name` in the directory
 * `parent` (a linked directory). No name is added for "." and "..", for the
 * root, or when it would make a directory its own ancestor. If another inode of
 * the table already has that gfid, that one is used instead and `inode` is left
 * untouched. A name that pointed at another inode is moved to this one; a
 * directory keeps only its newest name.
 *
 * Returns the linked inode with a new reference for the caller, who also still
 * owns its reference on `inode` and normally drops it:
 *     linked = gf_inode_link(fresh, parent, name, &ia); gf_inode_unref(fresh);
 * NULL when ia's gfid is null, inode is already linked under another gfid,
 * parent is unlinked or of another table, name is empty or has a '/', or ENOMEM.
 */
gf_inode_t *gf_inode_link(gf_inode_t *inode, gf_inode_t *parent, const char *name,
                          const gf_iatt_t *ia);

/*
 * Removes the name `name` in `parent`, if it names `inode` (or anything, when
 * inode is NULL). The inode itself stays linked by gfid. 0, or -ENOENT when no
 * such name is known.
 */
int gf_inode_unlink(gf_inode_t *inode, gf_inode_t *parent, const char *name);

/*
 * Moves inode's name oldparent/oldname to newparent/newname (replacing what
 * newname named). A missing old name is not an error: the new name is added.
 * 0; -EINVAL when inode or newparent is unlinked, of another table, or newname
 * invalid; -ENOMEM.
 */
int gf_inode_rename(gf_inode_table_t *table, gf_inode_t *oldparent, const char *oldname,
                    gf_inode_t *newparent, const char *newname, gf_inode_t *inode);

/* The inode with that gfid, with a reference for the caller; NULL if unknown. */
gf_inode_t *gf_inode_find(gf_inode_table_t *table, const uuid_t gfid);

/* The inode named `name` in `parent`, with a reference for the caller; NULL if
 * the table knows no such name. */
gf_inode_t *gf_inode_grep(gf_inode_table_t *table, gf_inode_t *parent, const char *name);

/* Takes a reference; returns inode (NULL stays NULL). */
gf_inode_t *gf_inode_ref(gf_inode_t *inode);

/* Drops a reference (see the life of an inode above). NULL is ignored. */
void gf_inode_unref(gf_inode_t *inode);

/* Counts one lookup held by a client: pins the inode until forgotten. */
void gf_inode_lookup(gf_inode_t *inode);

/* Forgets n lookups (at most as many as counted). */
void gf_inode_forget(gf_inode_t *inode, uint64_t n);

/* Copies the inode's gfid (null when unlinked) into out. */
void gf_inode_gfid(gf_inode_t *inode, uuid_t out);

/*
 * Per-translator values on an inode. set: adds or replaces xl's value; 0 or
 * -ENOMEM. get: 0 and *value, or -ENOENT. del: removes xl's value, storing it
 * in *value when value is not NULL; 0 or -ENOENT. No callback is made by set
 * or del; forget is called only for values present when the inode dies.
 */
int gf_inode_ctx_set(gf_inode_t *inode, gf_xlator_t *xl, uint64_t value);
int gf_inode_ctx_get(gf_inode_t *inode, gf_xlator_t *xl, uint64_t *value);
int gf_inode_ctx_del(gf_inode_t *inode, gf_xlator_t *xl, uint64_t *value);

/*
 * Ctx slot arrays, shared by inodes and fds; the caller holds the lock that
 * guards the array. set allocates from acct (NULL: the current translator's);
 * 0 or -ENOMEM. get/del: 0 or -ENOENT (del stores the value when value is not
 * NULL). free releases the array.
 */
int gf_ctx_slots_set(gf_ctx_slots_t *s, gf_mem_acct_t *acct, gf_xlator_t *xl, uint64_t value);
int gf_ctx_slots_get(const gf_ctx_slots_t *s, gf_xlator_t *xl, uint64_t *value);
int gf_ctx_slots_del(gf_ctx_slots_t *s, gf_xlator_t *xl, uint64_t *value);
void gf_ctx_slots_free(gf_ctx_slots_t *s);

#endif
