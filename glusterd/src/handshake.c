/*
 * The handshake program as glusterd serves it: GETSPEC, which hands out volfiles
 * generated from the store at each call. Key "VOL" (or "/VOL") is the client
 * volfile of VOL; key "VOL.HOST.PATH-MANGLED" is the volfile of one brick (ids in
 * doc/volfiles.md). Also GET_VOLUME_INFO, libgfapi's question for a volume's id.
 * The other procedures of the program are the bricks'.
 */
#include <errno.h>
#include <string.h>

#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterd.h"
#include "reconcile.h"
#include "handshake-xdr.h"
#include "programs.h"
#include "rpcsvc.h"
#include "volgen.h"
#include "volume.h"

/* Replies to a GETSPEC: spec (NULL on failure, with errno_ > 0). */
static void
getspec_reply(rpc_req_t *req, const char *spec, int errno_)
{
    gf_getspec_rsp rsp = {0};
    rsp.op_ret = spec ? (int)strlen(spec) : -1;
    rsp.op_errno = spec ? 0 : errno_;
    rsp.spec = (char *)(spec ? spec : "");
    rsp.xdata.xdata_len = 0;
    rpc_req_reply(req, (xdrproc_t)xdr_gf_getspec_rsp, &rsp, NULL, 0, NULL);
}

/* The volfile for key of vol (allocated), or NULL with *err set. */
static char *
volfile_for(const gd_volume_t *vol, const char *key, int *err)
{
    if (strcmp(key, vol->name) == 0 && gd_vol_complete(vol))
        return gd_volgen_client(vol, gd.conf.port);
    for (int i = 0; i < vol->n_bricks; i++) {
        char *id = vol->bricks[i].host ? gd_brick_volfile_id(vol, &vol->bricks[i]) : NULL;
        int match = id && strcmp(id, key) == 0;
        gf_free(id);
        if (match) {
            int port = gd_pmap_known_port(gd.pmap, vol->bricks[i].path);
            gd_listen_t where = {gd.conf.bind, port > 0 ? port : 0};
            return gd_volgen_brick(vol, i, &where);
        }
    }
    *err = ENOENT;
    return NULL;
}

/*
 * The volumes whose client volfile this glusterd served, as last read whole: what
 * it serves while the store cannot be read (the reconciler's copy has only this
 * server's bricks). Event thread only.
 */
static gd_volume_t **served;
static int n_served;

/* The served volume name, or NULL. */
static const gd_volume_t *
served_get(const char *name)
{
    for (int i = 0; i < n_served; i++)
        if (!strcmp(served[i]->name, name))
            return served[i];
    return NULL;
}

/* Keeps vol (taken over; NULL: forget) as the served volume name. */
static void
served_put(const char *name, gd_volume_t *vol)
{
    gd_volume_t **grown;

    for (int i = 0; i < n_served; i++) {
        if (strcmp(served[i]->name, name) != 0)
            continue;
        gd_vol_free(served[i]);
        if (vol)
            served[i] = vol;
        else
            served[i] = served[--n_served];
        return;
    }
    if (!vol)
        return;
    if (!(grown = gf_realloc(served, (size_t)(n_served + 1) * sizeof(*grown)))) {
        gd_vol_free(vol); /* not kept: only an outage would have used it */
        return;
    }
    served = grown;
    served[n_served++] = vol;
}

/* The volumes named in the key have been read: answer. */
static void
getspec_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    rpc_req_t *req = cookie;
    const char *key = req->priv;
    char *spec = NULL, name[GD_VOL_NAME_MAX + 1], why[512];
    int errno_ = err ? -err : n == 1 ? 0 : ENOENT;
    const gd_volume_t *vol = n == 1 ? vols[0] : NULL;

    snprintf(name, sizeof(name), "%.*s", (int)strcspn(key, "."), key);
    if (!err && !strcmp(key, name))
        served_put(name, vol ? gd_vol_copy(vol) : NULL);
    if (err && ((vol = served_get(name)) || (vol = gd_reconcile_known(name)))) {
        gd_store_strerror(gd.store, err, why, sizeof(why));
        gf_log(GF_LOG_WARNING, "GETSPEC %s: the store cannot be read (%s); serving the volume "
                               "as last read",
               key, why);
        errno_ = 0;
    }
    if (!errno_ && !(spec = volfile_for(vol, key, &errno_)) && !errno_)
        errno_ = ENOMEM;
    if (!spec)
        gf_log(GF_LOG_WARNING, "GETSPEC %s from %s: %s", key, rpc_svc_conn_peer(req->conn),
               strerror(errno_));
    else
        gf_log(GF_LOG_DEBUG, "GETSPEC %s from %s", key, rpc_svc_conn_peer(req->conn));
    gf_free(req->priv);
    getspec_reply(req, spec, errno_);
    gf_free(spec);
    gd_vols_free(vols, n);
}

/* Copies into name[GD_VOL_NAME_MAX + 1] the volume name a GETSPEC key starts with
 * (up to the first '.'). 0, or -ENOENT when that is no valid volume name. */
