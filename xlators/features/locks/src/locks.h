/*
 * features/locks, internal header: what its files share.
 *
 * The translator keeps, per inode, the locks clients hold on it and the
 * requests waiting for one, in three families:
 *
 *   posix.c    byte-range locks of lk (fcntl's F_GETLK/F_SETLK/F_SETLKW);
 *   inodelk.c  inode locks of inodelk/finodelk, ranges in named domains;
 *   entrylk.c  entry locks of entrylk/fentrylk, names of a directory in domains.
 *
 * A lock belongs to its owner: the lock owner of the call (gf_call_root_t's
 * lk_owner) together with the client connection it came on (gf_call_root_t's
 * client), as in GlusterFS. locks.c holds the descriptor, the inode ctx, the
 * waking of waiters, and what ends locks without an unlock: flush (posix locks
 * of the owner), the release of an fd (posix locks taken through it), and a
 * client going away (every lock and waiter of that client, doc/locks.md).
 *
 * No thread ever waits for a lock: a request that must wait (F_SETLKW,
 * ENTRYLK_LOCK) is queued with its frame and answered by whichever call frees
 * what it waits for, in the order requests came (FIFO).
 *
 * Locking: one mutex per inode ctx guards its lists; the translator's mutex
 * guards the ctx creation and the list of inodes holding locks. Frames are
 * only answered with no mutex held.
 */
#ifndef LOCKS_H
#define LOCKS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glusterfs/xlator.h"

/*
 * The IPC ops protocol/server sends down a brick graph about a client, named
 * by the call's gf_call_root_t.client (doc/locks.md): GONE when its
 * connection ends (everything it holds is released, its waiting requests are
 * answered, and requests of it that still arrive get nothing), FREED when its
 * last call is over, just before its state is freed (the client pointer may be
 * reused afterwards).
 */
#define PL_IPC_CLIENT_GONE  0x4c4b0001
#define PL_IPC_CLIENT_FREED 0x4c4b0002

/* ---- an intrusive doubly-linked list ------------------------------------------------------- */

typedef struct pl_list {
    struct pl_list *prev, *next;
} pl_list_t;

static inline void pl_list_init(pl_list_t *head)
{
    head->prev = head->next = head;
}

static inline bool pl_list_empty(const pl_list_t *head)
{
    return head->next == head;
}

static inline void pl_list_add_tail(pl_list_t *head, pl_list_t *node)
{
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
}

/* Takes node out of its list and leaves it an empty list of its own. */
static inline void pl_list_del(pl_list_t *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
    pl_list_init(node);
}

#define pl_entry(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Walks list with pos (a pl_list_t *) and next, so that pos may be deleted. */
#define pl_list_each_safe(pos, next, head)                                                         \
    for ((pos) = (head)->next, (next) = (pos)->next; (pos) != (head);                              \
         (pos) = (next), (next) = (pos)->next)

/* ---- locks, domains, inodes -------------------------------------------------------------- */

/* A held lock, or a request waiting for one. */
typedef struct pl_lock {
    pl_list_t link;       /* in a held list or a waiting list */
    int16_t type;         /* F_RDLCK / F_WRLCK; entry locks: GF_ENTRYLK_RDLCK / _WRLCK */
    int64_t start, end;   /* byte range, both included (posix and inode locks) */
    int32_t pid;          /* of the process that asked, for F_GETLK answers */
    void *client;         /* the connection of the owner (gf_call_root_t.client) */
    gf_fd_t *fd;          /* posix locks: the fd they were taken through (identity only) */
    char *basename;       /* entry locks: the name; NULL for the whole directory */
    gf_frame_t *frame;    /* waiting requests: the call to answer */
    struct pl_wake *wake; /* waiting requests: their answer, made when queued */
    uint32_t owner_len;
    char owner[]; /* the lock owner's bytes */
} pl_lock_t;

/* The inode and entry locks of one domain of one inode. */
typedef struct pl_domain {
    pl_list_t link; /* in pl_inode_t.domains */
    pl_list_t inodelks, inodelk_waiters;
    pl_list_t entrylks, entrylk_waiters;
    char name[];
} pl_domain_t;

/* The inode ctx: everything locked on one inode. */
typedef struct pl_inode {
    pthread_mutex_t mutex;
    gf_inode_t *inode;
    bool active;           /* holds locks or waiters: referenced and in pl_priv_t.active */
    pl_list_t active_link; /* in pl_priv_t.active */
    pl_list_t posix, posix_waiters;
    pl_list_t domains;
} pl_inode_t;

typedef struct pl_priv {
    pthread_mutex_t mutex; /* ctx creation, the active list, the gone clients */
    pl_list_t active;      /* pl_inode_t with locks or waiters */
    void **gone;           /* clients between GONE and FREED */
    size_t n_gone, cap_gone;
} pl_priv_t;

/* A waiting request to answer once the inode's mutex is released. */
typedef struct pl_wake {
    pl_list_t link;
    gf_frame_t *frame;
    int err;          /* 0: granted */
    gf_flock_t flock; /* lk: the lock granted */
} pl_wake_t;

