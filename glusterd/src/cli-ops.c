/*
 * The CLI program (ours, doc/protocol.md section 10) as glusterd serves it on its
 * unix socket and TCP port: decodes the request dict, runs the operation (the
 * changing ones live in vol-ops.c; info, status, list, get and getwd, which only
 * read, are here) and replies with op_ret/op_errno/errstr and the output dict.
 * `volume status VOL clients|mem` asks the brick processes (STATUS) and answers
 * once every brick has.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "brick-proc.h"
#include "bstatus.h"
#include "coord.h"
#include "members.h"
#include "cli-xdr.h"
#include "glusterd.h"
#include "programs.h"
#include "rpcsvc.h"
#include "mux.h"
#include "vol-ops.h"
#include "volset.h"
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

/* SET (and reset): checked and done in vol-ops.c. */
static int
volume_set(rpc_req_t *req)
{
    gf_dict_t *args = NULL;
    int err = decode_args(req, &args);
    if (err)
        return err;
    gd_vol_set(args, op_done, req);
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

/* Adds the status of vol's bricks, from their reports sts, as "volumeN." keys.
 * 0 or -ENOMEM. */
static int
add_status(gf_dict_t *out, int n, const gd_volume_t *vol, const gd_bstatus_t *sts)
{
    char p[32], b[64];
    int err;

    snprintf(p, sizeof(p), "volume%d", n);
    err = setf(out, p, "name", "%s", vol->name) |
          setf(out, p, "brick-count", "%d", vol->n_bricks);
    for (int i = 0; i < vol->n_bricks; i++) {
        int online = sts[i].state == GD_BS_ONLINE;
        snprintf(b, sizeof(b), "%s.brick%d", p, i + 1);
        err |= setf(out, b, "host", "%s", vol->bricks[i].host) |
               setf(out, b, "path", "%s", vol->bricks[i].path) |
               setf(out, b, "port", "%d", online ? sts[i].port : 0) |
               setf(out, b, "pid", "%d", online ? sts[i].pid : -1) |
               setf(out, b, "online", "%d", online) |
               setf(out, b, "local", "%d", !strcmp(sts[i].server, gd.conf.uuid));
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
        }
    }
    if (!err)
        err = setf(out, "", "count", "%d", count);
    if (err)
        snprintf(msg, len, "glusterd is out of memory");
    return err ? -ENOMEM : 0;
}

/* What a reading call asked (req->priv while the volumes load). */
typedef struct reading {
    char name[GD_VOL_NAME_MAX + 1]; /* "" = all */
    char detail[16];                /* STATUS: "clients", "mem" or "" */
    char key[256];                  /* GET */
} reading_t;

/* A STATUS call gathering brick figures: replies once pending reaches 0. */
typedef struct gather {
    rpc_req_t *req;
    gf_dict_t *out;
    int pending;
} gather_t;

/* One brick's share of a gather. */
typedef struct gather_one {
    gather_t *g;
    char prefix[48]; /* "volumeN.brickM" */
} gather_one_t;

/* Copies a figure of a STATUS output for one brick under the brick's prefix:
 * "brick1.X" as "PREFIX.X", the process's "threads" and "open-fds" as
 * "PREFIX.process-threads" and "PREFIX.process-open-fds". */
static int
copy_figure(gf_dict_t *src, const char *key, const gf_data_t *value, void *arg)
{
    gather_one_t *o = arg;
    const char *v = NULL;
    char k[256];

    if (!strcmp(key, "threads") || !strcmp(key, "open-fds"))
        snprintf(k, sizeof(k), "%s.process-%s", o->prefix, key);
    else if (!strncmp(key, "brick1.", 7) && strcmp(key, "brick1.name") &&
             strcmp(key, "brick1.volfile-id"))
        snprintf(k, sizeof(k), "%s.%s", o->prefix, key + 7);
    else
        return 0;
    if (gf_dict_get_str(src, key, &v) != 0)
        return 0;
    return gf_dict_set_str(o->g->out, k, v) ? -1 : 0;
}

static void
gather_end(gather_t *g)
{
    if (--g->pending > 0)
        return;
    cli_reply(g->req, 0, NULL, g->out);
    gf_dict_unref(g->out);
    gf_free(g);
}

