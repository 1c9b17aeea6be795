/*
 * protocol/client, the handshake of one connection attempt (doc/protocol.md
 * sections 4 to 7): DUMP to learn what the server offers; at glusterd (it lists
 * the portmap program) PORTBYBRICK for the brick's port; at the brick
 * SETVOLUME with the old-format dict of the translator's options plus the keys
 * the stock client adds. Each step runs in the completion callback of the one
 * before, on an event thread; outcomes go back to client.c through
 * client_handshake_redirect/done/failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "client.h"
#include "config.h"
#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "handshake-xdr.h"
#include "portmap-xdr.h"
#include "rpc-common-xdr.h"

/* What the stock client sends in gf_dump_req.gfs_id. */
#define CLIENT_DUMP_ID    0xcaed
/* The op-version of the GlusterFS 10 protocol this client speaks ("opversion"). */
#define CLIENT_OP_VERSION 100000

/* ---- helpers shared with client-fops.c ------------------------------------------------ */

int client_xdr_decode(const char *res, size_t len, xdrproc_t proc, void *out, size_t *used)
{
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, (char *)res, (u_int)len, XDR_DECODE);
    ok = proc(&xdr, out);
    if (used)
        *used = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    if (!ok) {
        xdr_free(proc, out);
        return -EBADMSG;
    }
    return 0;
}

void client_auth_owner_from_pid(struct rpc_auth *auth)
{
    uint32_t pid = (uint32_t)auth->pid;
    int i;

    if (auth->lk_owner_len)
        return;
    for (i = 0; i < 4; i++)
        auth->lk_owner[i] = (char)((pid >> (8 * i)) & 0xff);
    auth->lk_owner_len = 4;
}

void client_auth_stamp(struct rpc_auth *auth)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    auth->ctime_sec = (uint64_t)now.tv_sec;
    auth->ctime_nsec = (uint32_t)now.tv_nsec;
}

void client_process_auth(struct rpc_auth *auth, uint32_t flavor)
{
    memset(auth, 0, sizeof(*auth));
    auth->flavor = flavor;
    auth->pid = (int32_t)getpid();
    auth->uid = (uint32_t)geteuid();
    auth->gid = (uint32_t)getegid();
    client_auth_owner_from_pid(auth);
    if (flavor == GF_AUTH_GLUSTERFS_V3)
        client_auth_stamp(auth);
}

/* ---- process-uuid ---------------------------------------------------------------------- */

static pthread_once_t ctx_id_once = PTHREAD_ONCE_INIT;
static char ctx_id[37];       /* this process's CTX_ID */
static atomic_uint graph_ids; /* GRAPH_ID: one per translator instance, so each is unique */

static void ctx_id_init(void)
{
    uuid_t u;

    uuid_generate(u);
    uuid_unparse(u, ctx_id);
}

int client_process_uuid_init(gf_xlator_t *this)
{
    client_priv_t *priv = this->priv;
    char host[256] = "";

    pthread_once(&ctx_id_once, ctx_id_init);
    if (gethostname(host, sizeof(host) - 1) != 0)
        strcpy(host, "localhost");
    if (gf_asprintf(&priv->process_uuid,
                    "CTX_ID:%s-GRAPH_ID:%u-PID:%d-HOST:%s-PC_NAME:%s-RECON_NO:", ctx_id,
                    atomic_fetch_add(&graph_ids, 1), (int)getpid(), host, this->name) < 0)
        return -ENOMEM;
    return 0;
}

/* ---- SETVOLUME ---------------------------------------------------------------------- */

/* Logs why the brick refused the handshake, with what to do about it. */
static void log_refusal(client_conn_t *conn, int op_errno, const char *error)
{
    client_priv_t *priv = conn->this->priv;
    const char *hint = op_errno == EACCES
                           ? "check option username/password against the brick's auth.login "
                             "and, over TLS, our certificate's CN against its auth.ssl-allow"
                       : op_errno == ENOENT ? "is the brick started and attached?"
                                            : "retrying";

    gf_log_xl(conn->this, GF_LOG_ERROR, "brick %s on %s:%d refused the handshake: %s (%s); %s",
              priv->remote_subvolume, priv->remote_host, conn->port,
              error ? error : "no reason given", strerror(op_errno), hint);
}

/* Runs one handshake step's completion for conn with conn held (see
 * client_conn_tryref) and gf_this set to its translator. */
