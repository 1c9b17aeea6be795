/*
 * An asynchronous client of an etcd v3 cluster (the monitor cluster), spoken over
 * etcd's HTTP/JSON gateway (POST /v3/...) with libcurl's multi interface driven
 * by the process's event loop: curl's sockets are registered with gf_event_add
 * and its timeouts with the timer wheel, so no call ever blocks a thread.
 *
 * Requests: put, range, delete, txn (compares on version, create/mod revision or
 * value; puts, deletes and ranges in each branch), lease grant/keepalive/revoke,
 * prefix watches on the streaming /v3/watch endpoint, and election through etcd's
 * own election service (/v3/election/campaign, leader, resign), whose candidates
 * are keys NAME/<lease in hex> bound to the campaigner's lease: a dead server's
 * candidacy ends with its lease, and re-campaigning with the same lease is
 * idempotent, which is what lets a campaign survive a member's failure.
 *
 * Keys and election names are C strings; values are byte strings.
 *
 * Failover: the client knows several member URLs and sends to the current one
 * (at first the one opts.first_member names); when a member cannot be reached
 * (refused, not connected within the attempt limit, hung, or answers that it has
 * no leader), the request moves to the next member, round after round with a
 * short pause, until a deadline (5 s by default). Then it fails with
 * -EHOSTUNREACH and a message that names every member tried. A member that is
 * merely slow is waited for until the deadline: each attempt limit (2 s by
 * default) that a request waits, its member is asked for its status; a member
 * that does not answer that is hung, and one that answers in a later Raft term
 * has a new leader (which may have lost what the old one had): either way the
 * request is sent again, to the next member. A request that may already have
 * been applied (a txn whose member hung, or whose deadline passed or leader
 * changed, after receiving it) is not sent twice: it fails with -ETIMEDOUT
 * ("outcome unknown"); everything else is retried (reads, plain puts and
 * deletes, lease calls, campaigns and resigns).
 * Watches never give up: they reconnect (to the next member, with a growing
 * pause up to 2 s) and resume after the last revision they delivered, so no
 * event is lost or repeated across a restart; a watch stays on a member that is
 * slow to answer (it loses nothing by waiting). Every request asks etcd to
 * require a leader, so a member cut off from the majority refuses (and ends its
 * watches) rather than answer with stale data.
 *
 * Election choice: etcd's election service (not one built here from leases and
 * txns) because it already implements the queue of candidates by create
 * revision and the wait for the predecessors' keys to go; a leader change is
 * observed with a prefix watch on NAME/.
 *
 * Threads: every callback runs on an event thread, never inside the call that
 * started the request, and never two of one client at once. Calls may be made
 * from any thread, including from callbacks.
 */
#ifndef GD_ETCD_CLIENT_H
#define GD_ETCD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "glusterfs/event.h"
#include "glusterfs/timer.h"

typedef struct gd_etcd gd_etcd_t;
typedef struct gd_etcd_watch gd_etcd_watch_t;

typedef struct gd_etcd_opts {
    unsigned deadline_ms; /* how long a request tries the members; 0: 5000 */
    unsigned attempt_ms;  /* how long a member may stay silent (see Failover); 0: 2000 */
    unsigned first_member; /* the member to use first, modulo their number: give
                              clients different ones to spread them over the members */
} gd_etcd_opts_t;

/* One key as etcd holds it. key and value are NUL-terminated (the lengths exclude
 * the NUL); value may hold other NULs. */
typedef struct gd_etcd_kv {
    char *key;
    size_t key_len;
    char *value;
    size_t value_len;
    int64_t create_rev;
    int64_t mod_rev;
    int64_t version; /* number of changes since creation */
    int64_t lease;   /* 0: none */
} gd_etcd_kv_t;

/* A won campaign: what resign needs. */
typedef struct gd_etcd_leader {
    char *name;
    char *key; /* the candidate's key, NAME/<lease in hex> */
    int64_t rev;
    int64_t lease;
} gd_etcd_leader_t;

/* What a request's callback receives; everything in it is valid only during the
 * call (copy what must outlive it, e.g. with gd_etcd_leader_dup). */
