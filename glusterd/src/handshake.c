/*
 * The handshake program as glusterd serves it: GETSPEC, which hands out volfiles
 * generated from the store at each call. Key "VOL" (or "/VOL") is the client
 * volfile of VOL; key "VOL.HOST.PATH-MANGLED" is the volfile of one brick (ids in
 * doc/volfiles.md). The other procedures of the program are not glusterd's.
 */
#include <errno.h>
#include <string.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterd.h"
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
    if (strcmp(key, vol->name) == 0)
        return gd_volgen_client(vol);
    for (int i = 0; i < vol->n_bricks; i++) {
        char *id = gd_brick_volfile_id(vol, &vol->bricks[i]);
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

/* The volumes named in the key have been read: answer. */
static void
getspec_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    rpc_req_t *req = cookie;
    const char *key = req->priv;
    char *spec = NULL;
    int errno_ = err ? -err : ENOENT;

    if (!err && n == 1)
        spec = volfile_for(vols[0], key, &errno_);
    if (!spec)
        gf_log(GF_LOG_WARNING, "GETSPEC %s from %s: %s", key, rpc_svc_conn_peer(req->conn),
               strerror(errno_));
    else
        gf_log(GF_LOG_DEBUG, "GETSPEC %s from %s", key, rpc_svc_conn_peer(req->conn));
    gf_free(req->priv);
    getspec_reply(req, spec, errno_ ? errno_ : ENOMEM);
    gf_free(spec);
    gd_vols_free(vols, n);
}

static int
getspec(rpc_req_t *req)
{
    gf_getspec_req args = {0};
    char name[GD_VOL_NAME_MAX + 1], err[128];
    const char *key;
    size_t len;

    if (rpc_req_decode(req, (xdrproc_t)xdr_gf_getspec_req, &args, NULL) != 0)
        return -EBADMSG;
    key = args.key + (args.key[0] == '/');
    len = strcspn(key, ".");
    req->priv = gf_strdup(key);
    xdr_free((xdrproc_t)xdr_gf_getspec_req, (char *)&args);
    if (!req->priv)
        return -ENOMEM;
    if (len > GD_VOL_NAME_MAX || (memcpy(name, req->priv, len), name[len] = '\0',
                                  gd_vol_name_check(name, err, sizeof(err)) != 0)) {
        gf_free(req->priv);
        getspec_reply(req, NULL, ENOENT);
        return 0;
    }
    gd_vols_load(gd.store, name, getspec_loaded, req);
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
