/*
 * The FOP program of protocol/server (1298437 v400): one generic handler for
 * every fop the codec (rpc/xdr/src/fop-codec.h) supports; the others answer
 * PROC_UNAVAIL. A call goes through these steps:
 *
 *   1. decode, on the event thread: the gfx request into a struct of the
 *      codec's req_size, then into a gf_args_t; WRITE's data is the rest of the
 *      record (not copied: the call keeps a reference on it). Bytes that do not
 *      decode get GARBAGE_ARGS and nothing else happens.
 *   2. admit: the connection must have been bound to a brick by SETVOLUME and
 *      that brick must be READY, else op_ret -1 / ENOTCONN. (The stock server
 *      answers GARBAGE_ARGS before SETVOLUME, which the stock client turns
 *      into ENOTCONN too; a typed error says it to every client.) The call
 *      becomes a user of the brick's route and moves to the worker pool.
 *   3. resolve, on a worker: an fd number -> the client's fd (EBADF when it has
 *      none of that number; the anonymous fd -2 gets an fd made for the call
 *      on the inode of the request's gfid); gfids -> inodes
 *      of the brick's table, a gfid the table does not know being looked up
 *      on the brick first (nameless LOOKUP) and linked; names -> the inode the
 *      table knows under that name, or a fresh one for fops that create it.
 *      OPEN, OPENDIR and CREATE get a new fd.
 *   4. wind to the brick, with the identity of the call's credential.
 *   5. callback: update the inode table (link, unlink, rename) and the fd
 *      table from the result, encode the reply (READ's data as trailing
 *      payload) and send it.
 *
 * RELEASE and RELEASEDIR stop at step 3: the fd leaves the client's table and
 * the brick's release runs when the last reference to it goes.
 *
 * The bytes of every call and of its reply go into the client's counters
 * (server_client_count_call, server_reply), which STATUS reports; a call holds
 * a reference to its client from decode to reply for that.
 *
 * The end of this file tells a brick about a client that went away (for
 * features/locks).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>

#include "fop-codec.h"
#include "fops-xdr.h"
#include "glusterfs/buf.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "server.h"

#define NO_FD   INT64_MIN /* the request carries no fd number */
#define ANON_FD -2        /* the anonymous fd: the inode named by gfid, no open of the client */
#define N_SLOTS 3         /* gfids a request may name: loc.gfid, loc.pargfid, loc2.pargfid */

typedef struct fop_call {
    atomic_int refs; /* the call's flow, plus one per gf_wind not yet returned */
    rpc_req_t *req;  /* NULL once answered */
    const gf_fop_codec_t *codec;
    gf_fop_t op;
    void *xreq; /* the decoded gfx request */
    gf_args_t args;
    gf_codec_fd_t fdno;      /* fd number in the request, or NO_FD */
    int64_t new_fdno;        /* number given to the fd this call opened, or -1 */
    struct iovec payload;    /* WRITE data, inside the request's record */
    server_client_t *client; /* referenced */
    /* set when admitted */
    server_route_t *route; /* entered as a user */
    gf_xlator_t *brick;
    gf_inode_table_t *itable;
    /* resolution */
    int slot;          /* next gfid slot to resolve */
    gf_inode_t *fresh; /* inode of a resolving lookup in flight */
} fop_call_t;

static void resolve_next(fop_call_t *c);

static bool creates(gf_fop_t op)
{
    return op == GF_FOP_CREATE || op == GF_FOP_MKDIR || op == GF_FOP_MKNOD || op == GF_FOP_SYMLINK;
}

static bool opens(gf_fop_t op)
{
    return op == GF_FOP_OPEN || op == GF_FOP_OPENDIR || op == GF_FOP_CREATE;
}

static bool has_name(const gf_loc_t *loc)
{
    return loc->name && loc->name[0];
}

/* ---- the end of a call ------------------------------------------------------------ */

/* Frees the call and everything it holds; leaves the route last, since what is
 * dropped before (an fd's last reference) may still call into the brick. */
