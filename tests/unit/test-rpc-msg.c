/*
 * Unit tests of RPC call/reply headers and credentials (rpc/rpc-lib/src/rpc-msg.c),
 * mostly against hand-built byte buffers: well-formed headers, every truncation,
 * garbage, limits, and encode/decode round trips.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rpc-msg.h"

/* A byte buffer under construction, in XDR (big-endian) words. */
typedef struct bytes {
    uint8_t b[2048];
    size_t n;
} bytes_t;

static void w(bytes_t *x, uint32_t v)
{
    v = htonl(v);
    memcpy(x->b + x->n, &v, 4);
    x->n += 4;
}

static void raw(bytes_t *x, const void *p, size_t len)
{
    memcpy(x->b + x->n, p, len);
    x->n += len;
    while (x->n % 4)
        x->b[x->n++] = 0;
}

/* A call header for DUMP PING with the given credential body, then "ARGS". */
static void build_call(bytes_t *x, uint32_t flavor, const bytes_t *cred)
{
    x->n = 0;
    w(x, 0x11223344);
    w(x, CALL);
    w(x, 2);
    w(x, GF_DUMP_PROGRAM);
    w(x, GF_DUMP_VERSION);
    w(x, GF_DUMP_PING);
    w(x, flavor);
    w(x, (uint32_t)cred->n);
    raw(x, cred->b, cred->n);
    w(x, AUTH_NONE);
    w(x, 0);
    raw(x, "ARGS", 4);
}

static void v2_cred(bytes_t *c)
{
    c->n = 0;
    w(c, (uint32_t)-5); /* pid */
    w(c, 1000);
    w(c, 100);
    w(c, 3);
    w(c, 10);
    w(c, 20);
    w(c, 30);
    w(c, 6);
    raw(c, "owner!", 6);
}

static void decode_call_auth_none(void **state)
{
    bytes_t x, cred = {.n = 0};
    build_call(&x, AUTH_NONE, &cred);
    struct rpc_call_hdr h;
    size_t hl;
    assert_int_equal(rpc_msg_decode_call((char *)x.b, x.n, &h, &hl), 0);
    assert_int_equal(hl, 40);
    assert_int_equal(h.xid, 0x11223344);
    assert_int_equal(h.rpcvers, 2);
    assert_int_equal(h.prog, GF_DUMP_PROGRAM);
    assert_int_equal(h.vers, GF_DUMP_VERSION);
    assert_int_equal(h.proc, GF_DUMP_PING);
    assert_int_equal(h.cred_flavor, AUTH_NONE);
    assert_int_equal(h.cred_len, 0);
    assert_memory_equal(x.b + hl, "ARGS", 4);
}

static void decode_call_every_truncation_fails(void **state)
{
    bytes_t x, cred;
    v2_cred(&cred);
    build_call(&x, GF_AUTH_GLUSTERFS_V2, &cred);
    struct rpc_call_hdr h;
    size_t hl, full = x.n - 4;
    for (size_t len = 0; len < full; len++)
        assert_int_equal(rpc_msg_decode_call((char *)x.b, len, &h, &hl), -EBADMSG);
    assert_int_equal(rpc_msg_decode_call((char *)x.b, full, &h, &hl), 0);
    assert_int_equal(hl, full);
}

static void decode_call_rejects_reply(void **state)
{
    bytes_t x, cred = {.n = 0};
    build_call(&x, AUTH_NONE, &cred);
    x.b[7] = REPLY;
    struct rpc_call_hdr h;
    size_t hl;
    assert_int_equal(rpc_msg_decode_call((char *)x.b, x.n, &h, &hl), -EBADMSG);
}

static void decode_call_rejects_long_cred(void **state)
{
    bytes_t x = {.n = 0};
    for (int i = 0; i < 6; i++)
        w(&x, i == 1 ? CALL : 2);
    w(&x, GF_AUTH_GLUSTERFS_V2);
    w(&x, GF_MAX_AUTH_BYTES + 4);
    uint8_t zeros[GF_MAX_AUTH_BYTES + 4] = {0};
    raw(&x, zeros, sizeof(zeros));
    w(&x, AUTH_NONE);
    w(&x, 0);
    struct rpc_call_hdr h;
    size_t hl;
    assert_int_equal(rpc_msg_decode_call((char *)x.b, x.n, &h, &hl), -EBADMSG);
}

static void decode_call_garbage(void **state)
{
    uint8_t junk[64];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(0xa5 ^ (i * 37));
    struct rpc_call_hdr h;
    size_t hl;
    assert_int_equal(rpc_msg_decode_call((char *)junk, sizeof(junk), &h, &hl), -EBADMSG);
}

