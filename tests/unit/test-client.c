/*
 * Tests of protocol/client against fake servers in the same process, built on
 * the real rpc server (rpcsvc) and the FOP codec: a fake brick answering
 * SETVOLUME and LOOKUP/CREATE/WRITE/READ/FSTAT/RELEASE in the 4.x format, and
 * a fake glusterd answering PORTBYBRICK with the brick's port. The client
 * translator is linked in and driven as a graph would drive it: options bound
 * from a dict, init, PARENT_UP, fops wound from a parent translator whose
 * notify records CHILD_UP/CHILD_DOWN.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fop-codec.h"
#include "glusterfs/buf.h"
#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"
#include "handshake-xdr.h"
#include "portmap-xdr.h"
#include "rpcsvc.h"

#define BRICK   "/bricks/b1"
#define FAKE_FD 7    /* the fd number the fake brick hands out */
#define WAIT_MS 3000 /* upper bound of every wait; the cases take far less */

/* Waits up to WAIT_MS for cond, then asserts it. */
#define WAIT_UNTIL(cond)                                                                           \
    do {                                                                                           \
        for (int wait_ = 0; wait_ < WAIT_MS && !(cond); wait_++)                                   \
            usleep(1000);                                                                          \
        assert_true(cond);                                                                         \
    } while (0)

extern const gf_xlator_desc_t gf_xlator_desc; /* protocol/client, linked in */

static const unsigned char file_gfid[16] = {0xaa, 1, 2,  3,  4,  5,  6,  7,
                                            8,    9, 10, 11, 12, 13, 14, 15};

/* ---- the fake servers ------------------------------------------------------------ */

typedef struct fake {
    rpc_svc_t *svc;
    int port;
    int brick_port;   /* glusterd: the port PORTBYBRICK answers */
    int setvol_errno; /* brick: 0 accepts SETVOLUME, else refuses with it */
    bool setvol_hold; /* brick: leave SETVOLUME unanswered (in `held`) */
    atomic_int setvolumes, portbybricks, releases, writes;
    atomic_llong released_fd;
    char setvol_uuid[256], setvol_subvol[64], setvol_user[32], setvol_pass[32];
    char setvol_fops[16], pmap_brick[64];
    char data[256];
    size_t data_len;
    rpc_req_t *_Atomic held; /* a LOOKUP of "hang" or a SETVOLUME, left unanswered */
    rpc_program_t progs[2];  /* must outlive svc */
} fake_t;

static void copy_key(gf_dict_t *d, const char *key, char *out, size_t size)
{
    const char *v = "";

    gf_dict_get_str(d, key, &v);
    snprintf(out, size, "%s", v);
}

/* Answers a SETVOLUME: accepted, or refused with f->setvol_errno. */
static void setvolume_answer(fake_t *f, rpc_req_t *req)
{
    gf_setvolume_rsp out = {.op_ret = f->setvol_errno ? -1 : 0, .op_errno = f->setvol_errno};
    gf_dict_t *reply = gf_dict_new();
    size_t len = 0;

    gf_dict_set_str(reply, "ERROR", f->setvol_errno ? "Authentication failed" : "Success");
    assert_int_equal(gf_dict_serialize(reply, &out.dict.dict_val, &len), 0);
    out.dict.dict_len = (u_int)len;
    rpc_req_reply(req, (xdrproc_t)xdr_gf_setvolume_rsp, &out, NULL, 0, NULL);
    gf_free(out.dict.dict_val);
    gf_dict_unref(reply);
}

/* Records the keys the client sent, then answers, or holds the call when
 * f->setvol_hold is set (the test answers it later). */
static int setvolume_actor(rpc_req_t *req)
{
    fake_t *f = req->program->priv;
    gf_setvolume_req in = {{0}};
    gf_dict_t *d = NULL;

    if (rpc_req_decode(req, (xdrproc_t)xdr_gf_setvolume_req, &in, NULL))
        return -EBADMSG;
    assert_int_equal(gf_dict_unserialize(in.dict.dict_val, in.dict.dict_len, &d), 0);
    copy_key(d, "process-uuid", f->setvol_uuid, sizeof(f->setvol_uuid));
    copy_key(d, "remote-subvolume", f->setvol_subvol, sizeof(f->setvol_subvol));
    copy_key(d, "username", f->setvol_user, sizeof(f->setvol_user));
    copy_key(d, "password", f->setvol_pass, sizeof(f->setvol_pass));
    copy_key(d, "fops-version", f->setvol_fops, sizeof(f->setvol_fops));
    gf_dict_unref(d);
    xdr_free((xdrproc_t)xdr_gf_setvolume_req, &in);
    atomic_fetch_add(&f->setvolumes, 1);
    if (f->setvol_hold)
        atomic_store(&f->held, req);
    else
        setvolume_answer(f, req);
    return 0;
}