static void
brick_figures(int err, const char *msg, gf_dict_t *out, void *cookie)
{
    gather_one_t *o = cookie;

    if (err)
        setf(o->g->out, o->prefix, "error", "%s", msg);
    else if (out)
        gf_dict_foreach(out, copy_figure, o);
    gather_end(o->g);
    gf_free(o);
}

/* Asks every online brick listed in out for its figures, then replies. */
static void
gather_figures(rpc_req_t *req, gf_dict_t *out, const char *detail)
{
    gather_t *g = gf_calloc(1, sizeof(*g));
    int32_t nv = 0, nb = 0, online = 0;
    char p[48];

    if (!g || setf(out, "", "detail", "%s", detail)) {
        gf_free(g);
        cli_reply(req, -ENOMEM, "glusterd is out of memory", NULL);
        return;
    }
    g->req = req;
    g->out = gf_dict_ref(out);
    g->pending = 1;
    gf_dict_get_int32(out, "count", &nv);
    for (int v = 1; v <= nv; v++) {
        snprintf(p, sizeof(p), "volume%d.brick-count", v);
        gf_dict_get_int32(out, p, &nb);
        for (int i = 1; i <= nb; i++) {
            const char *path = NULL;
            gather_one_t *o;
            int32_t local = 0;
            snprintf(p, sizeof(p), "volume%d.brick%d.online", v, i);
            gf_dict_get_int32(out, p, &online);
            snprintf(p, sizeof(p), "volume%d.brick%d.local", v, i);
            gf_dict_get_int32(out, p, &local);
            if (online && !local) {
                snprintf(p, sizeof(p), "volume%d.brick%d", v, i);
                setf(out, p, "error", "on another server: run the command on that server");
                continue;
            }
            snprintf(p, sizeof(p), "volume%d.brick%d.path", v, i);
            o = online ? gf_calloc(1, sizeof(*o)) : NULL;
            if (!o || !online || gf_dict_get_str(out, p, &path) != 0) {
                gf_free(o);
                continue;
            }
            o->g = g;
            snprintf(o->prefix, sizeof(o->prefix), "volume%d.brick%d", v, i);
            g->pending++;
            gd_brick_status(path, brick_figures, o);
        }
    }
    gather_end(g);
}

/* A STATUS call reading the brick reports of its started volumes, one after the
 * other. */
typedef struct walk {
    rpc_req_t *req;
    gf_dict_t *out;
    gd_volume_t **vols;
    int n, next, count;
} walk_t;

static void walk_next(walk_t *w);

static void
walk_end(walk_t *w, int err, const char *msg)
{
    reading_t *r = w->req->priv;

    if (!err && setf(w->out, "", "count", "%d", w->count))
        err = -ENOMEM, msg = "glusterd is out of memory";
    if (!err && r->detail[0])
        gather_figures(w->req, w->out, r->detail);
    else
        cli_reply(w->req, err, msg, w->out);
    gf_free(r);
    gf_dict_unref(w->out);
    gd_vols_free(w->vols, w->n);
    gf_free(w);
}

static void
walk_loaded(int err, const char *msg, const gd_bstatus_t *sts, int n, void *cookie)
{
    walk_t *w = cookie;

    if (!err && add_status(w->out, ++w->count, w->vols[w->next - 1], sts) != 0)
        err = -ENOMEM, msg = "glusterd is out of memory";
    if (err)
        walk_end(w, err, msg);
    else
        walk_next(w);
}

static void
walk_next(walk_t *w)
{
    while (w->next < w->n && w->vols[w->next]->status != GD_VOL_STARTED)
        w->next++;
    if (w->next == w->n) {
        walk_end(w, 0, NULL);
        return;
    }
    w->next++;
    gd_bstatus_load(w->vols[w->next - 1]->name, w->vols[w->next - 1]->n_bricks, walk_loaded, w);
}

static void
roles_done(int err, const char *msg, gf_dict_t *out, void *cookie)
{
    rpc_req_t *req = cookie;
    gf_free(req->priv);
    cli_reply(req, err, msg, out);
}

/* STATUS of the volumes (vols owned from here on): the brick reports, or the
 * roles. */
static void
status_start(rpc_req_t *req, gf_dict_t *out, gd_volume_t **vols, int n)
{
    reading_t *r = req->priv;
    walk_t *w;

    if (!strcmp(r->detail, "roles")) {
        gd_vols_free(vols, n);
        gd_coord_roles(r->name, roles_done, req);
        return;
    }
    if (!(w = gf_calloc(1, sizeof(*w)))) {
        gd_vols_free(vols, n);
        gf_free(r);
        cli_reply(req, -ENOMEM, "glusterd is out of memory", NULL);
        return;
    }
    w->req = req;
    w->out = gf_dict_ref(out);
    w->vols = vols;
    w->n = n;
    walk_next(w);
}