static void peek_reads_xid_and_type(void **state)
{
    bytes_t x, cred = {.n = 0};
    build_call(&x, AUTH_NONE, &cred);
    uint32_t xid, type;
    assert_int_equal(rpc_msg_peek((char *)x.b, 8, &xid, &type), 0);
    assert_int_equal(xid, 0x11223344);
    assert_int_equal(type, CALL);
    assert_int_equal(rpc_msg_peek((char *)x.b, 7, &xid, &type), -EBADMSG);
}

static void auth_glusterfs_v2(void **state)
{
    bytes_t c;
    v2_cred(&c);
    struct rpc_auth a;
    assert_int_equal(rpc_auth_decode(GF_AUTH_GLUSTERFS_V2, (char *)c.b, c.n, &a), 0);
    assert_int_equal(a.flavor, GF_AUTH_GLUSTERFS_V2);
    assert_int_equal(a.pid, -5);
    assert_int_equal(a.uid, 1000);
    assert_int_equal(a.gid, 100);
    assert_int_equal(a.ngroups, 3);
    assert_int_equal(a.groups[2], 30);
    assert_int_equal(a.lk_owner_len, 6);
    assert_memory_equal(a.lk_owner, "owner!", 6);
}

static void auth_glusterfs_v3(void **state)
{
    bytes_t c = {.n = 0};
    w(&c, 42);
    w(&c, 0);
    w(&c, 0);
    w(&c, 1); /* flags */
    w(&c, 999);
    w(&c, 0x1);
    w(&c, 0x2); /* ctime_sec = 0x100000002 */
    w(&c, 0);
    w(&c, 8);
    raw(&c, "12345678", 8);
    struct rpc_auth a;
    assert_int_equal(rpc_auth_decode(GF_AUTH_GLUSTERFS_V3, (char *)c.b, c.n, &a), 0);
    assert_int_equal(a.pid, 42);
    assert_int_equal(a.flags, 1);
    assert_int_equal(a.ctime_nsec, 999);
    assert_true(a.ctime_sec == 0x100000002ull);
    assert_int_equal(a.ngroups, 0);
    assert_int_equal(a.lk_owner_len, 8);
    assert_memory_equal(a.lk_owner, "12345678", 8);
}

static void auth_v2_every_truncation_fails(void **state)
{
    bytes_t c;
    v2_cred(&c);
    struct rpc_auth a;
    for (size_t len = 0; len < c.n; len++)
        assert_int_equal(rpc_auth_decode(GF_AUTH_GLUSTERFS_V2, (char *)c.b, len, &a), -EBADMSG);
}

static void auth_limits(void **state)
{
    bytes_t c = {.n = 0};
    w(&c, 1);
    w(&c, 0);
    w(&c, 0);
    w(&c, RPC_AUTH_MAX_GROUPS + 1);
    struct rpc_auth a;
    assert_int_equal(rpc_auth_decode(GF_AUTH_GLUSTERFS_V2, (char *)c.b, c.n, &a), -EBADMSG);
    c.n = 0;
    w(&c, 1);
    w(&c, 0);
    w(&c, 0);
    w(&c, 0);
    w(&c, RPC_AUTH_MAX_LKOWNER + 1);
    assert_int_equal(rpc_auth_decode(GF_AUTH_GLUSTERFS_V2, (char *)c.b, c.n, &a), -EBADMSG);
}

static void auth_unix(void **state)
{
    bytes_t c = {.n = 0};
    w(&c, 12345); /* stamp */
    w(&c, 5);
    raw(&c, "host1", 5);
    w(&c, 500);
    w(&c, 600);
    w(&c, 2);
    w(&c, 7);
    w(&c, 8);
    struct rpc_auth a;
    assert_int_equal(rpc_auth_decode(AUTH_UNIX, (char *)c.b, c.n, &a), 0);
    assert_int_equal(a.uid, 500);
    assert_int_equal(a.gid, 600);
    assert_int_equal(a.ngroups, 2);
    assert_int_equal(a.groups[1], 8);
    assert_int_equal(a.pid, 0);
    assert_int_equal(a.lk_owner_len, 0);
}

static void auth_unix_too_many_groups(void **state)
{
    bytes_t c = {.n = 0};
    w(&c, 0);
    w(&c, 0);
    w(&c, 1);
    w(&c, 1);
    w(&c, 17);
    for (int i = 0; i < 17; i++)
        w(&c, (uint32_t)i);
    struct rpc_auth a;
    assert_int_equal(rpc_auth_decode(AUTH_UNIX, (char *)c.b, c.n, &a), -EBADMSG);
}

static void auth_unknown_flavor(void **state)
{
    struct rpc_auth a;
    assert_int_equal(rpc_auth_decode(6, "", 0, &a), -EPROTONOSUPPORT);
}

