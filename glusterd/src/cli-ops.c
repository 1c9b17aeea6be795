/*
 * The CLI program (ours, doc/protocol.md section 10) as glusterd serves it on its
 * unix socket and TCP port: decodes the request dict, runs the operation (the
 * changing ones live in vol-ops.c; info, status, list and getwd, which only read,
 * are here) and replies with op_ret/op_errno/errstr and the output dict.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "brick-proc.h"
#include "cli-xdr.h"
#include "glusterd.h"
#include "programs.h"
#include "rpcsvc.h"
#include "vol-ops.h"
#include "volume.h"

/* Replies to a CLI call: err 0 with out (may be NULL), or -errno with errstr. */
static void
cli_reply(rpc_req_t *req, int err, const char *errstr, gf_dict_t *out)
{
    gf_cli_rsp rsp = {0};
    char *buf = NULL;
    size_t len = 0;

    if (!err && out && gf_dict_count(out) && gf_dict_serialize(out, &buf, &len) != 0) {
        err = -ENOMEM;
        errstr = "glusterd is out of memory";
    }
    rsp.op_ret = err ? -1 : 0;
    rsp.op_errno = -err;
    rsp.errstr = (char *)(err ? (errstr ? errstr : strerror(-err)) : "");
    rsp.output.output_val = buf;
    rsp.output.output_len = (unsigned)len;
    rpc_req_reply(req, (xdrproc_t)xdr_gf_cli_rsp, &rsp, NULL, 0, NULL);
    gf_free(buf);
}

/* gd_op_done_t for operations whose cookie is the request. */
static void
op_done(int err, const char *errstr, gf_dict_t *out, void *cookie)
{
    cli_reply(cookie, err, errstr, out);
}

/* Decodes the request dict of req into *args (an empty dict when none was sent).
 * 0 or -EBADMSG / -ENOMEM. */
static int
decode_args(rpc_req_t *req, gf_dict_t **args)
{
    gf_cli_req in = {0};
    int err = 0;

    if (rpc_req_decode(req, (xdrproc_t)xdr_gf_cli_req, &in, NULL) != 0)
        return -EBADMSG;
    if (in.args.args_len)
        err = gf_dict_unserialize(in.args.args_val, in.args.args_len, args) ? -EBADMSG : 0;
    else if (!(*args = gf_dict_new()))
        err = -ENOMEM;
    xdr_free((xdrproc_t)xdr_gf_cli_req, (char *)&in);
    return err;
}

/* The "volname" of args (NULL when absent or "all"), checked when given. 0, or
 * replies with the error and returns -1. */
static int
get_volname(rpc_req_t *req, gf_dict_t *args, int required, char *name)
{
    const char *v = NULL;
    char err[256];

    if (gf_dict_get_str(args, "volname", &v) != 0 || (!required && strcmp(v, "all") == 0)) {
        if (!required) {
            name[0] = '\0';
            return 0;
        }
        cli_reply(req, -EINVAL, "the volume name is missing", NULL);
        return -1;
    }
    if (gd_vol_name_check(v, err, sizeof(err)) != 0) {
        cli_reply(req, -EINVAL, err, NULL);
        return -1;
    }
    snprintf(name, GD_VOL_NAME_MAX + 1, "%s", v);
    return 0;
}

/* Decodes args and gets the volume name; the operation's common start. */
static int
begin(rpc_req_t *req, gf_dict_t **args, int required, char *name)
{
    int err = decode_args(req, args);
    if (err)
        return err;
    if (get_volname(req, *args, required, name) != 0) {
        gf_dict_unref(*args);
        return 1;
    }
    return 0;
}

static int
flag(gf_dict_t *args, const char *key)
{
    bool v = false;
    gf_dict_get_bool(args, key, &v);
    return v;
}

static int
volume_create(rpc_req_t *req)
{
    gf_dict_t *args = NULL;
    int err = decode_args(req, &args);
    if (err)
        return err;
    gd_vol_create(args, op_done, req);
    gf_dict_unref(args);
    return 0;
}