static void call_free(fop_call_t *c)
{
    gf_args_t *a = &c->args;

    gf_inode_unref(a->loc.inode);
    gf_inode_unref(a->loc.parent);
    gf_inode_unref(a->loc2.inode);
    gf_inode_unref(a->loc2.parent);
    gf_inode_unref(c->fresh);
    gf_fd_unref(a->fd);
    gf_buf_unref(a->buf);
    gf_codec_args_wipe(a);
    if (c->xreq)
        xdr_free(c->codec->xreq, c->xreq);
    gf_free(c->xreq);
    if (c->client)
        server_client_unref(c->client);
    if (c->route)
        server_route_leave(c->route);
    gf_free(c);
}

/*
 * Encodes r as the fop's reply and sends it. READ's data goes as trailing
 * payload, copied: the reply may wait in a socket queue after the call has
 * left the brick, and the brick's buffer is charged to the brick, which a
 * detach may free by then.
 */
static void send_reply(fop_call_t *c, const gf_reply_t *r)
{
    const gf_fop_codec_t *codec = c->codec;
    gf_codec_fd_t fd = {.fd = c->new_fdno};
    void *rsp = gf_calloc(1, codec->rsp_size);
    bool data = c->op == GF_FOP_READ && r->op_ret > 0;

    if (rsp && codec->reply_to_rsp(r, &fd, rsp) == 0)
        server_reply(c->client, c->req, codec->xrsp, rsp, data ? r->vector : NULL,
                     data ? r->count : 0);
    else
        server_reply_error(c->client, c->req, SYSTEM_ERR);
    c->req = NULL;
    if (rsp)
        gf_codec_rsp_free(codec, rsp);
    gf_free(rsp);
}

static void call_put(fop_call_t *c)
{
    if (atomic_fetch_sub(&c->refs, 1) == 1)
        call_free(c);
}

/* Answers the call and ends its flow. */
static void call_finish(fop_call_t *c, const gf_reply_t *r)
{
    send_reply(c, r);
    call_put(c);
}

static void call_fail(fop_call_t *c, int err)
{
    gf_reply_t r = {.op_ret = -1, .op_errno = err};

    call_finish(c, &r);
}

/* A root frame with the identity of the call's credential. NULL on ENOMEM. */
static gf_frame_t *call_frame(fop_call_t *c)
{
    gf_frame_t *f = gf_frame_root_new(c->client->server);
    const struct rpc_auth *au = &c->req->auth;
    gf_call_root_t *root;
    uint32_t n;

    if (!f)
        return NULL;
    root = f->root;
    root->uid = au->uid;
    root->gid = au->gid;
    root->pid = au->pid;
    n = sizeof(root->groups) / sizeof(root->groups[0]);
    n = au->ngroups < n ? au->ngroups : n;
    root->ngroups = n;
    memcpy(root->groups, au->groups, n * sizeof(root->groups[0]));
    n = au->lk_owner_len < sizeof(root->lk_owner) ? au->lk_owner_len : sizeof(root->lk_owner);
    root->lk_owner_len = n;
    memcpy(root->lk_owner, au->lk_owner, n);
    root->client = c->client;
    return f;
}

/*
 * Winds op to the brick with cbk (which continues or ends the call's flow).
 * The wind holds the call until gf_wind returns: our bricks unwind before
 * their fop returns, so the call, and with it the route, is never let go of
 * while brick code is still on this thread's stack (a detach could unload it).
 */
static void call_wind(fop_call_t *c, gf_fop_t op, gf_args_t *args, gf_fop_cbk_t cbk)
{
    gf_frame_t *frame = call_frame(c);

    if (!frame) {
        call_fail(c, ENOMEM);
        return;
    }
    atomic_fetch_add(&c->refs, 1);
    gf_wind(frame, c->brick, op, args, cbk, c);
    call_put(c);
}

/*
 * ---- callback: tables follow what the brick did ------------------------------------
 *
 * Inodes are linked without counting lookups (gf_inode_lookup): in our inode
 * table a lookup count pins an inode until forgotten, and no client ever tells
 * a brick to forget (the FOP program has no FORGET), so every file a client
 * touched would stay in memory for the brick's life. Unpinned, the table keeps
 * what calls reference plus inode-lru-limit others, as the stock server's
 * table does; an evicted gfid costs one nameless lookup when it comes back.
 */

/* Links loc's inode under stat's gfid and loc's name (when it has one), and
 * returns the inode linked (a reference; NULL on failure). A lookup whose
 * cached inode turns out to carry another gfid (the name was replaced behind
 * our back) links a fresh inode instead. */
