/*
 * The brick-op program of a brick process (contract in brick-ops.h): an rpc
 * server on a unix socket with STATUS, which lists the bricks this process
 * serves (the children of its protocol/server), and ATTACH and DETACH, which
 * this version refuses with ENOSYS and a message saying so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "brick-ops.h"
#include "brickop-xdr.h"
#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "rpcsvc.h"

struct gfsd_brick_ops {
    rpc_svc_t *svc;
    rpc_program_t prog; /* prog.priv is this struct */
    gf_xlator_t *server;
    char *volfile_id;
    int port;
};

/* Sends the reply: success with output (a serialized dict, may be NULL), or
 * failure with the positive errno err and errstr. Frees req. */
static void reply(rpc_req_t *req, int err, const char *errstr, char *output, size_t outlen)
{
    gf_brick_op_rsp rsp = {
        .op_ret = err ? -1 : 0, .op_errno = err, .errstr = (char *)(errstr ? errstr : "")};
    rsp.output.output_val = output;
    rsp.output.output_len = (u_int)outlen;
    rpc_req_reply(req, (xdrproc_t)xdr_gf_brick_op_rsp, &rsp, NULL, 0, NULL);
}

static int op_null(rpc_req_t *req)
{
    rpc_req_reply(req, NULL, NULL, NULL, 0, NULL);
    return 0;
}

static int op_attach(rpc_req_t *req)
{
    reply(req, ENOSYS,
          "this brick process cannot attach bricks yet: start the brick in a "
          "process of its own",
          NULL, 0);
    return 0;
}

static int op_detach(rpc_req_t *req)
{
    reply(req, ENOSYS,
          "this brick process cannot detach bricks yet: stop the whole process "
          "instead",
          NULL, 0);
    return 0;
}

/* Adds brick number n (from 1) of the STATUS output to d. 0 or -errno. */
static int add_brick(gf_dict_t *d, int n, const char *name, const char *volfile_id)
{
    char key[64];
    snprintf(key, sizeof(key), "brick%d.name", n);
    int ret = gf_dict_set_str(d, key, name);
    snprintf(key, sizeof(key), "brick%d.volfile-id", n);
    return ret ? ret : gf_dict_set_str(d, key, volfile_id);
}

/* Builds the STATUS output dict for brick name (empty: every brick). 0,
 * -ENOENT when name is not served, or -ENOMEM. */
static int status_dict(gfsd_brick_ops_t *b, const char *name, gf_dict_t *d)
{
    int count = 0, ret = 0;
    for (int i = 0; !ret && i < b->server->n_children; i++) {
        const char *brick = b->server->children[i]->name;
        if (!*name || strcmp(name, brick) == 0)
            ret = add_brick(d, ++count, brick, b->volfile_id);
    }
    if (!ret && *name && count == 0)
        ret = -ENOENT;
    if (!ret)
        ret = gf_dict_set_int32(d, "pid", (int32_t)getpid());
    if (!ret)
        ret = gf_dict_set_int32(d, "port", b->port);
    return ret ? ret : gf_dict_set_int32(d, "count", count);
}

static int op_status(rpc_req_t *req)
{
    gfsd_brick_ops_t *b = req->program->priv;
    gf_brick_status_req args = {0};
    int ret = rpc_req_decode(req, (xdrproc_t)xdr_gf_brick_status_req, &args, NULL);
    if (ret)
        return ret;
    gf_dict_t *d = gf_dict_new();
    char *out = NULL;
    size_t outlen = 0;
    ret = d ? status_dict(b, args.brick_name ? args.brick_name : "", d) : -ENOMEM;
    if (!ret)
        ret = gf_dict_serialize(d, &out, &outlen);
    if (ret == -ENOENT)
        reply(req, ENOENT, "this brick process does not serve that brick", NULL, 0);
    else if (ret)
        reply(req, -ret, "cannot build the status of this brick process", NULL, 0);
    else
        reply(req, 0, NULL, out, outlen);
    gf_free(out);
    gf_dict_unref(d);
    xdr_free((xdrproc_t)xdr_gf_brick_status_req, (char *)&args);
    return 0;
}

static const rpc_actor_t brick_op_actors[] = {
    [GF_BRICKOP_NULL] = {"NULL", op_null},
    [GF_BRICKOP_ATTACH] = {"ATTACH", op_attach},
    [GF_BRICKOP_DETACH] = {"DETACH", op_detach},
    [GF_BRICKOP_STATUS] = {"STATUS", op_status},
};

char *gfsd_brick_ops_path(const char *pidfile)
{
    size_t n = strlen(pidfile);
    if (n > 4 && strcmp(pidfile + n - 4, ".pid") == 0)
        n -= 4;
    char *path = NULL;
    return gf_asprintf(&path, "%.*s.sock", (int)n, pidfile) < 0 ? NULL : path;
}

int gfsd_brick_ops_start(const char *path, gf_xlator_t *server, const char *volfile_id, int port,
                         gfsd_brick_ops_t **out, char *err, size_t errlen)
{
    if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        snprintf(err, errlen,
                 "brick-op socket path %s is longer than the %zu bytes a unix "
                 "socket allows: use a shorter pidfile path",
                 path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
        return -ENAMETOOLONG;
    }
    gfsd_brick_ops_t *b = gf_calloc(1, sizeof(*b));
    char *spec = NULL;
    int ret = b && gf_asprintf(&spec, "unix:%s", path) >= 0 ? 0 : -ENOMEM;
    if (!ret) {
        b->server = server;
        b->port = port;
        b->volfile_id = gf_strdup(volfile_id ? volfile_id : "");
        b->prog = (rpc_program_t){.name = "gfs-brickop",
                                  .prognum = GF_BRICKOP_PROGRAM,
                                  .progver = GF_BRICKOP_VERSION,
                                  .actors = brick_op_actors,
                                  .n_actors = sizeof(brick_op_actors) / sizeof(brick_op_actors[0]),
                                  .priv = b};
        b->svc = b->volfile_id ? rpc_svc_new(gf_ctx->events, NULL, NULL) : NULL;
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
    if (b->svc)
        rpc_svc_destroy(b->svc);
    gf_free(b->volfile_id);
    gf_free(b);
}
