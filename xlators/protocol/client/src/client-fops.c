/*
 * protocol/client, the fops: one generic function sends any fop the codec
 * (rpc/xdr/src/fop-codec.h) knows as a call of the 4.x FOP program, and one
 * callback turns the reply back into a gf_reply_t. Fds are named on the wire by
 * the number the server gave at open/create/opendir, kept in the fd's ctx
 * together with the serial of the connection it belongs to: after a reconnect
 * the server has forgotten those numbers, so such an fd fails with EBADFD (the
 * stock client reopens them; we do not). When the last reference to an fd goes,
 * desc->release sends RELEASE or RELEASEDIR for it.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"
#include "fop-codec.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

/* ---- fd ctx: bit 63 directory, bits 32..62 connection serial, 0..31 fd number ---- */

#define FDCTX_DIR      (1ull << 63)
#define FDCTX_GEN_MASK 0x7fffffffu /* the part of a connection serial an fd ctx keeps */

static uint64_t fdctx_pack(uint32_t gen, int64_t fdno, bool dir)
{
    return (dir ? FDCTX_DIR : 0) | ((uint64_t)(gen & FDCTX_GEN_MASK) << 32) | (uint32_t)fdno;
}

static uint32_t fdctx_gen(uint64_t v)
{
    return (uint32_t)(v >> 32) & FDCTX_GEN_MASK;
}

static int64_t fdctx_fdno(uint64_t v)
{
    return (int64_t)(uint32_t)v;
}

/* ---- release ---------------------------------------------------------------------- */

static void release_cbk(rpc_clnt_t *rpc, int status, const char *res, size_t len, gf_buf_t *record,
                        void *cookie)
{
    if (status)
        gf_log_xl(cookie, GF_LOG_DEBUG, "release not answered: %s", strerror(-status));
}

/*
 * Sends RELEASE (RELEASEDIR when dir) of server fd number fdno, opened on the
 * connection of serial gen, naming fd's inode. Nothing is sent when that
 * connection is gone: the server released the fd when it ended.
 */
static void send_release(gf_xlator_t *this, gf_fd_t *fd, uint32_t gen, int64_t fdno, bool dir)
{
    gf_fop_t op = dir ? GF_FOP_RELEASEDIR : GF_FOP_RELEASE;
    const gf_fop_codec_t *codec = gf_fop_codec(op);
    client_conn_t *conn = client_conn_get_up(this);
    gf_codec_fd_t cfd = {.fd = fdno};
    gf_args_t args = {.fd = fd};
    struct rpc_auth auth;
    void *req = NULL;

    if (conn && (conn->gen & FDCTX_GEN_MASK) == gen)
        req = gf_calloc(1, codec->req_size);
    if (req && codec->args_to_req(&args, &cfd, req) == 0) {
        client_process_auth(&auth, GF_AUTH_GLUSTERFS_V3);
        client_submit(conn, CLIENT_FOP_PROGRAM, CLIENT_FOP_VERSION, op, &auth, codec->xreq, req,
                      NULL, 0, NULL, release_cbk, this);
    }
    if (req)
        gf_codec_req_free(codec, req);
    gf_free(req);
    client_conn_unref(conn);
}

void client_release(gf_xlator_t *this, gf_fd_t *fd)
{
    uint64_t v;

    if (gf_fd_ctx_del(fd, this, &v) == 0)
        send_release(this, fd, fdctx_gen(v), fdctx_fdno(v), v & FDCTX_DIR);
}

/* ---- per-call state ------------------------------------------------------------------ */

typedef struct fop_local {
    const gf_fop_codec_t *codec;
    gf_fd_t *fd;       /* open/create/opendir: the fd to bind the server's number to */
    gf_inode_t *inode; /* entry fops: the inode the reply names */
    uint32_t gen;      /* serial of the connection the call went on */
} fop_local_t;

static bool opens_fd(gf_fop_t op)
{
    return op == GF_FOP_OPEN || op == GF_FOP_CREATE || op == GF_FOP_OPENDIR;
}

/* Fops whose reply names args->loc.inode as the inode acted on. */
static bool names_inode(gf_fop_t op)
{
    switch (op) {
    case GF_FOP_LOOKUP:
    case GF_FOP_CREATE:
    case GF_FOP_MKDIR:
    case GF_FOP_MKNOD:
    case GF_FOP_SYMLINK:
    case GF_FOP_LINK:
        return true;
    default:
        return false;
    }
}