static void file_iatt(gf_iatt_t *ia, size_t size)
{
    memset(ia, 0, sizeof(*ia));
    memcpy(ia->ia_gfid, file_gfid, 16);
    ia->ia_mode = S_IFREG | 0644;
    ia->ia_size = size;
    ia->ia_nlink = 1;
}

/* Serves one fop into reply (and *payload for READ). False: leave req unanswered. */
static bool serve_fop(fake_t *f, rpc_req_t *req, gf_fop_t op, gf_args_t *a, gf_codec_fd_t *fd,
                      const char *data, size_t len, gf_reply_t *r, gf_codec_fd_t *rfd,
                      struct iovec *payload)
{
    switch (op) {
    case GF_FOP_LOOKUP:
        if (a->loc.name && !strcmp(a->loc.name, "hang")) {
            atomic_store(&f->held, req);
            return false;
        }
        if (a->loc.name && !strcmp(a->loc.name, "missing")) {
            r->op_ret = -1;
            r->op_errno = ENOENT;
        }
        file_iatt(&r->stat, f->data_len);
        break;
    case GF_FOP_CREATE:
        rfd->fd = FAKE_FD;
        file_iatt(&r->stat, 0);
        break;
    case GF_FOP_WRITE:
        assert_int_equal(fd->fd, FAKE_FD);
        assert_true(a->offset + len <= sizeof(f->data));
        memcpy(f->data + a->offset, data, len);
        f->data_len = a->offset + len;
        r->op_ret = (int32_t)len;
        atomic_fetch_add(&f->writes, 1);
        break;
    case GF_FOP_READ:
        assert_int_equal(fd->fd, FAKE_FD);
        payload->iov_base = f->data + a->offset;
        payload->iov_len = f->data_len - (size_t)a->offset;
        r->op_ret = (int32_t)payload->iov_len;
        break;
    case GF_FOP_RELEASE:
        atomic_store(&f->released_fd, fd->fd);
        atomic_fetch_add(&f->releases, 1);
        break;
    default:
        r->op_ret = -1;
        r->op_errno = ENOSYS;
        break;
    }
    return true;
}

/* Every FOP procedure: decode with the codec, serve, encode with the codec. */
static int fop_actor(rpc_req_t *req)
{
    fake_t *f = req->program->priv;
    const gf_fop_codec_t *c = gf_fop_codec((gf_fop_t)req->proc);
    void *in = calloc(1, c->req_size), *out = calloc(1, c->rsp_size);
    gf_args_t args = {0};
    gf_reply_t reply = {0};
    gf_codec_fd_t fd = {-1}, rfd = {-1};
    struct iovec payload = {0};
    size_t used = 0;

    assert_int_equal(rpc_req_decode(req, c->xreq, in, &used), 0);
    assert_int_equal(c->req_to_args(in, &args, &fd), 0);
    if (serve_fop(f, req, (gf_fop_t)req->proc, &args, &fd, req->args + used, req->args_len - used,
                  &reply, &rfd, &payload)) {
        assert_int_equal(c->reply_to_rsp(&reply, &rfd, out), 0);
        rpc_req_reply(req, c->xrsp, out, &payload, payload.iov_len ? 1 : 0, NULL);
        gf_codec_rsp_free(c, out);
    }
    gf_codec_args_wipe(&args);
    xdr_free(c->xreq, in);
    free(in);
    free(out);
    return 0;
}

