/*
 * The brick-op client (contract in brickop-clnt.h): an rpc client on the brick
 * process's unix socket, without reconnection, and a queue of the calls made
 * while it connects. Each call keeps its own copy of its arguments until it is
 * sent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "brickop-clnt.h"
#include "brickop-xdr.h"
#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "rpc-clnt.h"

typedef struct call {
    struct call *next;
    uint32_t proc;
    char *brick;
    char *volfile_id; /* ATTACH only */
    char *volfile;    /* ATTACH only */
    gd_brickop_cb_t cb;
    void *cookie;
    gd_brickop_t *owner;
} call_t;

struct gd_brickop {
    rpc_clnt_t *clnt;
    char *sock;
    int connected;
    call_t *queue; /* waiting for the connection, oldest first */
    call_t **tail; /* the link to append at */
};

static const char *
proc_name(uint32_t proc)
{
    return proc == GF_BRICKOP_ATTACH ? "ATTACH" : proc == GF_BRICKOP_DETACH ? "DETACH" : "STATUS";
}

static void
call_free(call_t *c)
{
    gf_free(c->brick);
    gf_free(c->volfile_id);
    gf_free(c->volfile);
    gf_free(c);
}

/* Ends c with a failure of our side (status of rpc_clnt_cbk_t) and frees it. */
static void
call_fail(call_t *c, int status)
{
    char msg[512];

    if (status == -ETIMEDOUT)
        snprintf(msg, sizeof(msg), "%s of brick %s: the brick process did not answer within %d s",
                 proc_name(c->proc), c->brick, GD_BRICKOP_TIMEOUT_MS / 1000);
    else if (status == -ENOTCONN)
        snprintf(msg, sizeof(msg),
                 "%s of brick %s: cannot reach the brick process on %s, or it went away",
                 proc_name(c->proc), c->brick, c->owner->sock);
    else
        snprintf(msg, sizeof(msg), "%s of brick %s: the brick process did not take the call: %s",
                 proc_name(c->proc), c->brick, strerror(-status));
    c->cb(status, msg, NULL, c->cookie);
    call_free(c);
}

/* Decodes a reply and ends the call with it. */
static void
reply_cbk(rpc_clnt_t *clnt, int status, const char *res, size_t res_len, gf_buf_t *record,
          void *cookie)
{
    call_t *c = cookie;
    gf_brick_op_rsp rsp = {0};
    gf_dict_t *out = NULL;
    XDR xdr;
    int ok;

    if (status) {
        call_fail(c, status);
        return;
    }
    xdrmem_create(&xdr, (char *)res, (u_int)res_len, XDR_DECODE);
    ok = xdr_gf_brick_op_rsp(&xdr, &rsp);
    xdr_destroy(&xdr);
    if (ok && rsp.op_ret == 0 && rsp.output.output_len &&
        gf_dict_unserialize(rsp.output.output_val, rsp.output.output_len, &out) != 0)
        ok = 0;
    if (!ok)
        call_fail(c, -EBADMSG);
    else if (rsp.op_ret != 0)
        c->cb(rsp.op_errno > 0 ? -rsp.op_errno : -EIO, rsp.errstr ? rsp.errstr : "", NULL,
              c->cookie);
    else
        c->cb(0, NULL, out, c->cookie);
    if (ok)
        call_free(c);
    gf_dict_unref(out);
    xdr_free((xdrproc_t)xdr_gf_brick_op_rsp, (char *)&rsp);
}

/* Sends c now (the connection is up). */
static void
send_call(gd_brickop_t *b, call_t *c)
{
    gf_brick_attach_req attach = {0};
    gf_brick_detach_req detach = {0};
    gf_brick_status_req status = {0};
    xdrproc_t x;
    void *args;

    if (c->proc == GF_BRICKOP_ATTACH) {
        attach.brick_name = c->brick;
        attach.volfile_id = c->volfile_id;
        attach.volfile.volfile_val = c->volfile;
        attach.volfile.volfile_len = (u_int)strlen(c->volfile);
        x = (xdrproc_t)xdr_gf_brick_attach_req;
        args = &attach;
    } else if (c->proc == GF_BRICKOP_DETACH) {
        detach.brick_name = c->brick;
        x = (xdrproc_t)xdr_gf_brick_detach_req;
        args = &detach;
    } else {
        status.brick_name = c->brick;
        x = (xdrproc_t)xdr_gf_brick_status_req;
        args = &status;
    }
    rpc_clnt_submit(b->clnt, GF_BRICKOP_PROGRAM, GF_BRICKOP_VERSION, c->proc, NULL, x, args,
                    NULL, 0, NULL, reply_cbk, c);
}