static void local_free(fop_local_t *local)
{
    gf_fd_unref(local->fd);
    gf_inode_unref(local->inode);
    gf_free(local);
}

/* ---- replies ----------------------------------------------------------------------- */

/* The errno a caller sees for a call the rpc client could not complete. The
 * stock client reports every such failure, timeouts included, as ENOTCONN. */
static int status_errno(int status)
{
    switch (status) {
    case -ENOTCONN:
    case -ETIMEDOUT:
        return ENOTCONN;
    default:
        return -status;
    }
}

/* Binds the server's fd number to the caller's fd. 0, -EPROTO for a number
 * out of range, -ENOMEM (the server's fd is then released). */
static int bind_fd(gf_xlator_t *this, gf_fop_t op, fop_local_t *local, int64_t fdno)
{
    bool dir = op == GF_FOP_OPENDIR;
    int err;

    if (fdno < 0 || fdno > UINT32_MAX)
        return -EPROTO;
    err = gf_fd_ctx_set(local->fd, this, fdctx_pack(local->gen, fdno, dir));
    if (err)
        send_release(this, local->fd, local->gen & FDCTX_GEN_MASK, fdno, dir);
    return err;
}

/*
 * Completes a successful reply: readv's data (the bytes after the XDR result,
 * which stay in record), the fd of open/create/opendir, the inode of entry
 * fops. 0 or -errno.
 */
static int finish_reply(gf_xlator_t *this, gf_fop_t op, fop_local_t *local, gf_reply_t *reply,
                        const gf_codec_fd_t *cfd, const char *data, size_t len, gf_buf_t *record,
                        struct iovec *iov)
{
    if (op == GF_FOP_READ) {
        if ((size_t)reply->op_ret > len)
            return -EPROTO;
        iov->iov_base = (char *)data;
        iov->iov_len = (size_t)reply->op_ret;
        reply->vector = iov;
        reply->count = 1;
        reply->buf = record;
    }
    if (opens_fd(op)) {
        int err = bind_fd(this, op, local, cfd->fd);
        if (err)
            return err;
        reply->fd = local->fd;
    }
    if (names_inode(op))
        reply->inode = local->inode;
    return 0;
}

/* Decodes the reply of frame's call and unwinds it. */
static void unwind_reply(gf_frame_t *frame, fop_local_t *local, const char *res, size_t len,
                         gf_buf_t *record)
{
    const gf_fop_codec_t *codec = local->codec;
    void *rsp = gf_calloc(1, codec->rsp_size);
    gf_reply_t reply = {0};
    gf_codec_fd_t cfd = {.fd = -1};
    struct iovec iov;
    size_t used = 0;
    bool decoded = false;
    int err = rsp ? client_xdr_decode(res, len, codec->xrsp, rsp, &used) : -ENOMEM;

    decoded = !err;
    if (!err)
        err = codec->rsp_to_reply(rsp, &reply, &cfd);
    if (!err && reply.op_ret >= 0)
        err = finish_reply(frame->this, frame->op, local, &reply, &cfd, res + used, len - used,
                           record, &iov);
    if (err) {
        gf_log_xl(frame->this, GF_LOG_WARNING, "bad %s reply: %s", gf_fop_name(frame->op),
                  strerror(-err));
        gf_codec_reply_wipe(&reply);
        reply = (gf_reply_t){.op_ret = -1, .op_errno = err == -EBADMSG ? EPROTO : -err};
    }
    gf_unwind(frame, &reply);
    gf_codec_reply_wipe(&reply);
    if (decoded)
        xdr_free(codec->xrsp, rsp);
    gf_free(rsp);
}

/* The completion of every fop call; cookie is the frame. */
static void fop_cbk(rpc_clnt_t *rpc, int status, const char *res, size_t len, gf_buf_t *record,
                    void *cookie)
{
    gf_frame_t *frame = cookie;
    fop_local_t *local = frame->local;
    gf_xlator_t *saved = gf_this;

    gf_this = frame->this;
    frame->local = NULL;
    if (status)
        gf_unwind_error(frame, status_errno(status));
    else
        unwind_reply(frame, local, res, len, record);
    local_free(local);
    gf_this = saved;
}

/* ---- calls ------------------------------------------------------------------------- */

/* The server's number for args->fd, as the request must name it. 0; -EBADFD
 * for an fd this translator did not open on the current connection; -EINVAL
 * for an open without an fd to bind. */