static int portbybrick_actor(rpc_req_t *req)
{
    fake_t *f = req->program->priv;
    pmap_port_by_brick_req in = {0};
    pmap_port_by_brick_rsp out = {.port = f->brick_port};

    if (rpc_req_decode(req, (xdrproc_t)xdr_pmap_port_by_brick_req, &in, NULL))
        return -EBADMSG;
    snprintf(f->pmap_brick, sizeof(f->pmap_brick), "%s", in.brick);
    atomic_fetch_add(&f->portbybricks, 1);
    rpc_req_reply(req, (xdrproc_t)xdr_pmap_port_by_brick_rsp, &out, NULL, 0, NULL);
    xdr_free((xdrproc_t)xdr_pmap_port_by_brick_req, &in);
    return 0;
}

static const rpc_actor_t hndsk_actors[] = {{"NULL", NULL}, {"SETVOLUME", setvolume_actor}};
static const rpc_actor_t pmap_actors[] = {{"NULL", NULL}, {"PORTBYBRICK", portbybrick_actor}};
static rpc_actor_t fop_actors[GF_FOP_MAXVALUE];

/* Starts a fake on port (0: any): a brick, or glusterd when brick_port > 0. */
static void fake_start(fake_t *f, int port, int brick_port)
{
    char spec[64];

    for (int op = 1; op < GF_FOP_MAXVALUE; op++)
        fop_actors[op] = (rpc_actor_t){"FOP", fop_actor};
    f->brick_port = brick_port;
    f->svc = rpc_svc_new(gf_ctx->events, NULL, NULL);
    assert_non_null(f->svc);
    snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
    assert_int_equal(rpc_svc_listen(f->svc, spec), 0);
    f->port = rpc_svc_port(f->svc);
    if (brick_port) {
        f->progs[0] =
            (rpc_program_t){"Gluster Portmap", GF_PMAP_PROGRAM, GF_PMAP_VERSION, pmap_actors, 2, f};
    } else {
        f->progs[0] = (rpc_program_t){
            "GlusterFS Handshake", GF_HNDSK_PROGRAM, GF_HNDSK_VERSION, hndsk_actors, 2, f};
        f->progs[1] =
            (rpc_program_t){"GlusterFS 4.x v1", 1298437, 400, fop_actors, GF_FOP_MAXVALUE, f};
        assert_int_equal(rpc_svc_register(f->svc, &f->progs[1]), 0);
    }
    assert_int_equal(rpc_svc_register(f->svc, &f->progs[0]), 0);
}

static void fake_stop(fake_t *f)
{
    if (f->svc)
        rpc_svc_destroy(f->svc);
    f->svc = NULL;
}

/* ---- the client under test and its parent ----------------------------------------- */

typedef struct harness {
    gf_xlator_t top, client;
    gf_xlator_t *top_children[1], *client_parents[1];
    gf_inode_table_t *itable;
    atomic_int ups, downs;
    fake_t brick, glusterd;
} harness_t;

static int top_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    harness_t *h = this->priv;

    assert_ptr_equal(data, &h->client);
    if (event == GF_EVENT_CHILD_UP)
        atomic_fetch_add(&h->ups, 1);
    if (event == GF_EVENT_CHILD_DOWN)
        atomic_fetch_add(&h->downs, 1);
    return 0;
}

static const gf_xlator_desc_t top_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "test/top",
    .notify = top_notify,
};

/* Builds the client as the graph loader would, to connect to port, and starts it. */
static void client_start(harness_t *h, int port)
{
    gf_dict_t *o = gf_dict_new();
    char num[16], err[256] = "";

    snprintf(num, sizeof(num), "%d", port);
    gf_dict_set_str(o, "remote-host", "127.0.0.1");
    gf_dict_set_str(o, "remote-port", num);
    gf_dict_set_str(o, "remote-subvolume", BRICK);
    gf_dict_set_str(o, "transport-type", "tcp");
    gf_dict_set_str(o, "username", "u1");
    gf_dict_set_str(o, "password", "p1");
    h->client = (gf_xlator_t){
        .name = "vol-client-0", .type = "protocol/client", .desc = &gf_xlator_desc, .options = o};
    h->client.priv = gf_calloc(1, gf_xlator_desc.priv_size);
    assert_int_equal(gf_options_bind(gf_xlator_desc.options, o, h->client.priv, err, sizeof(err)),
                     0);
    h->client_parents[0] = &h->top;
    h->client.parents = h->client_parents;
    h->client.n_parents = 1;
    h->top = (gf_xlator_t){.name = "top", .type = "test/top", .desc = &top_desc, .priv = h};
    h->top_children[0] = &h->client;
    h->top.children = h->top_children;
    h->top.n_children = 1;
    gf_this = &h->client;
    assert_int_equal(gf_xlator_desc.init(&h->client), 0);
    gf_this = NULL;
    h->client.initialized = true;
    gf_xlator_notify(&h->client, GF_EVENT_PARENT_UP, &h->top);
}