static void call_round_trip_v2(void **state)
{
    struct rpc_auth in = {.flavor = GF_AUTH_GLUSTERFS_V2, .pid = 77, .uid = 1, .gid = 2,
                          .ngroups = 2, .groups = {3, 4}, .lk_owner_len = 3,
                          .lk_owner = "abc"};
    char buf[RPC_CALL_HDR_MAX];
    int len = rpc_msg_encode_call(buf, sizeof(buf), 9, 1298437, 400, 27, &in);
    assert_true(len > 0);
    struct rpc_call_hdr h;
    size_t hl;
    assert_int_equal(rpc_msg_decode_call(buf, (size_t)len, &h, &hl), 0);
    assert_int_equal(hl, (size_t)len);
    assert_int_equal(h.xid, 9);
    assert_int_equal(h.prog, 1298437);
    assert_int_equal(h.vers, 400);
    assert_int_equal(h.proc, 27);
    struct rpc_auth out;
    assert_int_equal(rpc_auth_decode(h.cred_flavor, h.cred, h.cred_len, &out), 0);
    assert_int_equal(out.pid, 77);
    assert_int_equal(out.ngroups, 2);
    assert_int_equal(out.groups[1], 4);
    assert_int_equal(out.lk_owner_len, 3);
    assert_memory_equal(out.lk_owner, "abc", 3);
}

static void call_encode_truncates_groups_v3(void **state)
{
    static struct rpc_auth in = {.flavor = GF_AUTH_GLUSTERFS_V3, .ngroups = RPC_AUTH_MAX_GROUPS,
                                 .lk_owner_len = 8};
    for (uint32_t i = 0; i < RPC_AUTH_MAX_GROUPS; i++)
        in.groups[i] = i;
    char buf[RPC_CALL_HDR_MAX];
    int len = rpc_msg_encode_call(buf, sizeof(buf), 1, 2, 3, 4, &in);
    assert_int_equal(len, RPC_CALL_HDR_MAX);
    struct rpc_call_hdr h;
    size_t hl;
    assert_int_equal(rpc_msg_decode_call(buf, (size_t)len, &h, &hl), 0);
    assert_int_equal(h.cred_len, GF_MAX_AUTH_BYTES);
    struct rpc_auth out;
    assert_int_equal(rpc_auth_decode(h.cred_flavor, h.cred, h.cred_len, &out), 0);
    assert_int_equal(out.ngroups, (GF_MAX_AUTH_BYTES - 36 - 8) / 4);
    assert_int_equal(out.groups[10], 10);
}

static void call_encode_errors(void **state)
{
    struct rpc_auth big = {.flavor = GF_AUTH_GLUSTERFS_V2, .lk_owner_len = 384};
    char buf[RPC_CALL_HDR_MAX];
    assert_int_equal(rpc_msg_encode_call(buf, sizeof(buf), 1, 2, 3, 4, &big), -E2BIG);
    struct rpc_auth odd = {.flavor = 77};
    assert_int_equal(rpc_msg_encode_call(buf, sizeof(buf), 1, 2, 3, 4, &odd), -EINVAL);
    assert_int_equal(rpc_msg_encode_call(buf, 20, 1, 2, 3, 4, NULL), -ENOBUFS);
    assert_int_equal(rpc_msg_encode_call(buf, sizeof(buf), 1, 2, 3, 4, NULL), 40);
}

static void reply_success_bytes(void **state)
{
    struct rpc_reply_hdr r = {.xid = 5, .reply_stat = MSG_ACCEPTED, .accept_stat = SUCCESS};
    char buf[RPC_REPLY_HDR_MAX];
    assert_int_equal(rpc_msg_encode_reply(buf, sizeof(buf), &r), 24);
    bytes_t want = {.n = 0};
    w(&want, 5);
    w(&want, REPLY);
    w(&want, MSG_ACCEPTED);
    w(&want, AUTH_NONE);
    w(&want, 0);
    w(&want, SUCCESS);
    assert_memory_equal(buf, want.b, 24);
}

/* Encodes r, decodes it back and checks the round trip. */
static void round_trip_reply(const struct rpc_reply_hdr *r, size_t want_len)
{
    char buf[RPC_REPLY_HDR_MAX];
    assert_int_equal(rpc_msg_encode_reply(buf, sizeof(buf), r), (int)want_len);
    struct rpc_reply_hdr back;
    size_t hl;
    assert_int_equal(rpc_msg_decode_reply(buf, want_len, &back, &hl), 0);
    assert_int_equal(hl, want_len);
    assert_memory_equal(&back, r, sizeof(back));
    assert_int_equal(rpc_msg_decode_reply(buf, want_len - 1, &back, &hl), -EBADMSG);
}

