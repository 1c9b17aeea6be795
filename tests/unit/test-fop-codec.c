/*
 * Unit tests of the FOP program's codec rows (rpc/xdr/src/fop-codec.c): every
 * fop a mount needs has a row, and each row added for the lock, xattr, space
 * and directory-sync fops carries its fields through real XDR bytes both ways:
 * gf_args_t -> request struct -> bytes -> request struct -> gf_args_t, and the
 * same for replies. Host lock commands and types must come back as the host's,
 * travel as the GF_LK_* numbers, and owners too long for a lock are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "fop-codec.h"
#include "fops-xdr.h"
#include "glusterfs/dict.h"
#include "glusterfs/mem.h"

#define WIRE_MAX 4096

static uint64_t live_blocks(void)
{
    return __atomic_load_n(&gf_mem_global_acct.blocks, __ATOMIC_RELAXED);
}

/* One decoded request or reply, and the bytes it came from. */
typedef struct {
    const gf_fop_codec_t *c;
    char wire[WIRE_MAX];
    size_t len;
    void *x; /* the decoded struct */
} trip_t;

/* Encodes s with proc into t->wire. */
static void encode(xdrproc_t proc, void *s, trip_t *t)
{
    XDR xdr;

    xdrmem_create(&xdr, t->wire, sizeof(t->wire), XDR_ENCODE);
    assert_true(proc(&xdr, s, 0));
    t->len = xdr_getpos(&xdr);
    xdr_destroy(&xdr);
}

/* Decodes t->wire with proc into a new struct of size bytes in t->x. */
static void decode(xdrproc_t proc, size_t size, trip_t *t)
{
    XDR xdr;

    t->x = gf_calloc(1, size);
    assert_non_null(t->x);
    xdrmem_create(&xdr, t->wire, (u_int)t->len, XDR_DECODE);
    assert_true(proc(&xdr, t->x, 0));
    assert_int_equal(xdr_getpos(&xdr), t->len); /* every byte used */
    xdr_destroy(&xdr);
}

/* Client side then server side of a request: in (fd number fdno) -> bytes ->
 * out and *outfd. Pointers in out point into t->x (free with trip_free). */
static void req_trip(gf_fop_t op, const gf_args_t *in, int64_t fdno, trip_t *t, gf_args_t *out,
                     gf_codec_fd_t *outfd)
{
    gf_codec_fd_t fd = {.fd = fdno};
    void *req;

    t->c = gf_fop_codec(op);
    assert_non_null(t->c);
    assert_non_null(t->c->xreq);
    req = gf_calloc(1, t->c->req_size);
    assert_int_equal(t->c->args_to_req(in, &fd, req), 0);
    encode(t->c->xreq, req, t);
    gf_codec_req_free(t->c, req);
    gf_free(req);
    decode(t->c->xreq, t->c->req_size, t);
    memset(out, 0, sizeof(*out));
    outfd->fd = INT64_MIN;
    assert_int_equal(t->c->req_to_args(t->x, out, outfd), 0);
}

/* Server side then client side of a reply. */
static void rsp_trip(gf_fop_t op, const gf_reply_t *in, trip_t *t, gf_reply_t *out)
{
    gf_codec_fd_t fd = {.fd = -1};
    void *rsp;

    t->c = gf_fop_codec(op);
    rsp = gf_calloc(1, t->c->rsp_size);
    assert_int_equal(t->c->reply_to_rsp(in, &fd, rsp), 0);
    encode(t->c->xrsp, rsp, t);
    gf_codec_rsp_free(t->c, rsp);
    gf_free(rsp);
    decode(t->c->xrsp, t->c->rsp_size, t);
    memset(out, 0, sizeof(*out));
    assert_int_equal(t->c->rsp_to_reply(t->x, out, &fd), 0);
}

static void req_trip_free(trip_t *t, gf_args_t *a)
{
    gf_codec_args_wipe(a);
    xdr_free(t->c->xreq, t->x);
    gf_free(t->x);
}

static void rsp_trip_free(trip_t *t, gf_reply_t *r)
{
    gf_codec_reply_wipe(r);
    xdr_free(t->c->xrsp, t->x);
    gf_free(t->x);
}

static const uuid_t some_gfid = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