static void client_stop(harness_t *h)
{
    if (!h->client.initialized)
        return;
    gf_this = &h->client;
    gf_xlator_desc.fini(&h->client);
    gf_this = NULL;
    gf_options_unbind(gf_xlator_desc.options, h->client.priv);
    gf_free(h->client.priv);
    gf_dict_unref(h->client.options);
    h->client.initialized = false;
}

/* Starts a brick and a client connected straight to it; waits for CHILD_UP. */
static void start_up(harness_t *h)
{
    fake_start(&h->brick, 0, 0);
    client_start(h, h->brick.port);
    WAIT_UNTIL(atomic_load(&h->ups) == 1);
}

/* What came back from a fop. */
typedef struct result {
    atomic_bool done;
    int op_ret, op_errno;
    gf_iatt_t stat;
    gf_inode_t *inode;
    gf_fd_t *fd;
    char data[256];
    size_t data_len;
} result_t;

static int top_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    result_t *r = cookie;

    r->op_ret = rsp->op_ret;
    r->op_errno = rsp->op_errno;
    r->stat = rsp->stat;
    r->inode = rsp->inode;
    r->fd = rsp->fd;
    for (int i = 0; i < rsp->count; i++) {
        assert_true(r->data_len + rsp->vector[i].iov_len <= sizeof(r->data));
        memcpy(r->data + r->data_len, rsp->vector[i].iov_base, rsp->vector[i].iov_len);
        r->data_len += rsp->vector[i].iov_len;
    }
    atomic_store(&r->done, true);
    return 0;
}

/* Winds op from the parent with a caller identity; *rootp gets the root frame
 * (free it once r->done). */
static void wind_async(harness_t *h, gf_fop_t op, gf_args_t *args, result_t *r, gf_frame_t **rootp)
{
    gf_frame_t *root = gf_frame_root_new(&h->top);

    assert_non_null(root);
    root->root->uid = 1000;
    root->root->gid = 1000;
    root->root->pid = 4242;
    memset(r, 0, sizeof(*r));
    *rootp = root;
    gf_wind(root, &h->client, op, args, top_cbk, r);
}

static void wind(harness_t *h, gf_fop_t op, gf_args_t *args, result_t *r)
{
    gf_frame_t *root;

    wind_async(h, op, args, r, &root);
    WAIT_UNTIL(atomic_load(&r->done));
    gf_frame_root_destroy(root);
}

/* A lookup of name in the root directory, into a fresh inode. */
static void lookup(harness_t *h, const char *name, result_t *r)
{
    gf_inode_t *inode = gf_inode_new(h->itable);
    gf_args_t args = {.loc = {.name = name, .inode = inode}};

    args.loc.pargfid[15] = 1;
    wind(h, GF_FOP_LOOKUP, &args, r);
    assert_true(r->op_ret < 0 || r->inode == inode);
    gf_inode_unref(inode);
}

/* Creates "f" in the root directory on a new fd, returned referenced. */
static gf_fd_t *create_file(harness_t *h)
{
    gf_inode_t *inode = gf_inode_new(h->itable);
    gf_fd_t *fd = gf_fd_create(inode, O_RDWR, 4242);
    gf_args_t args = {
        .loc = {.name = "f", .inode = inode}, .fd = fd, .flags = O_CREAT | O_RDWR, .mode = 0644};
    result_t r;

    args.loc.pargfid[15] = 1;
    wind(h, GF_FOP_CREATE, &args, &r);
    assert_int_equal(r.op_ret, 0);
    assert_ptr_equal(r.fd, fd);
    assert_ptr_equal(r.inode, inode);
    gf_inode_unref(inode);
    return fd;
}

