/*
 * The ONC RPC client: one connection to one server ("tcp:ADDR:PORT" or
 * "unix:/path", plain or TLS), many calls outstanding on it at once, matched to their
 * replies by xid, with call timeouts, optional reconnection with exponential
 * backoff, and optional keep-alive pings (the DUMP program's PING procedure).
 *
 * Callbacks (notify and each call's cbk) run on event threads, except that a
 * call failing before it is sent gets its cbk inside rpc_clnt_submit, and the
 * calls still pending when the client is destroyed get theirs inside
 * rpc_clnt_destroy. From a callback one may submit calls, connect, or destroy
 * this client; a callback must not block.
 *
 * Events. Every connection attempt ends with exactly one RPC_CLNT_DISCONNECT:
 * when it fails, or when the connection it made is lost or closed.
 * RPC_CLNT_CONNECT comes in between when the attempt succeeded. With
 * reconnection on, a new attempt follows each DISCONNECT after a backoff
 * (backoff_min_ms, doubling up to backoff_max_ms, back to the minimum after a
 * successful connection). No event is notified once rpc_clnt_destroy began.
 */
#ifndef RPC_CLNT_H
#define RPC_CLNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "glusterfs/buf.h"
#include "glusterfs/event.h"
#include "glusterfs/timer.h"
#include "rpc-msg.h"

typedef struct rpc_clnt rpc_clnt_t;
typedef struct rpc_tls_ctx rpc_tls_ctx_t; /* tls.h */

enum { RPC_CLNT_CONNECT = 1, RPC_CLNT_DISCONNECT = 2 };

typedef void (*rpc_clnt_notify_t)(rpc_clnt_t *clnt, int event, void *mydata);

/* A call's completion, called exactly once. status 0: res holds the bytes
 * after the reply header (XDR result, then any trailing payload), res_len of
 * them, inside record (borrowed: take a reference to keep them past the
 * callback). Otherwise res is NULL and status is -ENOTCONN (not connected, or
 * the connection was lost or the client destroyed), -ETIMEDOUT, -EPROTO (the
 * server denied the call or did not accept it: logged with the reason),
 * -EINVAL (arguments did not encode) or -ENOMEM. */
typedef void (*rpc_clnt_cbk_t)(rpc_clnt_t *clnt, int status, const char *res, size_t res_len,
                               gf_buf_t *record, void *cookie);

typedef struct rpc_clnt_opts {
    int call_timeout_ms;  /* a call unanswered this long fails with -ETIMEDOUT; 0: never */
    bool reconnect;       /* retry after a failed attempt or a lost connection */
    int backoff_min_ms;   /* first retry delay (0: 100) */
    int backoff_max_ms;   /* largest retry delay (0: 5000) */
    int ping_interval_ms; /* 0: no pings; else ping when nothing was received for this
                             long, and disconnect if the ping is unanswered within
                             call_timeout_ms (or ping_interval_ms when that is 0) */
    rpc_tls_ctx_t *tls;   /* NULL: plain; else connect over TLS with this context
                             (tls.h), of which the client takes its own reference */
} rpc_clnt_opts_t;

/* The options used when rpc_clnt_new gets NULL. */
#define RPC_CLNT_OPTS_DEFAULT                                                              \
    {                                                                                      \
        .call_timeout_ms = 30000, .reconnect = false, .backoff_min_ms = 100,               \
        .backoff_max_ms = 5000, .ping_interval_ms = 0                                      \
    }

/* Creates a client for spec (checked now, resolved at each attempt); opts NULL:
 * RPC_CLNT_OPTS_DEFAULT. Nothing happens until rpc_clnt_connect. notify may be
 * NULL. NULL on ENOMEM or a malformed spec (errno set). */
rpc_clnt_t *rpc_clnt_new(gf_event_pool_t *pool, gf_timer_wheel_t *timers, const char *spec,
                         const rpc_clnt_opts_t *opts, rpc_clnt_notify_t notify, void *mydata);

/* Starts connecting (asynchronously; see Events above). Does nothing when
 * already connected or connecting. 0, -ESHUTDOWN after destroy, or -errno when
 * the attempt could not be scheduled. */
int rpc_clnt_connect(rpc_clnt_t *clnt);

/* Sends a call: the credential of auth (NULL: AUTH_NONE), arguments args
 * encoded with xargs (NULL: none), then payload (count iovecs; when keep is
 * given it keeps the payload's memory alive and a reference is taken until
 * sent, else the payload is copied). Callable from any thread. cbk(cookie)
 * is called exactly once. Returns 0 when the call went out, or the negative
 * errno cbk got when it failed before (cbk has then already run). */
int rpc_clnt_submit(rpc_clnt_t *clnt, uint32_t prog, uint32_t vers, uint32_t proc,
                    const struct rpc_auth *auth, xdrproc_t xargs, void *args,
                    const struct iovec *payload, int count, gf_buf_t *keep, rpc_clnt_cbk_t cbk,
                    void *cookie);

/* Blocking call for a tool's main thread (never an event thread): waits up to
 * timeout_ms (> 0) in all for the connection (rpc_clnt_connect must have been
 * called) and for the reply, whose result is decoded with xres into res (free
 * it with xdr_free(xres, res)). 0, -ENOTCONN (not connected in time, or the
 * attempt failed with reconnection off), -ETIMEDOUT, -EPROTO, -EBADMSG (the
 * result did not decode), or another status of rpc_clnt_cbk_t. */
int rpc_clnt_call_sync(rpc_clnt_t *clnt, uint32_t prog, uint32_t vers, uint32_t proc,
                       const struct rpc_auth *auth, xdrproc_t xargs, void *args, xdrproc_t xres,
                       void *res, int timeout_ms);

/* True while connected. */
bool rpc_clnt_connected(rpc_clnt_t *clnt);

/* Closes the current connection; with reconnection on, a new attempt follows
 * after the backoff. Pending calls fail with -ENOTCONN. */
void rpc_clnt_disconnect(rpc_clnt_t *clnt);

/* Stops the client: no more attempts, the connection is closed, pending calls
 * fail with -ENOTCONN (their cbk runs inside this call), and it waits until no
 * callback of this client runs on another thread. Afterwards no callback
 * starts and clnt must not be used. May be called from this client's own
 * callbacks. */
void rpc_clnt_destroy(rpc_clnt_t *clnt);

#endif