static int fd_number(gf_xlator_t *this, gf_fop_t op, const gf_args_t *args, uint32_t gen,
                     gf_codec_fd_t *cfd)
{
    uint64_t v;

    if (opens_fd(op))
        return args->fd ? 0 : -EINVAL;
    if (!args->fd)
        return 0;
    if (gf_fd_ctx_get(args->fd, this, &v) || fdctx_gen(v) != (gen & FDCTX_GEN_MASK))
        return -EBADFD;
    cfd->fd = fdctx_fdno(v);
    return 0;
}

/* The AUTH_GLUSTERFS_v3 credential of the caller named by root. */
static void caller_auth(const gf_call_root_t *root, struct rpc_auth *auth)
{
    memset(auth, 0, offsetof(struct rpc_auth, lk_owner));
    auth->flavor = GF_AUTH_GLUSTERFS_V3;
    auth->pid = root->pid;
    auth->uid = root->uid;
    auth->gid = root->gid;
    auth->ngroups = root->ngroups < RPC_AUTH_MAX_GROUPS ? root->ngroups : RPC_AUTH_MAX_GROUPS;
    memcpy(auth->groups, root->groups, auth->ngroups * sizeof(auth->groups[0]));
    auth->lk_owner_len = root->lk_owner_len;
    memcpy(auth->lk_owner, root->lk_owner, root->lk_owner_len);
    client_auth_owner_from_pid(auth);
    client_auth_stamp(auth);
}

/* Makes frame's per-call state. NULL on ENOMEM. */
static fop_local_t *local_new(const gf_fop_codec_t *codec, gf_fop_t op, const gf_args_t *args,
                              uint32_t gen)
{
    fop_local_t *local = gf_calloc(1, sizeof(*local));

    if (!local)
        return NULL;
    local->codec = codec;
    local->gen = gen;
    if (opens_fd(op))
        local->fd = gf_fd_ref(args->fd);
    if (names_inode(op))
        local->inode = gf_inode_ref(args->loc.inode);
    return local;
}

/*
 * Encodes args and submits frame's call on conn. Returns 0 once the call is
 * handed to the rpc client (fop_cbk then unwinds frame, maybe already done),
 * or -errno before that (frame untouched).
 */
static int send_fop(gf_frame_t *frame, client_conn_t *conn, const gf_fop_codec_t *codec,
                    const gf_args_t *args, const gf_codec_fd_t *cfd)
{
    gf_fop_t op = frame->op;
    void *req = gf_calloc(1, codec->req_size);
    fop_local_t *local = req ? local_new(codec, op, args, conn->gen) : NULL;
    struct rpc_auth auth;
    int err = local ? codec->args_to_req(args, cfd, req) : -ENOMEM;

    if (err) {
        if (req)
            gf_codec_req_free(codec, req);
        gf_free(req);
        if (local)
            local_free(local);
        return err < 0 ? err : -EINVAL;
    }
    frame->local = local;
    caller_auth(frame->root, &auth);
    if (op == GF_FOP_WRITE)
        client_submit(conn, CLIENT_FOP_PROGRAM, CLIENT_FOP_VERSION, op, &auth, codec->xreq, req,
                      args->vector, args->count, args->buf, fop_cbk, frame);
    else
        client_submit(conn, CLIENT_FOP_PROGRAM, CLIENT_FOP_VERSION, op, &auth, codec->xreq, req,
                      NULL, 0, NULL, fop_cbk, frame);
    gf_codec_req_free(codec, req);
    gf_free(req);
    return 0;
}

int client_fop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_fop_t op = frame->op;
    const gf_fop_codec_t *codec = gf_fop_codec(op);
    gf_codec_fd_t cfd = {.fd = -1};
    client_conn_t *conn;
    int err;

    /* RELEASE and RELEASEDIR travel only through desc->release. */
    if (!codec || !codec->xreq || op == GF_FOP_RELEASE || op == GF_FOP_RELEASEDIR)
        return gf_unwind_error(frame, ENOSYS);
    conn = client_conn_get_up(this);
    if (!conn)
        return gf_unwind_error(frame, ENOTCONN);
    err = fd_number(this, op, args, conn->gen, &cfd);
    if (!err)
        err = send_fop(frame, conn, codec, args, &cfd);
    client_conn_unref(conn);
    if (err)
        return gf_unwind_error(frame, -err);
    return 0;
}
