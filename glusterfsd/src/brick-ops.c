/*
 * The brick-op program of a brick process (contract in brick-ops.h): an rpc
 * server on a unix socket whose actors decode the call on the event thread
 * and hand it to the bricks of the process (bricks.h), which do the work on
 * the worker pool and report back; the reply is sent from there.
 *
 * The replies not yet handed to the transport are counted, so that stopping
 * (above all when the DETACH of the last brick makes the process exit while
 * other DETACHes still wait for glusterd's answer to their SIGNOUT) first
 * waits a bounded time for them. Each such reply holds a reference on the
 * struct, which a reply later than that wait may still touch.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>

#include "brick-ops.h"
#include "brickop-xdr.h"
#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "rpcsvc.h"

/* How long stopping waits for the replies still in progress. */
#define DRAIN_MS 2000

struct gfsd_brick_ops {
    rpc_svc_t *svc;
    rpc_program_t prog; /* prog.priv is this struct */
    gfsd_bricks_t *bricks;
    pthread_mutex_t lock; /* guards the fields below */
    pthread_cond_t idle;  /* signalled when pending drops to 0 */
    int pending;          /* calls handed to the bricks, not yet replied */
    int refs;             /* 1 for the server, 1 for each pending call */
};

/* Drops a reference on b; the last one frees it. */
static void ops_unref(gfsd_brick_ops_t *b)
{
    pthread_mutex_lock(&b->lock);
    bool last = --b->refs == 0;
    pthread_mutex_unlock(&b->lock);
    if (!last)
        return;
    pthread_cond_destroy(&b->idle);
    pthread_mutex_destroy(&b->lock);
    gf_free(b);
}

/* Counts req (whose reply is sent by `reply`) as pending on b and returns
 * req, the argument to hand to the bricks with `reply`. */
static rpc_req_t *call_begin(gfsd_brick_ops_t *b, rpc_req_t *req)
{
    pthread_mutex_lock(&b->lock);
    b->pending++;
    b->refs++;
    pthread_mutex_unlock(&b->lock);
    req->priv = b;
    return req;
}

/* The reply of one pending call has been handed to the transport. */
static void call_end(gfsd_brick_ops_t *b)
{
    pthread_mutex_lock(&b->lock);
    if (--b->pending == 0)
        pthread_cond_broadcast(&b->idle);
    pthread_mutex_unlock(&b->lock);
    ops_unref(b);
}

/* Waits until no reply is pending on b, or DRAIN_MS. */
static void drain(gfsd_brick_ops_t *b)
{
    uint64_t deadline = gf_time_ms() + DRAIN_MS;
    struct timespec ts = {.tv_sec = (time_t)(deadline / 1000),
                          .tv_nsec = (long)(deadline % 1000) * 1000000L};
    pthread_mutex_lock(&b->lock);
    while (b->pending > 0 && pthread_cond_timedwait(&b->idle, &b->lock, &ts) != ETIMEDOUT)
        ;
    int left = b->pending;
    pthread_mutex_unlock(&b->lock);
    if (left)
        gf_log(GF_LOG_WARNING, "stopping with %d brick-op replies still unsent after %d ms", left,
               DRAIN_MS);
}

/* gfsd_bricks_done_t: sends the reply of the call arg (an rpc_req_t counted
 * by call_begin): success with output (serialized), or failure with err and
 * errstr; then ends the call. */
static void reply(int err, const char *errstr, gf_dict_t *output, void *arg)
{
    gfsd_brick_ops_t *b = ((rpc_req_t *)arg)->priv;
    gf_brick_op_rsp rsp = {
        .op_ret = err ? -1 : 0, .op_errno = err, .errstr = (char *)(errstr ? errstr : "")};
    char *out = NULL;
    size_t outlen = 0;
    if (output && gf_dict_serialize(output, &out, &outlen) != 0) {
        rsp.op_ret = -1;
        rsp.op_errno = ENOMEM;
        rsp.errstr = "out of memory encoding the reply";
    }
    rsp.output.output_val = out;
    rsp.output.output_len = (u_int)outlen;
    rpc_req_reply(arg, (xdrproc_t)xdr_gf_brick_op_rsp, &rsp, NULL, 0, NULL);
    gf_free(out);
    call_end(b);
}

static int op_null(rpc_req_t *req)
{
    rpc_req_reply(req, NULL, NULL, NULL, 0, NULL);
    return 0;
}