typedef struct gd_etcd_reply {
    int err;            /* 0, or -errno (see each request) */
    const char *errmsg; /* when err: what failed, where; else NULL */
    int64_t rev;        /* the cluster's revision when it answered */
    int64_t term;       /* the answering member's Raft term then */
    gd_etcd_kv_t *kvs;  /* range: the keys, by key; txn: what its ranges read;
                           leader: the leader's key and value */
    int n_kvs;
    int64_t deleted;                /* delete, txn: keys deleted */
    int succeeded;                  /* txn: 1 when every compare held (the success branch ran) */
    int64_t lease;                  /* lease grant: the new lease's ID */
    int64_t ttl;                    /* lease grant and keepalive: its TTL in seconds */
    const gd_etcd_leader_t *leader; /* campaign */
} gd_etcd_reply_t;

/* Called once per request, on an event thread. */
typedef void (*gd_etcd_cb_t)(const gd_etcd_reply_t *reply, void *cookie);

typedef enum { GD_ETCD_EV_PUT, GD_ETCD_EV_DELETE } gd_etcd_ev_type_t;

/* One change. For a DELETE, kv has the key, no value, and mod_rev is the
 * revision of the deletion. */
typedef struct gd_etcd_event {
    gd_etcd_ev_type_t type;
    gd_etcd_kv_t kv;
} gd_etcd_event_t;

/* A watch's callback, on an event thread, in revision order:
 *  - err 0, n 0: the watch is established; rev is the cluster's revision then.
 *    Once only: a reconnection resumes after the last revision delivered, so it
 *    is not reported (the watcher misses nothing);
 *  - err 0, n > 0: changes (of one or more revisions, in order); rev is the
 *    cluster's revision when sent;
 *  - err -ESTALE: the revision to resume from was compacted (rev is the oldest
 *    one kept): the watch has ended; read the keys again and watch anew.
 * evs is valid only during the call. */
typedef void (*gd_etcd_watch_cb_t)(int err, const gd_etcd_event_t *evs, int n, int64_t rev,
                                   void *cookie);

/* Compare targets and results of a txn. */
typedef enum { GD_ETCD_VERSION, GD_ETCD_CREATE, GD_ETCD_MOD, GD_ETCD_VALUE } gd_etcd_target_t;
typedef enum { GD_ETCD_EQUAL, GD_ETCD_NOT_EQUAL, GD_ETCD_GREATER, GD_ETCD_LESS } gd_etcd_result_t;

/* The key's target compared with num (VERSION, CREATE, MOD; a missing key has
 * them all 0) or with value/value_len (VALUE). */
typedef struct gd_etcd_cmp {
    const char *key;
    gd_etcd_target_t target;
    gd_etcd_result_t result;
    int64_t num;
    const char *value;
    size_t value_len;
} gd_etcd_cmp_t;

typedef enum { GD_ETCD_OP_PUT, GD_ETCD_OP_DELETE, GD_ETCD_OP_RANGE } gd_etcd_op_type_t;

typedef struct gd_etcd_op {
    gd_etcd_op_type_t type;
    const char *key;
    int prefix;        /* DELETE, RANGE: every key starting with key */
    const char *value; /* PUT */
    size_t value_len;
    int64_t lease; /* PUT: attach the key to this lease; 0: none */
} gd_etcd_op_t;

/* If every compare holds, the success operations run, else the failure ones;
 * all at one revision. The arrays are read during gd_etcd_txn only. */
typedef struct gd_etcd_txn {
    const gd_etcd_cmp_t *cmps;
    int n_cmps;
    const gd_etcd_op_t *success;
    int n_success;
    const gd_etcd_op_t *failure;
    int n_failure;
} gd_etcd_txn_t;

/* Creates a client of the members in urls ("http://h:p[,http://h:p...]"), whose
 * sockets and timers run on events and timers (both must outlive the client).
 * opts may be NULL. Sends nothing yet. 0 with *out set, -EINVAL for an empty or
 * malformed URL list, -ENOMEM. */
int gd_etcd_new(const char *urls, gf_event_pool_t *events, gf_timer_wheel_t *timers,
                const gd_etcd_opts_t *opts, gd_etcd_t **out);
/* Stops everything: requests in flight are dropped without their callbacks,
 * watches end and their handles are freed. Waits for a callback running on
 * another thread; must not be called from one of this client's callbacks (it may
 * be called from an event thread otherwise). The event pool and timer wheel must
 * still run. */