/* Big-endian 32-bit word at offset off of t's bytes. */
static uint32_t word_at(const trip_t *t, size_t off)
{
    const unsigned char *p = (const unsigned char *)t->wire + off;

    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static gf_flock_t make_flock(int16_t type, int64_t start, int64_t len, const char *owner)
{
    gf_flock_t f = {
        .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len, .l_pid = 4242};

    f.owner_len = (uint32_t)strlen(owner);
    memcpy(f.owner, owner, f.owner_len);
    return f;
}

static void assert_flock_equal(const gf_flock_t *a, const gf_flock_t *b)
{
    assert_int_equal(a->l_type, b->l_type);
    assert_int_equal(a->l_whence, b->l_whence);
    assert_int_equal(a->l_start, b->l_start);
    assert_int_equal(a->l_len, b->l_len);
    assert_int_equal(a->l_pid, b->l_pid);
    assert_int_equal(a->owner_len, b->owner_len);
    assert_memory_equal(a->owner, b->owner, a->owner_len);
}

/* ---- every fop a mount needs is served ------------------------------------------------ */

static void test_every_mount_fop_has_a_row(void **state)
{
    static const gf_fop_t needed[] = {
        GF_FOP_LOOKUP,    GF_FOP_STAT,         GF_FOP_FSTAT,       GF_FOP_ACCESS,
        GF_FOP_READLINK,  GF_FOP_MKNOD,        GF_FOP_MKDIR,       GF_FOP_UNLINK,
        GF_FOP_RMDIR,     GF_FOP_SYMLINK,      GF_FOP_RENAME,      GF_FOP_LINK,
        GF_FOP_TRUNCATE,  GF_FOP_FTRUNCATE,    GF_FOP_OPEN,        GF_FOP_READ,
        GF_FOP_WRITE,     GF_FOP_FLUSH,        GF_FOP_FSYNC,       GF_FOP_STATFS,
        GF_FOP_SETXATTR,  GF_FOP_GETXATTR,     GF_FOP_REMOVEXATTR, GF_FOP_FSETXATTR,
        GF_FOP_FGETXATTR, GF_FOP_FREMOVEXATTR, GF_FOP_OPENDIR,     GF_FOP_READDIR,
        GF_FOP_READDIRP,  GF_FOP_FSYNCDIR,     GF_FOP_RELEASEDIR,  GF_FOP_RELEASE,
        GF_FOP_CREATE,    GF_FOP_LK,           GF_FOP_INODELK,     GF_FOP_FINODELK,
        GF_FOP_ENTRYLK,   GF_FOP_FENTRYLK,     GF_FOP_XATTROP,     GF_FOP_FXATTROP,
        GF_FOP_SETATTR,   GF_FOP_FSETATTR,     GF_FOP_FALLOCATE,   GF_FOP_DISCARD,
        GF_FOP_ZEROFILL,  GF_FOP_SEEK,
    };
    size_t i;

    for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        const gf_fop_codec_t *c = gf_fop_codec(needed[i]);

        assert_non_null(c);
        if (!c->xreq || !c->xrsp || !c->args_to_req || !c->req_to_args || !c->reply_to_rsp ||
            !c->rsp_to_reply)
            fail_msg("fop %s has no complete codec row", gf_fop_name(needed[i]));
    }
    assert_null(gf_fop_codec(GF_FOP_COMPOUND)->xreq); /* never served */
}

/* ---- locks ------------------------------------------------------------------------------ */

static void test_lk_request_and_reply(void **state)
{
    gf_args_t in = {.cmd = F_SETLKW}, out;
    gf_reply_t rin = {.op_ret = 0}, rout;
    gf_codec_fd_t fd;
    uint64_t before = live_blocks();
    trip_t t;

    uuid_copy(in.loc.gfid, some_gfid);
    in.flock = make_flock(F_WRLCK, 100, 50, "owner-1");
    req_trip(GF_FOP_LK, &in, 7, &t, &out, &fd);
    assert_int_equal(fd.fd, 7);
    assert_memory_equal(out.loc.gfid, some_gfid, 16);
    assert_int_equal(out.cmd, F_SETLKW);
    assert_flock_equal(&out.flock, &in.flock);
    assert_int_equal(word_at(&t, 16 + 8), GF_LK_SETLKW);   /* cmd after gfid and fd */
    assert_int_equal(word_at(&t, 16 + 12), GF_LK_F_WRLCK); /* type */
    req_trip_free(&t, &out);

    rin.flock = make_flock(F_RDLCK, 0, 0, "holder");
    rsp_trip(GF_FOP_LK, &rin, &t, &rout);
    assert_int_equal(rout.op_ret, 0);
    assert_flock_equal(&rout.flock, &rin.flock);
    rsp_trip_free(&t, &rout);
    assert_int_equal(live_blocks(), before);
}