/* START, STOP, DELETE: one volume name, maybe force. */
static int
volume_change(rpc_req_t *req)
{
    gf_dict_t *args = NULL;
    char name[GD_VOL_NAME_MAX + 1];
    int err = begin(req, &args, 1, name), force;

    if (err)
        return err < 0 ? err : 0;
    force = flag(args, "force");
    gf_dict_unref(args);
    if (req->proc == GF_CLI_VOLUME_START)
        gd_vol_start(name, force, op_done, req);
    else if (req->proc == GF_CLI_VOLUME_STOP)
        gd_vol_stop(name, force, op_done, req);
    else
        gd_vol_delete(name, op_done, req);
    return 0;
}

/* --- reading operations --- */

/* Sets "PREFIX.KEY" = printf(fmt, ...) in out. 0 or -ENOMEM. */
static int __attribute__((format(printf, 4, 5)))
setf(gf_dict_t *out, const char *prefix, const char *key, const char *fmt, ...)
{
    char k[256], v[4200];
    va_list ap;

    snprintf(k, sizeof(k), "%s%s%s", prefix, *prefix ? "." : "", key);
    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    return gf_dict_set_str(out, k, v);
}

/* Adds the info of vol as "volumeN." keys. 0 or -ENOMEM. */
static int
add_info(gf_dict_t *out, int n, const gd_volume_t *vol)
{
    char p[32], key[32];
    int err;

    snprintf(p, sizeof(p), "volume%d", n);
    err = setf(out, p, "name", "%s", vol->name) | setf(out, p, "id", "%s", vol->id) |
          setf(out, p, "type", "%s", vol->type) |
          setf(out, p, "status", "%s", gd_vol_status_title(vol->status)) |
          setf(out, p, "transport", "%s", vol->transport) |
          setf(out, p, "brick-count", "%d", vol->n_bricks) |
          setf(out, p, "replica-count", "%d", 1) |
          setf(out, p, "option-count", "%d", vol->n_opts);
    for (int i = 0; i < vol->n_bricks; i++) {
        snprintf(key, sizeof(key), "brick%d", i + 1);
        err |= setf(out, p, key, "%s:%s", vol->bricks[i].host, vol->bricks[i].path);
    }
    for (int i = 0; i < vol->n_opts; i++) {
        snprintf(key, sizeof(key), "option%d.key", i + 1);
        err |= setf(out, p, key, "%s", vol->opts[i].key);
        snprintf(key, sizeof(key), "option%d.value", i + 1);
        err |= setf(out, p, key, "%s", vol->opts[i].value);
    }
    return err ? -ENOMEM : 0;
}

/* Adds the runtime status of vol's bricks as "volumeN." keys. 0 or -ENOMEM. */
static int
add_status(gf_dict_t *out, int n, const gd_volume_t *vol)
{
    char p[32], b[48];
    int err;

    snprintf(p, sizeof(p), "volume%d", n);
    err = setf(out, p, "name", "%s", vol->name) |
          setf(out, p, "brick-count", "%d", vol->n_bricks);
    for (int i = 0; i < vol->n_bricks; i++) {
        gd_brick_state_t st;
        gd_brick_get_state(vol->bricks[i].path, &st);
        snprintf(b, sizeof(b), "%s.brick%d", p, i + 1);
        err |= setf(out, b, "host", "%s", vol->bricks[i].host) |
               setf(out, b, "path", "%s", vol->bricks[i].path) |
               setf(out, b, "port", "%d", st.port) | setf(out, b, "pid", "%d", (int)st.pid) |
               setf(out, b, "online", "%d", st.online);
    }
    return err ? -ENOMEM : 0;
}

/* Fills out for the reading procedure proc with vols (all volumes, or the one
 * named). Returns 0, or -errno with msg set. */