static gf_inode_t *link_entry(fop_call_t *c, const gf_loc_t *loc, const gf_iatt_t *stat)
{
    const char *name = has_name(loc) ? loc->name : NULL;
    gf_inode_t *linked, *fresh;

    if (!loc->inode)
        return NULL;
    linked = gf_inode_link(loc->inode, loc->parent, name, stat);
    if (!linked && c->op == GF_FOP_LOOKUP) {
        fresh = gf_inode_new(c->itable);
        linked = fresh ? gf_inode_link(fresh, loc->parent, name, stat) : NULL;
        gf_inode_unref(fresh);
    }
    return linked;
}

/*
 * A create that opened a file the table knew already (by gfid: found through
 * another name, or made meanwhile by another client) linked the table's inode,
 * not the fresh one its fd was made on: the fd moves to the table's inode, so
 * that everything keyed by inode (locks, above all) sees one file, as the
 * stock server does. The fd is the call's alone until add_fd.
 */
static void adopt_inode(fop_call_t *c, gf_inode_t *linked)
{
    gf_fd_t *fd = c->args.fd;
    gf_inode_t *old;

    if (!linked || !fd || fd->inode == linked)
        return;
    old = fd->inode;
    fd->inode = gf_inode_ref(linked);
    gf_inode_unref(old);
}

/* The name is gone; the inode stays known by gfid until evicted. */
static void unlink_entry(fop_call_t *c)
{
    gf_loc_t *loc = &c->args.loc;

    if (loc->parent)
        gf_inode_unlink(loc->inode, loc->parent, loc->name);
}

static void rename_entry(fop_call_t *c, const gf_iatt_t *stat)
{
    gf_args_t *a = &c->args;
    gf_inode_t *inode =
        a->loc.inode ? gf_inode_ref(a->loc.inode) : gf_inode_find(c->itable, stat->ia_gfid);

    if (inode) {
        gf_inode_rename(c->itable, a->loc.parent, a->loc.name, a->loc2.parent, a->loc2.name, inode);
        gf_inode_unref(inode);
        return;
    }
    gf_inode_unlink(NULL, a->loc.parent, a->loc.name);
    gf_inode_unlink(NULL, a->loc2.parent, a->loc2.name);
}

/* Gives the fd this call opened a number in the client's table (into the reply). */
static void add_fd(fop_call_t *c, gf_reply_t *out)
{
    int64_t n = gf_fdtable_add(c->client->fdtable, c->args.fd);

    if (n < 0) {
        out->op_ret = -1;
        out->op_errno = (int32_t)-n;
        return;
    }
    c->new_fdno = n;
}

/* The per-fop part of a successful call: what the tables learn from it. */
static void post_process(fop_call_t *c, gf_reply_t *out)
{
    gf_inode_t *linked = NULL;

    switch (c->op) {
    case GF_FOP_LOOKUP:
    case GF_FOP_MKDIR:
    case GF_FOP_MKNOD:
    case GF_FOP_SYMLINK:
        linked = link_entry(c, &c->args.loc, &out->stat);
        break;
    case GF_FOP_CREATE:
        linked = link_entry(c, &c->args.loc, &out->stat);
        adopt_inode(c, linked);
        break;
    case GF_FOP_LINK:
        linked = link_entry(c, &c->args.loc2, &out->stat);
        break;
    case GF_FOP_UNLINK:
    case GF_FOP_RMDIR:
        unlink_entry(c);
        break;
    case GF_FOP_RENAME:
        rename_entry(c, &out->stat);
        break;
    default:
        break;
    }
    gf_inode_unref(linked);
    if (opens(c->op))
        add_fd(c, out);
}

static int fop_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    fop_call_t *c = cookie;
    gf_reply_t out = *rsp;

    gf_frame_root_destroy(frame);
    if (out.op_ret >= 0)
        post_process(c, &out);
    call_finish(c, &out);
    return 0;
}

/* ---- resolution ---------------------------------------------------------------------- */

/* Gfid slot i of the call: the gfid and where its inode goes. False when the
 * slot does not apply (a LOOKUP's own gfid is what the LOOKUP looks up). */