static void test_lk_unlock_and_getlk(void **state)
{
    gf_args_t in = {.cmd = F_GETLK}, out;
    gf_codec_fd_t fd;
    trip_t t;

    in.flock = make_flock(F_UNLCK, 1, 2, "o");
    req_trip(GF_FOP_LK, &in, 0, &t, &out, &fd);
    assert_int_equal(out.cmd, F_GETLK);
    assert_int_equal(out.flock.l_type, F_UNLCK);
    req_trip_free(&t, &out);
}

/* The reply of a failed lk carries no lock (the stock server sends it empty). */
static void test_lk_failure_reply(void **state)
{
    gf_reply_t rin = {.op_ret = -1, .op_errno = EAGAIN}, rout;
    trip_t t;

    rin.flock = make_flock(F_WRLCK, 5, 5, "x");
    rsp_trip(GF_FOP_LK, &rin, &t, &rout);
    assert_int_equal(rout.op_ret, -1);
    assert_int_equal(rout.op_errno, EAGAIN);
    assert_int_equal(rout.flock.owner_len, 0);
    rsp_trip_free(&t, &rout);
}

/* Hand-made requests a client could send: an unserved command, an owner
 * longer than 1024 bytes. */
static void test_lk_bad_requests(void **state)
{
    const gf_fop_codec_t *c = gf_fop_codec(GF_FOP_LK);
    gfx_lk_req req = {.cmd = GF_LK_GETLK_FD, .type = GF_LK_F_RDLCK};
    char owner[1025] = {0};
    gf_codec_fd_t fd;
    gf_args_t a = {0};

    assert_int_equal(c->req_to_args(&req, &a, &fd), 0);
    assert_int_equal(a.cmd, -1); /* refused by the locks translator */
    gf_codec_args_wipe(&a);
    req.cmd = GF_LK_SETLK;
    req.flock.lk_owner.lk_owner_len = sizeof(owner);
    req.flock.lk_owner.lk_owner_val = owner;
    assert_int_equal(c->req_to_args(&req, &a, &fd), -EBADMSG);
    gf_codec_args_wipe(&a);
    a = (gf_args_t){.cmd = 12345};
    assert_int_equal(c->args_to_req(&a, &fd, &req), -EINVAL); /* not a lock command */
}

static void test_inodelk_and_finodelk(void **state)
{
    gf_args_t in = {.cmd = F_SETLK, .volume = "vol-replicate-0"}, out;
    gf_codec_fd_t fd;
    trip_t t;

    uuid_copy(in.loc.gfid, some_gfid);
    in.flock = make_flock(F_RDLCK, 0, 0, "lkowner");
    req_trip(GF_FOP_INODELK, &in, 0, &t, &out, &fd);
    assert_int_equal(fd.fd, INT64_MIN); /* no fd in an inodelk */
    assert_memory_equal(out.loc.gfid, some_gfid, 16);
    assert_int_equal(out.cmd, F_SETLK);
    assert_string_equal(out.volume, "vol-replicate-0");
    assert_flock_equal(&out.flock, &in.flock);
    req_trip_free(&t, &out);

    in.cmd = F_SETLKW;
    in.flock.l_type = F_UNLCK;
    req_trip(GF_FOP_FINODELK, &in, 3, &t, &out, &fd);
    assert_int_equal(fd.fd, 3);
    assert_int_equal(out.cmd, F_SETLKW);
    assert_int_equal(out.flock.l_type, F_UNLCK);
    assert_string_equal(out.volume, "vol-replicate-0");
    req_trip_free(&t, &out);
}