static int op_attach(rpc_req_t *req)
{
    gfsd_brick_ops_t *b = req->program->priv;
    gf_brick_attach_req args = {0};
    int ret = rpc_req_decode(req, (xdrproc_t)xdr_gf_brick_attach_req, &args, NULL);
    if (ret)
        return ret;
    gfsd_bricks_attach(b->bricks, args.brick_name, args.volfile_id, args.volfile.volfile_val,
                       args.volfile.volfile_len, reply, call_begin(b, req));
    xdr_free((xdrproc_t)xdr_gf_brick_attach_req, (char *)&args);
    return 0;
}

static int op_detach(rpc_req_t *req)
{
    gfsd_brick_ops_t *b = req->program->priv;
    gf_brick_detach_req args = {0};
    int ret = rpc_req_decode(req, (xdrproc_t)xdr_gf_brick_detach_req, &args, NULL);
    if (ret)
        return ret;
    gfsd_bricks_detach(b->bricks, args.brick_name, reply, call_begin(b, req));
    xdr_free((xdrproc_t)xdr_gf_brick_detach_req, (char *)&args);
    return 0;
}

static int op_status(rpc_req_t *req)
{
    gfsd_brick_ops_t *b = req->program->priv;
    gf_brick_status_req args = {0};
    int ret = rpc_req_decode(req, (xdrproc_t)xdr_gf_brick_status_req, &args, NULL);
    if (ret)
        return ret;
    gfsd_bricks_status(b->bricks, args.brick_name, reply, call_begin(b, req));
    xdr_free((xdrproc_t)xdr_gf_brick_status_req, (char *)&args);
    return 0;
}

static const rpc_actor_t brick_op_actors[] = {
    [GF_BRICKOP_NULL] = {"NULL", op_null},
    [GF_BRICKOP_ATTACH] = {"ATTACH", op_attach},
    [GF_BRICKOP_DETACH] = {"DETACH", op_detach},
    [GF_BRICKOP_STATUS] = {"STATUS", op_status},
};

/* A new struct holding one reference (the server's), or NULL on ENOMEM. */
static gfsd_brick_ops_t *ops_new(void)
{
    gfsd_brick_ops_t *b = gf_calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->idle, &ca);
    pthread_condattr_destroy(&ca);
    b->refs = 1;
    return b;
}

char *gfsd_brick_ops_path(const char *pidfile)
{
    size_t n = strlen(pidfile);
    if (n > 4 && strcmp(pidfile + n - 4, ".pid") == 0)
        n -= 4;
    char *path = NULL;
    return gf_asprintf(&path, "%.*s.sock", (int)n, pidfile) < 0 ? NULL : path;
}

int gfsd_brick_ops_start(const char *path, gfsd_bricks_t *bricks, gfsd_brick_ops_t **out, char *err,
                         size_t errlen)
{
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        snprintf(err, errlen,
                 "brick-op socket path %s is longer than the %zu bytes a unix "
                 "socket allows: use a shorter pidfile path",
                 path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
        return -ENAMETOOLONG;
    }
    gfsd_brick_ops_t *b = ops_new();
    char *spec = NULL;
    int ret = b && gf_asprintf(&spec, "unix:%s", path) >= 0 ? 0 : -ENOMEM;
    if (!ret) {
        b->bricks = bricks;
        b->prog = (rpc_program_t){.name = "gfs-brickop",
                                  .prognum = GF_BRICKOP_PROGRAM,
                                  .progver = GF_BRICKOP_VERSION,
                                  .actors = brick_op_actors,
                                  .n_actors = sizeof(brick_op_actors) / sizeof(brick_op_actors[0]),
                                  .priv = b};
        b->svc = rpc_svc_new(gf_ctx->events, NULL, NULL);
        ret = b->svc ? rpc_svc_register(b->svc, &b->prog) : -ENOMEM;
    }
    if (!ret)
        ret = rpc_svc_listen(b->svc, spec);
    gf_free(spec);
    if (ret) {
        snprintf(err, errlen, "cannot serve the brick-op program on %s: %s%s", path, strerror(-ret),
                 ret == -EADDRINUSE ? " (another brick process is serving it)" : "");
        gfsd_brick_ops_stop(b);
        return ret;
    }
    *out = b;
    return 0;
}

void gfsd_brick_ops_stop(gfsd_brick_ops_t *b)
{
    if (!b)
        return;
    drain(b);
    if (b->svc)
        rpc_svc_destroy(b->svc);
    ops_unref(b);
}