/* ---- locks.c ------------------------------------------------------------------------------ */

/* The ctx of inode, made when absent. NULL on ENOMEM. */
pl_inode_t *pl_inode_get(gf_xlator_t *this, gf_inode_t *inode);

/* The ctx of inode when it has one, else NULL. */
pl_inode_t *pl_inode_find(gf_xlator_t *this, gf_inode_t *inode);

/*
 * Called with p->mutex held after p's lists changed: an inode that has come to
 * hold locks or waiters is referenced and listed as active; one that holds
 * none any more is taken off the list, and true is returned: the caller must
 * then drop the inode reference with pl_inode_idle() once p->mutex is released.
 */
bool pl_inode_settle(gf_xlator_t *this, pl_inode_t *p);
void pl_inode_idle(pl_inode_t *p);

/*
 * What a lock request of client ends with, p->mutex held, after changing p:
 * settles p (as pl_inode_settle, whose verdict it returns) and, when client
 * has gone away meanwhile, drops what client has on p as the GONE sweep does
 * (answers on wakes). A request that slipped past the sweep so leaves nothing.
 */
bool pl_request_settle(gf_xlator_t *this, pl_inode_t *p, void *client, pl_list_t *wakes);

/* The domain called name of p, made when absent (p->mutex held). NULL on ENOMEM. */
pl_domain_t *pl_domain_get(pl_inode_t *p, const char *name);

/*
 * A new lock of the caller of frame (its client and lock owner), with extra
 * bytes after the owner for a basename. -EINVAL (*err) for a caller without a
 * lock owner (empty, or all zeros), -ENOMEM.
 */
pl_lock_t *pl_lock_new(gf_frame_t *frame, size_t extra, int *err);
void pl_lock_free(pl_lock_t *l);

/* Whether a and b have one owner (lock owner bytes and client). */
bool pl_same_owner(const pl_lock_t *a, const pl_lock_t *b);

/* Queues request l on waiters, to be answered on frame later. 0 or -ENOMEM. */
int pl_wait(pl_list_t *waiters, pl_lock_t *l, gf_frame_t *frame);

/* Queues the answer to waiting request l (err 0: granted, with l as the lock
 * in lk's reply) on wakes; l keeps no frame afterwards. Never fails: the
 * answer was made when l was queued. */
void pl_wake_add(pl_list_t *wakes, pl_lock_t *l, int err);

/* Answers every queued request (with no mutex held) and frees the queue. */
void pl_wake_all(pl_list_t *wakes);

/* Turns the range of f (start, len: 0 = to the end) into l's; -EINVAL for a
 * negative start or length. */
int pl_set_range(pl_lock_t *l, const gf_flock_t *f);

/* Whether the ranges of a and b overlap. */
bool pl_overlap(const pl_lock_t *a, const pl_lock_t *b);

/* Whether two domain locks would conflict if their owners differed. */
typedef bool (*pl_clash_fn)(const pl_lock_t *a, const pl_lock_t *b);

/*
 * The grant rule of inode and entry locks (GlusterFS's): l can be granted when
 * no held lock of another owner clashes with it and, so that waiters are not
 * starved, no waiting request clashes with it either, unless l's owner holds
 * or waits for a lock of the domain already (nested locks must not wait
 * behind requests that wait for them).
 */
bool pl_grantable(const pl_list_t *held, const pl_list_t *waiters, const pl_lock_t *l,
                  pl_clash_fn clash);

/* Grants, in the order they came, the waiters the grant rule now lets through
 * (each judged against the ones still waiting before it). */
void pl_regrant(pl_list_t *held, pl_list_t *waiters, pl_clash_fn clash, pl_list_t *wakes);

/* ---- posix.c ------------------------------------------------------------------------------ */

int pl_lk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* p->mutex held: drops the posix locks of owner (flush), of fd (release) or of
 * client (gone), queues the answers of failed waiters (client gone) and of
 * waiters that can now be granted on wakes. */
void pl_posix_drop_owner(pl_inode_t *p, const pl_lock_t *owner, pl_list_t *wakes);
void pl_posix_drop_fd(pl_inode_t *p, gf_fd_t *fd, pl_list_t *wakes);
void pl_posix_drop_client(pl_inode_t *p, void *client, pl_list_t *wakes);

/* ---- inodelk.c --------------------------------------------------------------------------- */

int pl_inodelk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int pl_finodelk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
void pl_inodelk_drop_client(pl_domain_t *d, void *client, pl_list_t *wakes);

/* ---- entrylk.c --------------------------------------------------------------------------- */

int pl_entrylk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int pl_fentrylk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
void pl_entrylk_drop_client(pl_domain_t *d, void *client, pl_list_t *wakes);

/* Drops from a held or waiting list the locks of client; waiters are answered
 * EAGAIN through wakes (the client is gone: nobody reads the answer). */
void pl_drop_client_list(pl_list_t *list, void *client, bool waiters, pl_list_t *wakes);

#endif