static void test_entrylk_named_and_whole(void **state)
{
    gf_args_t in = {.cmd = GF_ENTRYLK_LOCK_NB,
                    .flags = GF_ENTRYLK_WRLCK,
                    .name = "file.txt",
                    .volume = "dht"},
              out;
    gf_codec_fd_t fd;
    trip_t t;

    uuid_copy(in.loc.gfid, some_gfid);
    req_trip(GF_FOP_ENTRYLK, &in, 0, &t, &out, &fd);
    assert_int_equal(out.cmd, GF_ENTRYLK_LOCK_NB);
    assert_int_equal(out.flags, GF_ENTRYLK_WRLCK);
    assert_string_equal(out.name, "file.txt");
    assert_string_equal(out.volume, "dht");
    /* namelen (a hyper after gfid, cmd, type) is the stock client's flag 1 */
    assert_int_equal(word_at(&t, 16 + 8), 0);
    assert_int_equal(word_at(&t, 16 + 12), 1);
    req_trip_free(&t, &out);

    in.name = NULL;
    in.cmd = GF_ENTRYLK_UNLOCK;
    req_trip(GF_FOP_FENTRYLK, &in, 9, &t, &out, &fd);
    assert_int_equal(fd.fd, 9);
    assert_int_equal(out.cmd, GF_ENTRYLK_UNLOCK);
    assert_null(out.name); /* the whole directory */
    req_trip_free(&t, &out);
}

/* ---- xattrs --------------------------------------------------------------------------- */

static gf_dict_t *counters(void)
{
    static const unsigned char v[8] = {0, 0, 0, 1, 0, 0, 0, 2};
    gf_dict_t *d = gf_dict_new();

    assert_int_equal(gf_dict_set_bin(d, "trusted.afr.vol-client-0", v, sizeof(v)), 0);
    return d;
}