static void run_step(void (*step)(client_conn_t *, int, const char *, size_t), int status,
                     const char *res, size_t len, client_conn_t *conn)
{
    bool held = client_conn_tryref(conn);
    gf_xlator_t *saved = gf_this;

    gf_this = conn->this;
    step(conn, status, res, len);
    gf_this = saved;
    if (held)
        client_conn_unref(conn);
}

static void setvolume_done(client_conn_t *conn, int status, const char *res, size_t len)
{
    gf_setvolume_rsp rsp = {0};
    gf_dict_t *reply = NULL;
    const char *error = NULL;

    if (status || client_xdr_decode(res, len, (xdrproc_t)xdr_gf_setvolume_rsp, &rsp, NULL)) {
        gf_log_xl(conn->this, GF_LOG_WARNING, "SETVOLUME on port %d failed: %s", conn->port,
                  status ? strerror(-status) : "undecodable reply");
        client_handshake_failed(conn);
        return;
    }
    if (rsp.dict.dict_len && gf_dict_unserialize(rsp.dict.dict_val, rsp.dict.dict_len, &reply) == 0)
        gf_dict_get_str(reply, "ERROR", &error);
    if (rsp.op_ret < 0) {
        log_refusal(conn, rsp.op_errno, error);
        client_handshake_failed(conn);
    } else {
        client_handshake_done(conn);
    }
    gf_dict_unref(reply);
    xdr_free((xdrproc_t)xdr_gf_setvolume_rsp, &rsp);
}

static void setvolume_cbk(rpc_clnt_t *rpc, int status, const char *res, size_t len,
                          gf_buf_t *record, void *cookie)
{
    run_step(setvolume_done, status, res, len, cookie);
}

/* Adds the handshake keys to d (a copy of the translator's options). 0 or -ENOMEM. */
static int setvolume_keys(client_conn_t *conn, gf_dict_t *d)
{
    client_priv_t *priv = conn->this->priv;
    char *uuid = NULL;
    uint64_t recon;
    int err;

    pthread_mutex_lock(&priv->lock);
    recon = priv->setvol_count++;
    pthread_mutex_unlock(&priv->lock);
    if (gf_asprintf(&uuid, "%s-%" PRIu64, priv->process_uuid, recon) < 0)
        return -ENOMEM;
    err = gf_dict_set_str(d, "remote-subvolume", priv->remote_subvolume);
    err = err ? err : gf_dict_set_str(d, "process-uuid", uuid);
    err = err ? err : gf_dict_set_int32(d, "fops-version", CLIENT_FOP_PROGRAM);
    err = err ? err : gf_dict_set_str(d, "client-version", PACKAGE_VERSION);
    err = err ? err : gf_dict_set_int32(d, "clnt-lk-version", 1);
    err = err ? err : gf_dict_set_int32(d, "opversion", CLIENT_OP_VERSION);
    if (!err && gf_ctx->process)
        err = gf_dict_set_str(d, "process-name", gf_ctx->process);
    if (!err && priv->username)
        err = gf_dict_set_str(d, "username", priv->username);
    if (!err && priv->password)
        err = gf_dict_set_str(d, "password", priv->password);
    gf_free(uuid);
    return err;
}

/* Sends SETVOLUME on conn (credential v3, as the stock client does once it
 * chose the 4.x FOP program). Failures to build it end the attempt. */
static void send_setvolume(client_conn_t *conn)
{
    gf_xlator_t *this = conn->this;
    gf_dict_t *d = this->options ? gf_dict_copy(this->options) : gf_dict_new();
    gf_setvolume_req req = {{0}};
    struct rpc_auth auth;
    size_t len = 0;
    int err = d ? setvolume_keys(conn, d) : -ENOMEM;

    if (!err)
        err = gf_dict_serialize(d, &req.dict.dict_val, &len);
    gf_dict_unref(d);
    if (err) {
        gf_log_xl(this, GF_LOG_ERROR, "cannot build the SETVOLUME request: %s", strerror(-err));
        client_handshake_failed(conn);
        return;
    }
    req.dict.dict_len = (u_int)len;
    client_process_auth(&auth, GF_AUTH_GLUSTERFS_V3);
    client_submit(conn, GF_HNDSK_PROGRAM, GF_HNDSK_VERSION, GF_HNDSK_SETVOLUME, &auth,
                  (xdrproc_t)xdr_gf_setvolume_req, &req, NULL, 0, NULL, setvolume_cbk, conn);
    gf_free(req.dict.dict_val);
}