static void
read_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    rpc_req_t *req = cookie;
    reading_t *r = req->priv;
    gf_dict_t *out = gf_dict_new();
    char msg[1024];

    if (warn && *warn)
        gf_log(GF_LOG_ERROR, "%s", warn);
    if (err) {
        char why[512];
        gd_store_strerror(gd.store, err, why, sizeof(why));
        snprintf(msg, sizeof(msg), "cannot read the volumes: %s", why);
    } else if (!out) {
        err = -ENOMEM;
    } else {
        err = fill_output(req->proc, r->name, vols, n, out, msg, sizeof(msg));
    }
    if (!err && req->proc == GF_CLI_VOLUME_STATUS) {
        status_start(req, out, vols, n);
        gf_dict_unref(out);
        return;
    }
    cli_reply(req, err, msg, out);
    gf_free(r);
    gf_dict_unref(out);
    gd_vols_free(vols, n);
}

/* INFO, STATUS (detail optional), LIST: volume name optional. */
static int
volume_read(rpc_req_t *req)
{
    gf_dict_t *args = NULL;
    reading_t *r = gf_calloc(1, sizeof(*r));
    const char *detail = "";
    int err = r ? begin(req, &args, 0, r->name) : -ENOMEM;

    if (err) {
        gf_free(r);
        return err < 0 ? err : 0;
    }
    gf_dict_get_str(args, "detail", &detail);
    if (req->proc != GF_CLI_VOLUME_STATUS ||
        (*detail && strcmp(detail, "clients") && strcmp(detail, "mem") &&
         (strcmp(detail, "roles") || !r->name[0])))
        detail = "";
    snprintf(r->detail, sizeof(r->detail), "%s", detail);
    gf_dict_unref(args);
    if (req->proc == GF_CLI_VOLUME_LIST)
        r->name[0] = '\0';
    req->priv = r;
    gd_vols_load(gd.store, r->name[0] ? r->name : NULL, read_loaded, req);
    return 0;
}

/* Adds "keyN"/"valueN" (N = ++*count) to out. 0 or -ENOMEM. */
static int
add_pair(gf_dict_t *out, int *count, const char *key, const char *value)
{
    char k[32];

    ++*count;
    snprintf(k, sizeof(k), "key%d", *count);
    if (gf_dict_set_str(out, k, key))
        return -ENOMEM;
    snprintf(k, sizeof(k), "value%d", *count);
    return gf_dict_set_str(out, k, value) ? -ENOMEM : 0;
}

/* Adds the cluster-wide options matching key ("all": every one). */
static int
add_global(gf_dict_t *out, int *count, const char *key)
{
    char v[32];
    int err = 0;

    if (!strcmp(key, "all") || !strcmp(key, GD_MUX_KEY))
        err = add_pair(out, count, GD_MUX_KEY, gd.mux.enabled ? "on" : "off");
    snprintf(v, sizeof(v), "%lld", (long long)gd.mux.max_bricks);
    if (!err && (!strcmp(key, "all") || !strcmp(key, GD_MUX_LIMIT_KEY)))
        err = add_pair(out, count, GD_MUX_LIMIT_KEY, v);
    return err;
}

/* Fills out for `volume get NAME|all KEY|all`; vol NULL for "all". 0, or -errno
 * with msg. */
static int
fill_get(const gd_volume_t *vol, const char *key, gf_dict_t *out, char *msg, size_t len)
{
    const gd_volgen_opt_t *o;
    int count = 0, err = 0;

    for (int i = 0; vol && !err && (o = gd_volgen_opt_at(i)) != NULL; i++) {
        const gd_volgen_opt_t *prev = gd_volgen_opt_at(i - 1);
        if ((prev && !strcmp(prev->key, o->key)) || (strcmp(key, "all") && strcmp(key, o->key)))
            continue; /* a further row of the same key, or not asked for */
        err = add_pair(out, &count, o->key, gd_volset_value(gd.xlmeta, vol, o));
    }
    if (!err)
        err = add_global(out, &count, key);
    if (!err && count == 0) {
        snprintf(msg, len, "option %s does not exist; `gluster volume get %s all` lists the "
                           "options",
                 key, vol ? vol->name : "all");
        return -ENOENT;
    }
    if (!err)
        err = setf(out, "", "count", "%d", count);
    if (err)
        snprintf(msg, len, "glusterd is out of memory");
    return err;
}

