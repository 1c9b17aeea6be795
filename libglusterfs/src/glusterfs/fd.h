/*
 * Open files (fds) and per-connection fd tables.
 *
 * A gf_fd_t is one open of an inode: it holds a reference on the inode, the open
 * flags and the opener's pid, and per-translator values (ctx slots, as on
 * inodes: posix keeps its real descriptor there). When the last reference goes,
 * every translator holding a ctx gets desc->release(xl, fd), with gf_this set to
 * xl, to close what it opened; then the inode reference is dropped and the fd
 * freed. The count is atomic; the ctx slots have a mutex of their own.
 *
 * A gf_fdtable_t maps the small integers protocol/server hands to a client to
 * that client's fds. Numbers are reused lowest first; destroying the table (the
 * client disconnected) drops every fd still in it, which releases the files the
 * client left open. Thread-safe.
 */
#ifndef GF_FD_H
#define GF_FD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "glusterfs/inode.h"
#include "glusterfs/xlator.h"

struct gf_fd {
    atomic_uint refcount;
    gf_inode_t *inode; /* referenced by the fd */
    int32_t flags;     /* open(2) flags */
    pid_t pid;         /* the opener, as the client reported it */
    pthread_mutex_t lock; /* guards ctx */
    gf_ctx_slots_t ctx;
};

typedef struct gf_fdtable gf_fdtable_t;

/* An fd on inode (which it references) with one reference for the caller, its
 * memory charged to the inode table's translator. NULL when inode is NULL or
 * on ENOMEM. */
gf_fd_t *gf_fd_create(gf_inode_t *inode, int32_t flags, pid_t pid);

/* Takes a reference; returns fd (NULL stays NULL). */
gf_fd_t *gf_fd_ref(gf_fd_t *fd);

/* Drops a reference; the last one calls the release callbacks (no lock held),
 * drops the inode and frees the fd. NULL is ignored. */
void gf_fd_unref(gf_fd_t *fd);

/* Per-translator values, as gf_inode_ctx_set/get/del: set 0 or -ENOMEM; get 0
 * or -ENOENT; del 0 or -ENOENT, storing the old value when value is not NULL. */
int gf_fd_ctx_set(gf_fd_t *fd, gf_xlator_t *xl, uint64_t value);
int gf_fd_ctx_get(gf_fd_t *fd, gf_xlator_t *xl, uint64_t *value);
int gf_fd_ctx_del(gf_fd_t *fd, gf_xlator_t *xl, uint64_t *value);

/* An empty fd table, charged to the current translator. NULL on ENOMEM. */
gf_fdtable_t *gf_fdtable_new(void);

/* Drops every fd still in the table, then frees it. NULL is ignored. */
void gf_fdtable_destroy(gf_fdtable_t *t);

/* Stores fd (taking a reference) under the lowest free number and returns that
 * number (>= 0); -EINVAL when fd is NULL, -ENOMEM. */
int64_t gf_fdtable_add(gf_fdtable_t *t, gf_fd_t *fd);

/* The fd stored under fdno with a reference for the caller; NULL for any number
 * that holds no fd (negative, too large, freed). */
gf_fd_t *gf_fdtable_get(gf_fdtable_t *t, int64_t fdno);

/* Takes the fd stored under fdno out of the table and hands the table's
 * reference to the caller (who unrefs it); NULL when fdno holds no fd. */
gf_fd_t *gf_fdtable_remove(gf_fdtable_t *t, int64_t fdno);

/* Number of fds in the table. */
size_t gf_fdtable_count(gf_fdtable_t *t);

#endif