static bool slot_of(fop_call_t *c, int i, unsigned char **gfid, gf_inode_t ***inode)
{
    gf_args_t *a = &c->args;

    switch (i) {
    case 0:
        *gfid = a->loc.gfid;
        *inode = &a->loc.inode;
        return c->op != GF_FOP_LOOKUP;
    case 1:
        *gfid = a->loc.pargfid;
        *inode = &a->loc.parent;
        return true;
    default:
        *gfid = a->loc2.pargfid;
        *inode = &a->loc2.parent;
        return true;
    }
}

/* The nameless lookup of a gfid slot came back: link it and go on. */
static int resolved_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    fop_call_t *c = cookie;
    gf_inode_t *fresh = c->fresh, *linked = NULL, **inode;
    unsigned char *gfid;

    gf_frame_root_destroy(frame);
    c->fresh = NULL;
    slot_of(c, c->slot, &gfid, &inode);
    if (rsp->op_ret >= 0 && uuid_compare(rsp->stat.ia_gfid, gfid) == 0)
        linked = gf_inode_link(fresh, NULL, NULL, &rsp->stat);
    gf_inode_unref(fresh);
    if (!linked) {
        call_fail(c, rsp->op_ret < 0 && rsp->op_errno ? rsp->op_errno : ESTALE);
        return 0;
    }
    *inode = linked;
    c->slot++;
    resolve_next(c);
    return 0;
}

/* Winds a nameless LOOKUP of gfid to the brick; resolved_cbk continues. */
static void resolve_remote(fop_call_t *c, const unsigned char *gfid)
{
    gf_args_t la = {0};

    c->fresh = gf_inode_new(c->itable);
    if (!c->fresh) {
        call_fail(c, ENOMEM);
        return;
    }
    uuid_copy(la.loc.gfid, gfid);
    la.loc.inode = c->fresh;
    call_wind(c, GF_FOP_LOOKUP, &la, resolved_cbk);
}

/*
 * The anonymous fd (-2): an fd made for this call on the inode the request's
 * gfid names, which the brick opens on first use and closes when the call
 * ends, as the stock server serves it. Not for lk: a lock taken through it
 * would end with the call. 0 or -errno.
 */
static int anon_fd(fop_call_t *c)
{
    gf_args_t *a = &c->args;

    if (c->fdno.fd != ANON_FD)
        return 0;
    if (c->op == GF_FOP_LK || !a->loc.inode)
        return -EBADF;
    a->fd = gf_fd_create(a->loc.inode, O_RDWR, c->req->auth.pid);
    return a->fd ? 0 : -ENOMEM;
}

/* Names -> inodes, and the new fd of an open. 0 or -errno. */
static int resolve_names(fop_call_t *c)
{
    gf_args_t *a = &c->args;

    if ((has_name(&a->loc) && !a->loc.parent) || (has_name(&a->loc2) && !a->loc2.parent))
        return -EINVAL;
    if (creates(c->op) && !a->loc.inode)
        a->loc.inode = gf_inode_new(c->itable);
    else if (c->op == GF_FOP_LOOKUP)
        a->loc.inode = has_name(&a->loc) ? gf_inode_grep(c->itable, a->loc.parent, a->loc.name)
                                         : gf_inode_find(c->itable, a->loc.gfid);
    else if (has_name(&a->loc) && !a->loc.inode)
        a->loc.inode = gf_inode_grep(c->itable, a->loc.parent, a->loc.name);
    if (c->op == GF_FOP_LOOKUP && !a->loc.inode)
        a->loc.inode = gf_inode_new(c->itable);
    if ((creates(c->op) || c->op == GF_FOP_LOOKUP) && !a->loc.inode)
        return -ENOMEM;
    if (has_name(&a->loc2))
        a->loc2.inode = c->op == GF_FOP_LINK
                            ? gf_inode_ref(a->loc.inode)
                            : gf_inode_grep(c->itable, a->loc2.parent, a->loc2.name);
    if (opens(c->op)) {
        if (!a->loc.inode)
            return -EINVAL;
        a->fd = gf_fd_create(a->loc.inode, a->flags, c->req->auth.pid);
        if (!a->fd)
            return -ENOMEM;
    }
    return 0;
}

/* Resolves the gfid slots from c->slot on (pausing for remote lookups), then
 * the names, then winds the fop. */
