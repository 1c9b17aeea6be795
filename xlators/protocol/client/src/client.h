/*
 * protocol/client, internal header: the translator's private state and the
 * functions its three files share. client.c owns the connection state machine
 * (connect, portmap redirect, handshake outcome, disconnect, reconnect with
 * backoff), client-handshake.c the DUMP, PORTBYBRICK and SETVOLUME calls, and
 * client-fops.c the one generic fop and the release of fds.
 *
 * One connection attempt is one client_conn_t with its own rpc_clnt: the
 * target changes (glusterd's port, then the brick's port, then glusterd again
 * after a disconnect, since the brick may have moved), so every attempt gets a
 * fresh rpc client instead of one reconnecting to a fixed address.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "glusterfs/timer.h"
#include "glusterfs/xlator.h"
#include "rpc-clnt.h"
#include "tls.h"

/* FOP program of GlusterFS 4.x (doc/protocol.md section 8). */
#define CLIENT_FOP_PROGRAM 1298437
#define CLIENT_FOP_VERSION 400

/* Reconnect delays: the first retry, doubling up to the stock client's 3 s. */
#define CLIENT_BACKOFF_MIN_MS 200
#define CLIENT_BACKOFF_MAX_MS 3000

/* One connection attempt and, once the handshake succeeded, the connection
 * fops use. Reference counted: the translator holds one while the attempt is
 * current, each call being sent and each callback of the attempt's own calls
 * holds one; the last reference destroys the rpc client (which fails its
 * pending calls) and frees the struct. */
typedef struct client_conn {
    atomic_uint refs;
    gf_xlator_t *this;
    rpc_clnt_t *rpc;
    uint32_t gen; /* serial of this attempt; fd ctxs remember it */
    int port;     /* the port this attempt connects to */
} client_conn_t;

typedef struct client_priv {
    /* Options, bound by the loader (see the table in client.c). */
    char *remote_host;
    int64_t remote_port;
    char *remote_subvolume;
    char *transport_type;
    char *username;
    char *password;
    int64_t ping_timeout;
    int64_t frame_timeout;
    rpc_tls_options_t tls; /* transport.socket.ssl-*: the brick connection's TLS */

    rpc_tls_ctx_t *tls_ctx; /* made from `tls` at init; NULL: plain to the brick */

    /* Connection state, guarded by lock. */
    pthread_mutex_t lock;
    pthread_cond_t idle;   /* signalled when `pending` or `nconns` drops to 0 */
    client_conn_t *conn;   /* the current attempt or connection; NULL between them */
    bool up;               /* conn passed SETVOLUME: fops may use it */
    bool started;          /* PARENT_UP seen: connecting */
    bool stopping;         /* fini began: no new attempt */
    bool scheduled;        /* a connect step is about to run or waits for its timer */
    int pending;           /* connect steps scheduled or running */
    int nconns;            /* client_conn_t alive (current and retired) */
    gf_timer_t *timer;     /* the scheduled retry, if any */
    int next_port;         /* where the next attempt connects */
    bool next_brick;       /* it is the brick's port (TLS as `tls` says), not glusterd's
                              (TLS as the process's management path, rpc_tls_mgmt) */
    unsigned backoff_ms;   /* delay of the next retry */
    uint32_t gen;          /* last attempt serial handed out */
    uint64_t setvol_count; /* SETVOLUME calls made: RECON_NO of process-uuid */
    gf_event_t last_event; /* last CHILD_UP/CHILD_DOWN told to the parents; 0: none */
    char *process_uuid;    /* process-uuid without its RECON_NO suffix */
} client_priv_t;

/* ---- client.c: connection state machine -------------------------------------- */

/* rpc_clnt_submit on conn's rpc client, with the library's allocations charged
 * to the process instead of this translator (they may outlive it). Same
 * contract as rpc_clnt_submit. */
int client_submit(client_conn_t *conn, uint32_t prog, uint32_t vers, uint32_t proc,
                  const struct rpc_auth *auth, xdrproc_t xargs, void *args,
                  const struct iovec *payload, int count, gf_buf_t *keep, rpc_clnt_cbk_t cbk,
                  void *cookie);

/* Takes a reference on the current connection when it passed the handshake,
 * else returns NULL. Drop it with client_conn_unref. */
client_conn_t *client_conn_get_up(gf_xlator_t *this);

client_conn_t *client_conn_ref(client_conn_t *conn);

/*
 * For conn's own callbacks, which must keep conn (and so the translator)
 * alive until they return, since what they call may drop the last other
 * reference: takes a reference unless the count is already 0, which means
 * the callback runs inside conn's destruction on this thread (the pending
 * calls completed by rpc_clnt_destroy), where conn stays valid anyway. True
 * when a reference was taken; drop it as the callback's very last action.
 */
bool client_conn_tryref(client_conn_t *conn);

/* Drops a reference; the last one destroys the rpc client and frees conn.
 * Never call it holding priv->lock. */
void client_conn_unref(client_conn_t *conn);

/* Handshake outcomes, reported by client-handshake.c for attempt conn.
 * client_handshake_redirect: glusterd said the brick listens on port: drop
 * this attempt and connect there at once. client_handshake_done: SETVOLUME
 * succeeded: the connection is up. client_handshake_failed: give up on this
 * attempt and retry later through glusterd. */
void client_handshake_redirect(client_conn_t *conn, int port);
void client_handshake_done(client_conn_t *conn);
void client_handshake_failed(client_conn_t *conn);

/* ---- client-handshake.c ---------------------------------------------------------- */

/* Starts the handshake on a freshly connected attempt: DUMP, then PORTBYBRICK
 * or SETVOLUME depending on what the server offers. Outcomes are reported
 * through the client_handshake_* functions above. */
void client_handshake_start(client_conn_t *conn);

/* The credential of the translator's own calls (DUMP, portmap, handshake,
 * release): flavor (GF_AUTH_GLUSTERFS_V2 or _V3) with this process's pid,
 * uid and gid, and the pid as lock owner. */
void client_process_auth(struct rpc_auth *auth, uint32_t flavor);

/* When auth has no lock owner, sets the 4 bytes of its pid, least significant
 * first, as the stock client does. */
void client_auth_owner_from_pid(struct rpc_auth *auth);

/* Sets a v3 credential's creation time to now. */
void client_auth_stamp(struct rpc_auth *auth);

/* Decodes an XDR result at res (len bytes) with proc into out; *used (may be
 * NULL) gets the bytes it took, the rest being trailing payload. 0, or
 * -EBADMSG with out released. */
int client_xdr_decode(const char *res, size_t len, xdrproc_t proc, void *out, size_t *used);

/* Builds priv->process_uuid for this translator instance. 0 or -ENOMEM. */
int client_process_uuid_init(gf_xlator_t *this);

/* ---- client-fops.c ------------------------------------------------------------------ */

/* The one fop function, in every slot of the descriptor. */
int client_fop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* desc->release: sends RELEASE or RELEASEDIR for an fd this translator opened
 * (fire and forget) and drops its ctx. */
void client_release(gf_xlator_t *this, gf_fd_t *fd);

#endif