/* The oldest queued call, out of the queue; NULL when there is none. */
static call_t *
take(gd_brickop_t *b)
{
    call_t *c = b->queue;

    if (c && !(b->queue = c->next))
        b->tail = &b->queue;
    return c;
}

/* Ends every queued call with status. */
static void
fail_queue(gd_brickop_t *b, int status)
{
    call_t *c;

    while ((c = take(b)) != NULL)
        call_fail(c, status);
}

static void
notify(rpc_clnt_t *clnt, int event, void *mydata)
{
    gd_brickop_t *b = mydata;
    call_t *c;

    if (event == RPC_CLNT_CONNECT) {
        b->connected = 1;
        while (b->connected && (c = take(b)) != NULL)
            send_call(b, c);
        return;
    }
    b->connected = 0;
    fail_queue(b, -ENOTCONN);
}

gd_brickop_t *
gd_brickop_new(const char *sock)
{
    rpc_clnt_opts_t opts = RPC_CLNT_OPTS_DEFAULT;
    gd_brickop_t *b = gf_calloc(1, sizeof(*b));
    char *spec = NULL;

    if (b && (b->sock = gf_strdup(sock)) && gf_asprintf(&spec, "unix:%s", sock) >= 0) {
        b->tail = &b->queue;
        opts.call_timeout_ms = GD_BRICKOP_TIMEOUT_MS;
        b->clnt = rpc_clnt_new(gf_ctx->events, gf_ctx->timers, spec, &opts, notify, b);
    }
    gf_free(spec);
    if (b && !b->clnt) {
        gf_free(b->sock);
        gf_free(b);
        b = NULL;
    }
    return b;
}

/* Sends c, or queues it until the connection is up. */
static void
enqueue(gd_brickop_t *b, call_t *c)
{
    int err;

    if (b->connected) {
        send_call(b, c);
        return;
    }
    *b->tail = c;
    b->tail = &c->next;
    if ((err = rpc_clnt_connect(b->clnt)) != 0)
        fail_queue(b, err);
}

/* A new call; NULL after ending it with -ENOMEM. */
static call_t *
new_call(gd_brickop_t *b, uint32_t proc, const char *brick, gd_brickop_cb_t cb, void *cookie)
{
    call_t *c = gf_calloc(1, sizeof(*c));

    if (!c || !(c->brick = gf_strdup(brick))) {
        gf_free(c);
        cb(-ENOMEM, "glusterd is out of memory", NULL, cookie);
        return NULL;
    }
    c->proc = proc;
    c->cb = cb;
    c->cookie = cookie;
    c->owner = b;
    return c;
}

void
gd_brickop_attach(gd_brickop_t *b, const char *brick, const char *volfile_id,
                  const char *volfile, gd_brickop_cb_t cb, void *cookie)
{
    call_t *c = new_call(b, GF_BRICKOP_ATTACH, brick, cb, cookie);

    if (!c)
        return;
    c->volfile_id = gf_strdup(volfile_id);
    c->volfile = gf_strdup(volfile);
    if (!c->volfile_id || !c->volfile) {
        call_free(c);
        cb(-ENOMEM, "glusterd is out of memory", NULL, cookie);
        return;
    }
    enqueue(b, c);
}

void
gd_brickop_detach(gd_brickop_t *b, const char *brick, gd_brickop_cb_t cb, void *cookie)
{
    call_t *c = new_call(b, GF_BRICKOP_DETACH, brick, cb, cookie);
    if (c)
        enqueue(b, c);
}

void
gd_brickop_status(gd_brickop_t *b, const char *brick, gd_brickop_cb_t cb, void *cookie)
{
    call_t *c = new_call(b, GF_BRICKOP_STATUS, brick, cb, cookie);
    if (c)
        enqueue(b, c);
}

void
gd_brickop_free(gd_brickop_t *b)
{
    if (!b)
        return;
    rpc_clnt_destroy(b->clnt);
    fail_queue(b, -ENOTCONN);
    gf_free(b->sock);
    gf_free(b);
}