static void
get_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    rpc_req_t *req = cookie;
    reading_t *r = req->priv;
    gf_dict_t *out = gf_dict_new();
    char msg[512];

    if (err)
        snprintf(msg, sizeof(msg), "cannot read volume %s from the store: %s", r->name,
                 strerror(-err));
    else if (!out)
        err = -ENOMEM;
    else if (r->name[0] && n != 1) {
        snprintf(msg, sizeof(msg), "Volume %s does not exist", r->name);
        err = -ENOENT;
    } else {
        err = fill_get(r->name[0] ? vols[0] : NULL, r->key, out, msg, sizeof(msg));
    }
    cli_reply(req, err, msg, out);
    gf_free(r);
    gf_dict_unref(out);
    gd_vols_free(vols, n);
}

/* GET: volname ("all": the cluster-wide options) and key ("all": every one). */
static int
volume_get(rpc_req_t *req)
{
    gf_dict_t *args = NULL;
    reading_t *r = gf_calloc(1, sizeof(*r));
    const char *key = NULL;
    int err = r ? begin(req, &args, 0, r->name) : -ENOMEM;

    if (err) {
        gf_free(r);
        return err < 0 ? err : 0;
    }
    if (gf_dict_get_str(args, "key", &key) != 0 || strlen(key) >= sizeof(r->key)) {
        gf_dict_unref(args);
        gf_free(r);
        cli_reply(req, -EINVAL, "volume get: the option name (or all) is missing", NULL);
        return 0;
    }
    snprintf(r->key, sizeof(r->key), "%s", key);
    gf_dict_unref(args);
    req->priv = r;
    if (r->name[0])
        gd_vols_load(gd.store, r->name, get_loaded, req);
    else
        get_loaded(0, NULL, 0, "", req);
    return 0;
}

/* --- peers --- */

static int
peer_probe(rpc_req_t *req)
{
    gf_dict_t *args = NULL;
    const char *host = NULL;
    int err = decode_args(req, &args);

    if (err)
        return err;
    gf_dict_get_str(args, "hostname", &host);
    gd_peer_probe(host, op_done, req);
    gf_dict_unref(args);
    return 0;
}

/* PEER_STATUS (the pool but this server) and POOL_LIST (the pool with it). */
static void
peers_loaded(int err, const char *msg, const gd_server_t *servers, int n, void *cookie)
{
    rpc_req_t *req = cookie;
    gf_dict_t *out = err ? NULL : gf_dict_new();
    int pool = req->proc == GF_CLI_POOL_LIST, count = 0;
    char p[32];

    if (!err && !out)
        err = -ENOMEM, msg = "glusterd is out of memory";
    for (int i = 0; !err && i < n; i++) {
        const gd_server_t *s = &servers[i];
        if (s->self ? !pool : !s->in_pool)
            continue;
        snprintf(p, sizeof(p), "peer%d", ++count);
        if (setf(out, p, "uuid", "%s", s->uuid) ||
            setf(out, p, "hostname", "%s", s->self ? "localhost" : gd_server_host(s)) ||
            setf(out, p, "connected", "%d", s->alive || (s->self && gd_members_session_up())) ||
            setf(out, p, "self", "%d", s->self))
            err = -ENOMEM, msg = "glusterd is out of memory";
    }
    if (!err && setf(out, "", "count", "%d", count))
        err = -ENOMEM, msg = "glusterd is out of memory";
    cli_reply(req, err, msg, out);
    gf_dict_unref(out);
}

static int
peer_list(rpc_req_t *req)
{
    gd_servers_load(peers_loaded, req);
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
    [GF_CLI_VOLUME_SET] = {"VOLUME_SET", volume_set},
    [GF_CLI_VOLUME_GET] = {"VOLUME_GET", volume_get},
    [GF_CLI_PEER_PROBE] = {"PEER_PROBE", peer_probe},
    [GF_CLI_PEER_STATUS] = {"PEER_STATUS", peer_list},
    [GF_CLI_POOL_LIST] = {"POOL_LIST", peer_list},
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