static void resolve_next(fop_call_t *c)
{
    unsigned char *gfid;
    gf_inode_t **inode;
    int ret;

    for (; c->slot < N_SLOTS; c->slot++) {
        if (!slot_of(c, c->slot, &gfid, &inode) || *inode || uuid_is_null(gfid))
            continue;
        *inode = gf_inode_find(c->itable, gfid);
        if (!*inode) {
            resolve_remote(c, gfid);
            return;
        }
    }
    ret = anon_fd(c);
    if (!ret)
        ret = resolve_names(c);
    if (ret)
        call_fail(c, -ret);
    else
        call_wind(c, c->op, &c->args, fop_cbk);
}

/* The fd the request names, from the client's table (the anonymous fd comes
 * once its inode is resolved, see anon_fd). 0 or -EBADF. */
static int resolve_fd(fop_call_t *c)
{
    if (c->fdno.fd == NO_FD || c->fdno.fd == ANON_FD)
        return 0;
    c->args.fd = gf_fdtable_get(c->client->fdtable, c->fdno.fd);
    if (!c->args.fd)
        return -EBADF;
    if (!c->args.loc.inode)
        c->args.loc.inode = gf_inode_ref(c->args.fd->inode);
    return 0;
}

/* RELEASE/RELEASEDIR: the number leaves the table; the brick releases the file
 * when the last reference goes (now, or when calls still using it end). */
static void release_fd(fop_call_t *c)
{
    gf_fd_t *fd = gf_fdtable_remove(c->client->fdtable, c->fdno.fd);
    gf_reply_t r = {.op_ret = fd ? 0 : -1, .op_errno = fd ? 0 : EBADF};

    gf_fd_unref(fd);
    call_finish(c, &r);
}

/* Work item: steps 3 to 5 of an admitted call. */
static void call_start(void *data)
{
    fop_call_t *c = data;
    gf_xlator_t *saved = gf_this;
    int ret;

    gf_this = c->client->server;
    if (c->op == GF_FOP_RELEASE || c->op == GF_FOP_RELEASEDIR)
        release_fd(c);
    else if ((ret = resolve_fd(c)) != 0)
        call_fail(c, -ret);
    else
        resolve_next(c);
    gf_this = saved;
}

/* ---- the handler (event thread) ---------------------------------------------------- */

/* WRITE: the data is the rest of the record. 0, or -EBADMSG when short. */
static int attach_payload(fop_call_t *c, rpc_req_t *req, size_t used)
{
    if (req->args_len - used < c->args.size)
        return -EBADMSG;
    c->payload.iov_base = (char *)req->args + used;
    c->payload.iov_len = c->args.size;
    c->args.vector = &c->payload;
    c->args.count = 1;
    c->args.buf = gf_buf_ref(req->record);
    return 0;
}

/* Step 1. 0, -EBADMSG or -ENOMEM; req is not touched. */
static int call_decode(fop_call_t *c, rpc_req_t *req)
{
    size_t used = 0;

    c->xreq = gf_calloc(1, c->codec->req_size);
    if (!c->xreq)
        return -ENOMEM;
    if (rpc_req_decode(req, c->codec->xreq, c->xreq, &used)) {
        gf_free(c->xreq);
        c->xreq = NULL;
        return -EBADMSG;
    }
    if (c->codec->req_to_args(c->xreq, &c->args, &c->fdno))
        return -EBADMSG;
    return c->op == GF_FOP_WRITE ? attach_payload(c, req, used) : 0;
}

/* Step 2. 0, or -ENOTCONN when the connection has no READY brick. */
static int call_admit(fop_call_t *c)
{
    server_route_t *route = server_client_route(c->client);

    if (!route || server_route_enter(route))
        return -ENOTCONN;
    c->route = route;
    c->brick = route->brick;
    c->itable = route->brick->itable;
    return 0;
}

/* A new call of codec's fop for client (referenced by the call), its
 * request decoded from req (step 1). 0 with *out, -EBADMSG or -ENOMEM. */
static int call_new(const gf_fop_codec_t *codec, server_client_t *client, rpc_req_t *req,
                    fop_call_t **out)
{
    fop_call_t *c = gf_calloc(1, sizeof(*c));
    int ret;

    if (!c)
        return -ENOMEM;
    atomic_init(&c->refs, 1);
    c->codec = codec;
    c->op = (gf_fop_t)req->proc;
    c->fdno.fd = NO_FD;
    c->new_fdno = -1;
    c->client = server_client_ref(client);
    ret = call_decode(c, req);
    if (ret) {
        call_free(c);
        return ret;
    }
    *out = c;
    return 0;
}