/* ---- fixture ------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    gf_log_set_level(GF_LOG_CRITICAL);
    return gf_ctx_init("test-client", 2, 2);
}

static int group_teardown(void **state)
{
    gf_ctx_fini();
    return 0;
}

static int setup(void **state)
{
    harness_t *h = calloc(1, sizeof(*h));

    h->itable = gf_inode_table_new(0, NULL);
    *state = h;
    return h->itable ? 0 : -1;
}

static int teardown(void **state)
{
    harness_t *h = *state;

    client_stop(h);
    fake_stop(&h->brick);
    fake_stop(&h->glusterd);
    gf_inode_table_destroy(h->itable);
    free(h);
    return 0;
}

/* ---- cases ---------------------------------------------------------------------------- */

/* SETVOLUME carries the handshake keys; success tells the parent CHILD_UP. */
static void test_child_up_after_setvolume(void **state)
{
    harness_t *h = *state;

    start_up(h);
    assert_int_equal(atomic_load(&h->downs), 0);
    assert_int_equal(atomic_load(&h->brick.setvolumes), 1);
    assert_string_equal(h->brick.setvol_subvol, BRICK);
    assert_string_equal(h->brick.setvol_user, "u1");
    assert_string_equal(h->brick.setvol_pass, "p1");
    assert_string_equal(h->brick.setvol_fops, "1298437");
    assert_memory_equal(h->brick.setvol_uuid, "CTX_ID:", 7);
    assert_non_null(strstr(h->brick.setvol_uuid, "-PC_NAME:vol-client-0-RECON_NO:-0"));
}

/* At glusterd (portmap offered) the client asks for the brick's port and goes there. */
static void test_portmap_redirect(void **state)
{
    harness_t *h = *state;

    fake_start(&h->brick, 0, 0);
    fake_start(&h->glusterd, 0, h->brick.port);
    client_start(h, h->glusterd.port);
    WAIT_UNTIL(atomic_load(&h->ups) == 1);
    assert_int_equal(atomic_load(&h->glusterd.portbybricks), 1);
    assert_string_equal(h->glusterd.pmap_brick, BRICK);
    assert_int_equal(atomic_load(&h->brick.setvolumes), 1);
}

/* A refused SETVOLUME is CHILD_DOWN, retried later, and fops fail with ENOTCONN. */
static void test_setvolume_refused(void **state)
{
    harness_t *h = *state;
    result_t r;

    h->brick.setvol_errno = EACCES;
    fake_start(&h->brick, 0, 0);
    client_start(h, h->brick.port);
    WAIT_UNTIL(atomic_load(&h->downs) == 1);
    WAIT_UNTIL(atomic_load(&h->brick.setvolumes) >= 2);
    assert_int_equal(atomic_load(&h->ups), 0);
    assert_int_equal(atomic_load(&h->downs), 1);
    lookup(h, "f", &r);
    assert_int_equal(r.op_ret, -1);
    assert_int_equal(r.op_errno, ENOTCONN);
}

/* Until SETVOLUME succeeds, the connection is not usable: fops fail with
 * ENOTCONN without reaching the brick. */
static void test_fops_wait_for_handshake(void **state)
{
    harness_t *h = *state;
    result_t r;

    h->brick.setvol_hold = true;
    fake_start(&h->brick, 0, 0);
    client_start(h, h->brick.port);
    WAIT_UNTIL(atomic_load(&h->brick.held) != NULL);
    lookup(h, "f", &r);
    assert_int_equal(r.op_ret, -1);
    assert_int_equal(r.op_errno, ENOTCONN);
    assert_int_equal(atomic_load(&h->ups), 0);
    setvolume_answer(&h->brick, atomic_exchange(&h->brick.held, NULL));
    WAIT_UNTIL(atomic_load(&h->ups) == 1);
    lookup(h, "f", &r);
    assert_int_equal(r.op_ret, 0);
}

/* A lookup returns the brick's attributes and the caller's inode; errors pass through. */
static void test_lookup(void **state)
{
    harness_t *h = *state;
    result_t r;

    start_up(h);
    lookup(h, "f", &r);
    assert_int_equal(r.op_ret, 0);
    assert_memory_equal(r.stat.ia_gfid, file_gfid, 16);
    assert_int_equal(r.stat.ia_mode, S_IFREG | 0644);
    lookup(h, "missing", &r);
    assert_int_equal(r.op_ret, -1);
    assert_int_equal(r.op_errno, ENOENT);
}

/* create binds the server's fd number; write and read use it; the last unref
 * of the fd sends RELEASE with it. */