static void reply_round_trips(void **state)
{
    struct rpc_reply_hdr mismatch = {.xid = 1, .reply_stat = MSG_ACCEPTED,
                                     .accept_stat = PROG_MISMATCH, .low = 2, .high = 4};
    round_trip_reply(&mismatch, 32);
    struct rpc_reply_hdr proc = {.xid = 2, .reply_stat = MSG_ACCEPTED, .accept_stat = PROC_UNAVAIL};
    round_trip_reply(&proc, 24);
    struct rpc_reply_hdr rpcvers = {.xid = 3, .reply_stat = MSG_DENIED,
                                    .reject_stat = RPC_MISMATCH, .low = 2, .high = 2};
    round_trip_reply(&rpcvers, 24);
    struct rpc_reply_hdr auth = {.xid = 4, .reply_stat = MSG_DENIED, .reject_stat = AUTH_ERROR,
                                 .auth_stat = AUTH_BADCRED};
    round_trip_reply(&auth, 20);
}

static void reply_with_verifier_body(void **state)
{
    bytes_t x = {.n = 0};
    w(&x, 8);
    w(&x, REPLY);
    w(&x, MSG_ACCEPTED);
    w(&x, AUTH_UNIX);
    w(&x, 5);
    raw(&x, "verif", 5);
    w(&x, SUCCESS);
    raw(&x, "RES!", 4);
    struct rpc_reply_hdr r;
    size_t hl;
    assert_int_equal(rpc_msg_decode_reply((char *)x.b, x.n, &r, &hl), 0);
    assert_int_equal(hl, 32);
    assert_int_equal(r.accept_stat, SUCCESS);
    assert_memory_equal(x.b + hl, "RES!", 4);
}

static void reply_garbage(void **state)
{
    bytes_t x = {.n = 0};
    w(&x, 8);
    w(&x, REPLY);
    w(&x, 7); /* no such reply_stat */
    w(&x, 0);
    struct rpc_reply_hdr r;
    size_t hl;
    assert_int_equal(rpc_msg_decode_reply((char *)x.b, x.n, &r, &hl), -EBADMSG);
    x.n = 0;
    w(&x, 8);
    w(&x, REPLY);
    w(&x, MSG_DENIED);
    w(&x, 9); /* no such reject_stat */
    assert_int_equal(rpc_msg_decode_reply((char *)x.b, x.n, &r, &hl), -EBADMSG);
    x.n = 0;
    w(&x, 8);
    w(&x, CALL);
    assert_int_equal(rpc_msg_decode_reply((char *)x.b, x.n, &r, &hl), -EBADMSG);
}

static void reply_encode_invalid(void **state)
{
    char buf[RPC_REPLY_HDR_MAX];
    struct rpc_reply_hdr bad = {.reply_stat = 3};
    assert_int_equal(rpc_msg_encode_reply(buf, sizeof(buf), &bad), -EINVAL);
    struct rpc_reply_hdr ok = {.reply_stat = MSG_ACCEPTED, .accept_stat = PROG_MISMATCH};
    assert_int_equal(rpc_msg_encode_reply(buf, 28, &ok), -ENOBUFS);
}

static void stat_names(void **state)
{
    assert_string_equal(rpc_accept_stat_name(PROC_UNAVAIL), "PROC_UNAVAIL");
    assert_string_equal(rpc_auth_stat_name(AUTH_BADCRED), "AUTH_BADCRED");
    assert_string_equal(rpc_accept_stat_name(99), "unknown accept state");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_call_auth_none),
        cmocka_unit_test(decode_call_every_truncation_fails),
        cmocka_unit_test(decode_call_rejects_reply),
        cmocka_unit_test(decode_call_rejects_long_cred),
        cmocka_unit_test(decode_call_garbage),
        cmocka_unit_test(peek_reads_xid_and_type),
        cmocka_unit_test(auth_glusterfs_v2),
        cmocka_unit_test(auth_glusterfs_v3),
        cmocka_unit_test(auth_v2_every_truncation_fails),
        cmocka_unit_test(auth_limits),
        cmocka_unit_test(auth_unix),
        cmocka_unit_test(auth_unix_too_many_groups),
        cmocka_unit_test(auth_unknown_flavor),
        cmocka_unit_test(call_round_trip_v2),
        cmocka_unit_test(call_encode_truncates_groups_v3),
        cmocka_unit_test(call_encode_errors),
        cmocka_unit_test(reply_success_bytes),
        cmocka_unit_test(reply_round_trips),
        cmocka_unit_test(reply_with_verifier_body),
        cmocka_unit_test(reply_garbage),
        cmocka_unit_test(reply_encode_invalid),
        cmocka_unit_test(stat_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