/* ---- PORTBYBRICK -------------------------------------------------------------------------- */

static void portbybrick_done(client_conn_t *conn, int status, const char *res, size_t len)
{
    client_priv_t *priv = conn->this->priv;
    pmap_port_by_brick_rsp rsp = {0};

    if (status || client_xdr_decode(res, len, (xdrproc_t)xdr_pmap_port_by_brick_rsp, &rsp, NULL)) {
        gf_log_xl(conn->this, GF_LOG_WARNING, "PORTBYBRICK to glusterd on %s:%d failed: %s",
                  priv->remote_host, conn->port, status ? strerror(-status) : "undecodable reply");
        client_handshake_failed(conn);
    } else if (rsp.op_ret < 0 || rsp.port <= 0 || rsp.port > 65535) {
        gf_log_xl(conn->this, GF_LOG_WARNING,
                  "glusterd on %s:%d knows no port for brick %s (is the volume started?); "
                  "retrying",
                  priv->remote_host, conn->port, priv->remote_subvolume);
        client_handshake_failed(conn);
    } else {
        client_handshake_redirect(conn, rsp.port);
    }
}

static void portbybrick_cbk(rpc_clnt_t *rpc, int status, const char *res, size_t len,
                            gf_buf_t *record, void *cookie)
{
    run_step(portbybrick_done, status, res, len, cookie);
}

static void send_portbybrick(client_conn_t *conn)
{
    client_priv_t *priv = conn->this->priv;
    pmap_port_by_brick_req req = {.brick = priv->remote_subvolume};
    struct rpc_auth auth;

    client_process_auth(&auth, GF_AUTH_GLUSTERFS_V2);
    client_submit(conn, GF_PMAP_PROGRAM, GF_PMAP_VERSION, GF_PMAP_PORTBYBRICK, &auth,
                  (xdrproc_t)xdr_pmap_port_by_brick_req, &req, NULL, 0, NULL, portbybrick_cbk,
                  conn);
}

/* ---- DUMP ------------------------------------------------------------------------------- */

static bool offers(const gf_dump_rsp *rsp, uint64_t prognum, uint64_t progver)
{
    const gf_prog_detail *p;

    for (p = rsp->prog; p; p = p->next)
        if (p->prognum == prognum && p->progver == progver)
            return true;
    return false;
}

/* The server's program list decides the next step (doc/protocol.md section 4). */
static void dump_done(client_conn_t *conn, int status, const char *res, size_t len)
{
    client_priv_t *priv = conn->this->priv;
    gf_dump_rsp rsp = {0};

    if (status || client_xdr_decode(res, len, (xdrproc_t)xdr_gf_dump_rsp, &rsp, NULL)) {
        gf_log_xl(conn->this, GF_LOG_WARNING, "DUMP to %s:%d failed: %s", priv->remote_host,
                  conn->port, status ? strerror(-status) : "undecodable reply");
        client_handshake_failed(conn);
        return;
    }
    if (offers(&rsp, GF_PMAP_PROGRAM, GF_PMAP_VERSION)) {
        send_portbybrick(conn);
    } else if (offers(&rsp, CLIENT_FOP_PROGRAM, CLIENT_FOP_VERSION)) {
        send_setvolume(conn);
    } else {
        gf_log_xl(conn->this, GF_LOG_ERROR,
                  "%s:%d offers neither the portmap program nor the GlusterFS 4.x FOP "
                  "program (%d v%d): check remote-host and remote-port",
                  priv->remote_host, conn->port, CLIENT_FOP_PROGRAM, CLIENT_FOP_VERSION);
        client_handshake_failed(conn);
    }
    xdr_free((xdrproc_t)xdr_gf_dump_rsp, &rsp);
}

static void dump_cbk(rpc_clnt_t *rpc, int status, const char *res, size_t len, gf_buf_t *record,
                     void *cookie)
{
    run_step(dump_done, status, res, len, cookie);
}

void client_handshake_start(client_conn_t *conn)
{
    gf_dump_req req = {.gfs_id = CLIENT_DUMP_ID};
    struct rpc_auth auth;

    client_process_auth(&auth, GF_AUTH_GLUSTERFS_V2);
    client_submit(conn, GF_DUMP_PROGRAM, GF_DUMP_VERSION, GF_DUMP_DUMP, &auth,
                  (xdrproc_t)xdr_gf_dump_req, &req, NULL, 0, NULL, dump_cbk, conn);
}