static int
key_volume(const char *key, char *name)
{
    size_t len = strcspn(key, ".");
    char err[128];

    if (len > GD_VOL_NAME_MAX)
        return -ENOENT;
    memcpy(name, key, len);
    name[len] = '\0';
    return gd_vol_name_check(name, err, sizeof(err)) ? -ENOENT : 0;
}

static int
getspec(rpc_req_t *req)
{
    gf_getspec_req args = {0};
    char name[GD_VOL_NAME_MAX + 1], *spec;
    const gd_volume_t *vol;
    int err = 0;

    if (rpc_req_decode(req, (xdrproc_t)xdr_gf_getspec_req, &args, NULL) != 0)
        return -EBADMSG;
    req->priv = gf_strdup(args.key + (args.key[0] == '/'));
    xdr_free((xdrproc_t)xdr_gf_getspec_req, (char *)&args);
    if (!req->priv)
        return -ENOMEM;
    if (key_volume(req->priv, name) != 0) {
        gf_log(GF_LOG_WARNING, "GETSPEC %s from %s: no such volume", (char *)req->priv,
               rpc_svc_conn_peer(req->conn));
        gf_free(req->priv);
        getspec_reply(req, NULL, ENOENT);
        return 0;
    }
    if (strcmp(req->priv, name) != 0 && (vol = gd_reconcile_known(name)) &&
        (spec = volfile_for(vol, req->priv, &err))) {
        /* A brick of this server, as the reconciler started it: no need to read the
         * whole volume (a volume on N servers would cost N reads of N bricks). */
        gf_log(GF_LOG_DEBUG, "GETSPEC %s from %s", (char *)req->priv,
               rpc_svc_conn_peer(req->conn));
        gf_free(req->priv);
        getspec_reply(req, spec, 0);
        gf_free(spec);
        return 0;
    }
    gd_vols_load(gd.store, name, getspec_loaded, req);
    return 0;
}

/* Replies to GET_VOLUME_INFO with the dict out (NULL on failure, with errno_). */
static void
volinfo_reply(rpc_req_t *req, gf_dict_t *out, int errno_)
{
    gf_get_volume_info_rsp rsp = {0};
    char *buf = NULL;
    size_t len = 0;

    if (out && gf_dict_serialize(out, &buf, &len) != 0)
        errno_ = ENOMEM;
    rsp.op_ret = errno_ ? -1 : 0;
    rsp.op_errno = errno_;
    rsp.op_errstr = (char *)(errno_ ? strerror(errno_) : "");
    rsp.dict.dict_val = errno_ ? NULL : buf;
    rsp.dict.dict_len = errno_ ? 0 : (unsigned)len;
    rpc_req_reply(req, (xdrproc_t)xdr_gf_get_volume_info_rsp, &rsp, NULL, 0, NULL);
    gf_free(buf);
}

static void
volinfo_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    gf_dict_t *out = NULL;

    if (!err && n == 1 && (out = gf_dict_new()) &&
        gf_dict_set_str(out, "volume_id", vols[0]->id) != 0)
        err = -ENOMEM;
    volinfo_reply(cookie, out, err ? -err : n == 1 ? 0 : ENOENT);
    gf_dict_unref(out);
    gd_vols_free(vols, n);
}

/* GET_VOLUME_INFO (libgfapi's volume id query): request dict "volname". */
static int
get_volume_info(rpc_req_t *req)
{
    gf_get_volume_info_req args = {0};
    gf_dict_t *in = NULL;
    const char *volname = NULL;
    char name[GD_VOL_NAME_MAX + 1];
    int found;

    if (rpc_req_decode(req, (xdrproc_t)xdr_gf_get_volume_info_req, &args, NULL) != 0)
        return -EBADMSG;
    found = args.dict.dict_len &&
            gf_dict_unserialize(args.dict.dict_val, args.dict.dict_len, &in) == 0 &&
            gf_dict_get_str(in, "volname", &volname) == 0 && key_volume(volname, name) == 0 &&
            strcmp(name, volname) == 0;
    gf_dict_unref(in);
    xdr_free((xdrproc_t)xdr_gf_get_volume_info_req, (char *)&args);
    if (!found)
        volinfo_reply(req, NULL, ENOENT);
    else
        gd_vols_load(gd.store, name, volinfo_loaded, req);
    return 0;
}

static int
null_proc(rpc_req_t *req)
{
    rpc_req_reply(req, NULL, NULL, NULL, 0, NULL);
    return 0;
}

static const rpc_actor_t actors[] = {
    [GF_HNDSK_NULL] = {"NULL", null_proc},
    [GF_HNDSK_GETSPEC] = {"GETSPEC", getspec},
    [GF_HNDSK_GET_VOLUME_INFO] = {"GET_VOLUME_INFO", get_volume_info},
};

static const rpc_program_t program = {
    .name = "Gluster Handshake",
    .prognum = GF_HNDSK_PROGRAM,
    .progver = GF_HNDSK_VERSION,
    .actors = actors,
    .n_actors = sizeof(actors) / sizeof(actors[0]),
};

int
gd_handshake_program_register(rpc_svc_t *svc)
{
    return rpc_svc_register(svc, &program);
}