static void assert_counters(gf_dict_t *d)
{
    const void *v;
    size_t len;

    assert_int_equal(gf_dict_get_bin(d, "trusted.afr.vol-client-0", &v, &len), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(v, "\0\0\0\1\0\0\0\2", 8);
}

static void test_xattrop_and_fxattrop(void **state)
{
    gf_args_t in = {.flags = GF_XATTROP_ADD_ARRAY64_WITH_DEFAULT}, out;
    gf_reply_t rin = {.op_ret = 0}, rout;
    uint64_t before = live_blocks();
    gf_codec_fd_t fd;
    trip_t t;

    uuid_copy(in.loc.gfid, some_gfid);
    in.xattr = counters();
    req_trip(GF_FOP_XATTROP, &in, 0, &t, &out, &fd);
    assert_int_equal(out.flags, GF_XATTROP_ADD_ARRAY64_WITH_DEFAULT);
    assert_counters(out.xattr);
    req_trip_free(&t, &out);
    req_trip(GF_FOP_FXATTROP, &in, 4, &t, &out, &fd);
    assert_int_equal(fd.fd, 4);
    assert_int_equal(out.flags, GF_XATTROP_ADD_ARRAY64_WITH_DEFAULT);
    assert_counters(out.xattr);
    req_trip_free(&t, &out);

    rin.xattr = in.xattr;
    rsp_trip(GF_FOP_FXATTROP, &rin, &t, &rout);
    assert_counters(rout.xattr);
    rsp_trip_free(&t, &rout);
    gf_dict_unref(in.xattr);
    assert_int_equal(live_blocks(), before);
}

static void test_fd_xattr_fops(void **state)
{
    gf_args_t in = {.flags = XATTR_CREATE}, out;
    gf_reply_t rin = {.op_ret = 8}, rout;
    gf_codec_fd_t fd;
    trip_t t;

    in.xattr = counters();
    req_trip(GF_FOP_FSETXATTR, &in, 2, &t, &out, &fd);
    assert_int_equal(fd.fd, 2);
    assert_int_equal(out.flags, XATTR_CREATE);
    assert_counters(out.xattr);
    req_trip_free(&t, &out);

    in.name = "user.color";
    req_trip(GF_FOP_FGETXATTR, &in, 2, &t, &out, &fd);
    assert_string_equal(out.name, "user.color");
    req_trip_free(&t, &out);
    in.name = NULL;
    req_trip(GF_FOP_FGETXATTR, &in, 2, &t, &out, &fd);
    assert_null(out.name); /* every attribute */
    req_trip_free(&t, &out);
    in.name = "user.gone";
    req_trip(GF_FOP_FREMOVEXATTR, &in, 6, &t, &out, &fd);
    assert_int_equal(fd.fd, 6);
    assert_string_equal(out.name, "user.gone");
    req_trip_free(&t, &out);

    rin.xattr = in.xattr;
    rsp_trip(GF_FOP_FGETXATTR, &rin, &t, &rout);
    assert_int_equal(rout.op_ret, 8);
    assert_counters(rout.xattr);
    rsp_trip_free(&t, &rout);
    gf_dict_unref(in.xattr);
}

/* ---- space and sync ---------------------------------------------------------------------- */

static void test_fallocate_discard_zerofill(void **state)
{
    static const gf_fop_t ops[] = {GF_FOP_FALLOCATE, GF_FOP_DISCARD, GF_FOP_ZEROFILL};
    gf_args_t in = {.flags = 1, .offset = 1ll << 33, .size = 65536}, out;
    gf_reply_t rin = {.op_ret = 0}, rout;
    gf_codec_fd_t fd;
    trip_t t;
    size_t i;

    rin.prestat.ia_size = 10;
    rin.poststat.ia_size = 20;
    for (i = 0; i < 3; i++) {
        req_trip(ops[i], &in, 11, &t, &out, &fd);
        assert_int_equal(fd.fd, 11);
        assert_int_equal(out.offset, 1ll << 33);
        assert_int_equal(out.size, 65536);
        assert_int_equal(out.flags, i == 0 ? 1 : 0); /* only fallocate carries a mode */
        req_trip_free(&t, &out);
        rsp_trip(ops[i], &rin, &t, &rout);
        assert_int_equal(rout.prestat.ia_size, 10);
        assert_int_equal(rout.poststat.ia_size, 20);
        rsp_trip_free(&t, &rout);
    }
}

static void test_seek(void **state)
{
    gf_args_t in = {.offset = 4096, .flags = SEEK_HOLE}, out;
    gf_reply_t rin = {.op_ret = 0, .offset = 1 << 20}, rout;
    gf_codec_fd_t fd;
    trip_t t;

    req_trip(GF_FOP_SEEK, &in, 1, &t, &out, &fd);
    assert_int_equal(out.offset, 4096);
    assert_int_equal(out.flags, SEEK_HOLE);
    assert_int_equal(word_at(&t, 16 + 8 + 8), GF_SEEK_HOLE); /* `what` after gfid, fd, offset */
    req_trip_free(&t, &out);
    in.flags = SEEK_DATA;
    req_trip(GF_FOP_SEEK, &in, 1, &t, &out, &fd);
    assert_int_equal(out.flags, SEEK_DATA);
    req_trip_free(&t, &out);
    rsp_trip(GF_FOP_SEEK, &rin, &t, &rout);
    assert_int_equal(rout.offset, 1 << 20);
    rsp_trip_free(&t, &rout);
}

static void test_seek_bad_what(void **state)
{
    const gf_fop_codec_t *c = gf_fop_codec(GF_FOP_SEEK);
    gfx_seek_req req = {.what = 7};
    gf_args_t a = {.flags = SEEK_END};
    gf_codec_fd_t fd;

    assert_int_equal(c->req_to_args(&req, &a, &fd), 0);
    assert_int_equal(a.flags, -1);
    assert_int_equal(c->args_to_req(&a, &fd, &req), -EINVAL);
}

static void test_fsyncdir(void **state)
{
    gf_args_t in = {.flags = 1}, out;
    gf_codec_fd_t fd;
    trip_t t;

    req_trip(GF_FOP_FSYNCDIR, &in, 5, &t, &out, &fd);
    assert_int_equal(t.len, 16 + 8 + 4 + 12); /* gfid, fd, data, absent xdata */
    assert_int_equal(fd.fd, 5);
    assert_int_equal(out.flags, 1);
    req_trip_free(&t, &out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_mount_fop_has_a_row),
        cmocka_unit_test(test_lk_request_and_reply),
        cmocka_unit_test(test_lk_unlock_and_getlk),
        cmocka_unit_test(test_lk_failure_reply),
        cmocka_unit_test(test_lk_bad_requests),
        cmocka_unit_test(test_inodelk_and_finodelk),
        cmocka_unit_test(test_entrylk_named_and_whole),
        cmocka_unit_test(test_xattrop_and_fxattrop),
        cmocka_unit_test(test_fd_xattr_fops),
        cmocka_unit_test(test_fallocate_discard_zerofill),
        cmocka_unit_test(test_seek),
        cmocka_unit_test(test_seek_bad_what),
        cmocka_unit_test(test_fsyncdir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