static void test_write_read_roundtrip(void **state)
{
    harness_t *h = *state;
    static char text[] = "hello, brick";
    struct iovec iov = {text, sizeof(text) - 1};
    gf_fd_t *fd;
    result_t r;

    start_up(h);
    fd = create_file(h);
    gf_args_t w = {.fd = fd, .vector = &iov, .count = 1, .offset = 0};
    wind(h, GF_FOP_WRITE, &w, &r);
    assert_int_equal(r.op_ret, (int)iov.iov_len);
    gf_args_t rd = {.fd = fd, .offset = 0, .size = 100};
    wind(h, GF_FOP_READ, &rd, &r);
    assert_int_equal(r.op_ret, (int)iov.iov_len);
    assert_int_equal(r.data_len, iov.iov_len);
    assert_memory_equal(r.data, text, iov.iov_len);
    gf_fd_unref(fd);
    WAIT_UNTIL(atomic_load(&h->brick.releases) == 1);
    assert_int_equal(atomic_load(&h->brick.released_fd), FAKE_FD);
}

/* An fd this client never opened cannot be named on the wire. */
static void test_fd_without_ctx(void **state)
{
    harness_t *h = *state;
    gf_inode_t *inode;
    gf_fd_t *fd;
    result_t r;

    start_up(h);
    inode = gf_inode_new(h->itable);
    fd = gf_fd_create(inode, O_RDONLY, 1);
    gf_args_t args = {.fd = fd};
    wind(h, GF_FOP_FSTAT, &args, &r);
    assert_int_equal(r.op_ret, -1);
    assert_int_equal(r.op_errno, EBADFD);
    gf_fd_unref(fd);
    gf_inode_unref(inode);
}

/* When the brick goes away, the call in flight and every new call fail with
 * ENOTCONN, and the parent hears CHILD_DOWN. */
static void test_enotconn_after_server_closes(void **state)
{
    harness_t *h = *state;
    gf_inode_t *inode;
    gf_frame_t *root;
    rpc_req_t *held;
    result_t r, hung;

    start_up(h);
    inode = gf_inode_new(h->itable);
    gf_args_t args = {.loc = {.name = "hang", .inode = inode}};
    wind_async(h, GF_FOP_LOOKUP, &args, &hung, &root);
    WAIT_UNTIL(atomic_load(&h->brick.held) != NULL);
    assert_false(atomic_load(&hung.done));
    held = atomic_load(&h->brick.held);
    fake_stop(&h->brick);
    WAIT_UNTIL(atomic_load(&hung.done));
    assert_int_equal(hung.op_ret, -1);
    assert_int_equal(hung.op_errno, ENOTCONN);
    gf_frame_root_destroy(root);
    WAIT_UNTIL(atomic_load(&h->downs) == 1);
    lookup(h, "f", &r);
    assert_int_equal(r.op_ret, -1);
    assert_int_equal(r.op_errno, ENOTCONN);
    rpc_req_error(held, SYSTEM_ERR);
    gf_inode_unref(inode);
}

/* A brick back on its port is found again: CHILD_UP, a new SETVOLUME with the
 * next RECON_NO, fops work; fds of the old connection are stale (EBADFD) and
 * their release is not sent on the new one. */
static void test_reconnect(void **state)
{
    harness_t *h = *state;
    gf_fd_t *fd;
    result_t r;
    int port;

    start_up(h);
    fd = create_file(h);
    port = h->brick.port;
    fake_stop(&h->brick);
    WAIT_UNTIL(atomic_load(&h->downs) == 1);
    fake_start(&h->brick, port, 0);
    WAIT_UNTIL(atomic_load(&h->ups) == 2);
    assert_int_equal(atomic_load(&h->brick.setvolumes), 2);
    assert_non_null(strstr(h->brick.setvol_uuid, "-RECON_NO:-1"));
    lookup(h, "f", &r);
    assert_int_equal(r.op_ret, 0);
    gf_args_t args = {.fd = fd};
    wind(h, GF_FOP_FSTAT, &args, &r);
    assert_int_equal(r.op_errno, EBADFD);
    gf_fd_unref(fd);
    lookup(h, "f", &r);
    assert_int_equal(atomic_load(&h->brick.releases), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_child_up_after_setvolume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_portmap_redirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setvolume_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fops_wait_for_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_read_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fd_without_ctx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enotconn_after_server_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