static int fop_actor(rpc_req_t *req)
{
    const gf_fop_codec_t *codec = gf_fop_codec((gf_fop_t)req->proc);
    server_client_t *client = server_client_of(req);
    gf_xlator_t *saved = gf_this;
    fop_call_t *c = NULL;
    int ret;

    server_client_count_call(client, req);
    if (!codec || !codec->xreq) {
        server_reply_error(client, req, PROC_UNAVAIL);
        return 0;
    }
    if (!client)
        return -ENOMEM;
    gf_this = client->server;
    ret = call_new(codec, client, req, &c);
    if (ret == -EBADMSG) {
        server_reply_error(client, req, GARBAGE_ARGS);
        ret = 0;
    } else if (!ret) {
        c->req = req;
        if (call_admit(c))
            call_fail(c, ENOTCONN);
        else if (server_submit(call_start, c))
            call_fail(c, ENOMEM);
    }
    gf_this = saved;
    return ret;
}

/*
 * ---- a client going away ---------------------------------------------------------------
 *
 * The brick's features/locks keeps locks per client; it learns that a client
 * went away through IPC ops wound down the brick with the client as the call's
 * gf_call_root_t.client (doc/locks.md). server.c calls the two functions
 * below; a brick graph without features/locks answers them ENOSYS, which is
 * fine.
 */
#define CLIENT_GONE_IPC  0x4c4b0001
#define CLIENT_FREED_IPC 0x4c4b0002

static int client_ipc_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    gf_frame_root_destroy(frame);
    return 0;
}

/* Winds IPC op about c to c's brick; it is answered before this returns
 * (our bricks are synchronous for IPC). */
static void client_ipc(server_client_t *c, int32_t op)
{
    server_route_t *route = server_client_route(c);
    gf_args_t args = {.flags = op};
    gf_xlator_t *saved = gf_this;
    gf_frame_t *f;

    if (!route)
        return;
    gf_this = c->server;
    f = gf_frame_root_new(c->server);
    if (f) {
        f->root->client = c;
        gf_wind(f, route->brick, GF_FOP_IPC, &args, client_ipc_cbk, NULL);
    } else {
        gf_log(GF_LOG_ERROR,
               "no memory to tell brick '%s' that client %s went away: its "
               "locks stay",
               route->name, c->peer);
    }
    gf_this = saved;
}

static void client_gone_work(void *data)
{
    server_client_t *c = data;

    client_ipc(c, CLIENT_GONE_IPC);
    server_client_unref(c);
}

/*
 * c's connection has ended: the brick releases c's locks and answers the lock
 * requests of c still waiting (their calls then end, and c can be torn down).
 * Runs on the worker pool, holding a reference to c (and so c's brick).
 * server.c calls it at RPC_SVC_DISCONNECT, before dropping the connection's
 * reference to c.
 */
void server_fops_client_gone(server_client_t *c)
{
    if (!server_client_route(c))
        return;
    server_client_ref(c);
    if (server_submit(client_gone_work, c) != 0)
        client_gone_work(c);
}

/*
 * c's last call is over and c is about to be freed: the brick drops anything
 * of c still left (a request that arrived after the disconnect) and forgets
 * c, whose address may serve another client afterwards. server.c calls it
 * from the teardown of c, while c is still bound to its brick.
 */
void server_fops_client_freed(server_client_t *c)
{
    client_ipc(c, CLIENT_FREED_IPC);
}

static int fop_null(rpc_req_t *req)
{
    server_client_t *c = server_client_of(req);

    server_client_count_call(c, req);
    server_reply(c, req, NULL, NULL, NULL, 0);
    return 0;
}

static const rpc_actor_t fop_actors[GF_FOP_MAXVALUE] = {
    [GF_FOP_NULL] = {"NULL", fop_null},
#define GF_FOP(ENUM, name, num) [GF_FOP_##ENUM] = {#name, fop_actor},
#include "glusterfs/fops.def"
#undef GF_FOP
};

const rpc_program_t server_fop_program = {
    .name = "GlusterFS 4.x v1",
    .prognum = GF_FOP_PROGRAM,
    .progver = GF_FOP_VERSION,
    .actors = fop_actors,
    .n_actors = GF_FOP_MAXVALUE,
};