void gd_etcd_destroy(gd_etcd_t *c);
/* The member URLs, comma-separated, as given. */
const char *gd_etcd_urls(gd_etcd_t *c);
/* HTTP requests sent so far (attempts, watch connections included). */
uint64_t gd_etcd_requests(gd_etcd_t *c);

/*
 * Requests. Each returns 0 when queued (cb will be called exactly once, later,
 * on an event thread), or -EINVAL (bad argument) or -ENOMEM, and then cb is never
 * called. Errors given to cb for every request: -EHOSTUNREACH (no member answered
 * within the deadline), -ETIMEDOUT (a change's outcome is unknown), -EINVAL
 * (etcd refused the request as invalid), -EIO (another failure; see errmsg).
 */

/* Sets key to value (len bytes), attached to lease if non-zero (-ENOENT: no such
 * lease). reply.rev is the revision of the change. */
int gd_etcd_put(gd_etcd_t *c, const char *key, const char *value, size_t len, int64_t lease,
                gd_etcd_cb_t cb, void *cookie);
/* Reads key, or every key starting with it when prefix (then "" reads all). A
 * missing key is no error: reply.n_kvs is 0. */
int gd_etcd_range(gd_etcd_t *c, const char *key, int prefix, gd_etcd_cb_t cb, void *cookie);
/* Deletes key, or every key starting with it; reply.deleted counts them. */
int gd_etcd_delete(gd_etcd_t *c, const char *key, int prefix, gd_etcd_cb_t cb, void *cookie);
/* Runs txn; reply.succeeded says which branch ran (a branch not taken is no
 * error). reply.rev is the revision after it. */
int gd_etcd_txn(gd_etcd_t *c, const gd_etcd_txn_t *txn, gd_etcd_cb_t cb, void *cookie);

/* Grants a lease of ttl_s seconds: reply.lease, reply.ttl. */
int gd_etcd_lease_grant(gd_etcd_t *c, int64_t ttl_s, gd_etcd_cb_t cb, void *cookie);
/* Renews lease id once: reply.ttl is its TTL again; -ENOENT when it has expired
 * or never existed. */
int gd_etcd_lease_keepalive(gd_etcd_t *c, int64_t id, gd_etcd_cb_t cb, void *cookie);
/* Revokes lease id, deleting its keys; -ENOENT when it does not exist. */
int gd_etcd_lease_revoke(gd_etcd_t *c, int64_t id, gd_etcd_cb_t cb, void *cookie);

/* Watches key (or every key starting with it) from revision start_rev (0: from
 * now) until cancelled; see gd_etcd_watch_cb_t. 0 with *out set, or -errno (cb
 * will not be called). */
int gd_etcd_watch(gd_etcd_t *c, const char *key, int prefix, int64_t start_rev,
                  gd_etcd_watch_cb_t cb, void *cookie, gd_etcd_watch_t **out);
/* Ends w and frees it, from any thread, also from its own callback: after this
 * returns, its callback does not start again, and is not running on another
 * thread (this waits for it: do not call it holding a lock the callback takes). */
void gd_etcd_watch_cancel(gd_etcd_watch_t *w);

/* Becomes a candidate in election name, with value, for as long as lease lives;
 * cb is called when this candidate is the leader (reply.leader), which may be
 * much later. -ENOENT: the lease expired or does not exist. */
int gd_etcd_campaign(gd_etcd_t *c, const char *name, int64_t lease, const char *value,
                     gd_etcd_cb_t cb, void *cookie);
/* Reads the leader of election name: reply.kvs[0] (its key, value and lease);
 * -ENOENT when there is none. */
int gd_etcd_leader(gd_etcd_t *c, const char *name, gd_etcd_cb_t cb, void *cookie);
/* Gives up leadership won as leader; the next candidate wins. */
int gd_etcd_resign(gd_etcd_t *c, const gd_etcd_leader_t *leader, gd_etcd_cb_t cb, void *cookie);

/* A copy of l (NULL on ENOMEM), freed with gd_etcd_leader_free. */
gd_etcd_leader_t *gd_etcd_leader_dup(const gd_etcd_leader_t *l);
void gd_etcd_leader_free(gd_etcd_leader_t *l);

#endif