static int
fill_output(uint32_t proc, const char *name, gd_volume_t **vols, int n, gf_dict_t *out,
            char *msg, size_t len)
{
    int count = 0, err = 0;
    char key[32];

    if (*name && n == 0) {
        snprintf(msg, len, "Volume %s does not exist", name);
        return -ENOENT;
    }
    if (proc == GF_CLI_VOLUME_STATUS && *name && vols[0]->status != GD_VOL_STARTED) {
        snprintf(msg, len, "Volume %s is not started", name);
        return -EINVAL;
    }
    for (int i = 0; i < n && !err; i++) {
        if (proc == GF_CLI_VOLUME_INFO) {
            err = add_info(out, ++count, vols[i]);
        } else if (proc == GF_CLI_VOLUME_LIST) {
            snprintf(key, sizeof(key), "volume%d", ++count);
            err = gf_dict_set_str(out, key, vols[i]->name);
        } else if (vols[i]->status == GD_VOL_STARTED) {
            err = add_status(out, ++count, vols[i]);
        }
    }
    if (!err)
        err = setf(out, "", "count", "%d", count);
    if (err)
        snprintf(msg, len, "glusterd is out of memory");
    return err ? -ENOMEM : 0;
}

static void
read_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    rpc_req_t *req = cookie;
    char *name = req->priv, msg[512];
    gf_dict_t *out = gf_dict_new();

    if (warn && *warn)
        gf_log(GF_LOG_ERROR, "%s", warn);
    if (err)
        snprintf(msg, sizeof(msg), "cannot read the volumes from the store: %s",
                 strerror(-err));
    else if (!out)
        err = -ENOMEM;
    else
        err = fill_output(req->proc, name, vols, n, out, msg, sizeof(msg));
    gf_free(name);
    cli_reply(req, err, msg, out);
    gf_dict_unref(out);
    gd_vols_free(vols, n);
}

/* INFO, STATUS, LIST: volume name optional. */
static int
volume_read(rpc_req_t *req)
{
    gf_dict_t *args = NULL;
    char name[GD_VOL_NAME_MAX + 1];
    int err = begin(req, &args, 0, name);

    if (err)
        return err < 0 ? err : 0;
    gf_dict_unref(args);
    if (req->proc == GF_CLI_VOLUME_LIST)
        name[0] = '\0';
    if (!(req->priv = gf_strdup(name)))
        return -ENOMEM;
    gd_vols_load(gd.store, *name ? name : NULL, read_loaded, req);
    return 0;
}

static int
getwd_proc(rpc_req_t *req)
{
    gf_dict_t *out = gf_dict_new();
    int err = out ? gf_dict_set_str(out, "workdir", gd.conf.workdir) : -ENOMEM;
    cli_reply(req, err, NULL, out);
    gf_dict_unref(out);
    return 0;
}

static int
null_proc(rpc_req_t *req)
{
    rpc_req_reply(req, NULL, NULL, NULL, 0, NULL);
    return 0;
}

static const rpc_actor_t actors[] = {
    [GF_CLI_NULL] = {"NULL", null_proc},
    [GF_CLI_VOLUME_CREATE] = {"VOLUME_CREATE", volume_create},
    [GF_CLI_VOLUME_START] = {"VOLUME_START", volume_change},
    [GF_CLI_VOLUME_STOP] = {"VOLUME_STOP", volume_change},
    [GF_CLI_VOLUME_DELETE] = {"VOLUME_DELETE", volume_change},
    [GF_CLI_VOLUME_INFO] = {"VOLUME_INFO", volume_read},
    [GF_CLI_VOLUME_STATUS] = {"VOLUME_STATUS", volume_read},
    [GF_CLI_VOLUME_LIST] = {"VOLUME_LIST", volume_read},
    [GF_CLI_GETWD] = {"GETWD", getwd_proc},
};

static const rpc_program_t program = {
    .name = "gfs-cli",
    .prognum = GF_CLI_PROGRAM,
    .progver = GF_CLI_VERSION,
    .actors = actors,
    .n_actors = sizeof(actors) / sizeof(actors[0]),
};

int
gd_cli_program_register(rpc_svc_t *svc)
{
    return rpc_svc_register(svc, &program);
}
