/*
 * Fuzz target of the ONC RPC header decoders (rpc/rpc-lib/src/rpc-msg.c).
 *
 * The input is taken as a received record: its call header is decoded, then
 * its credential, as rpcsvc does before dispatching; the same bytes are also
 * decoded as a reply header, as rpc-clnt does. Whatever decodes must stay
 * within the record and its limits, and must survive a round trip through the
 * encoders unchanged.
 */
#include <string.h>

#include "fuzz.h"
#include "rpc-msg.h"

/* Whether two decoded credentials carry the same identity. */
static bool same_auth(const struct rpc_auth *a, const struct rpc_auth *b)
{
    return a->flavor == b->flavor && a->pid == b->pid && a->uid == b->uid && a->gid == b->gid &&
           a->ngroups == b->ngroups &&
           memcmp(a->groups, b->groups, a->ngroups * sizeof(a->groups[0])) == 0 &&
           a->flags == b->flags && a->ctime_nsec == b->ctime_nsec && a->ctime_sec == b->ctime_sec &&
           a->lk_owner_len == b->lk_owner_len &&
           memcmp(a->lk_owner, b->lk_owner, a->lk_owner_len) == 0;
}

/* Decodes the credential of a call; a valid one must encode back to itself. */
static void check_auth(const struct rpc_call_hdr *hdr)
{
    static struct rpc_auth auth, again;
    char body[GF_MAX_AUTH_BYTES];

    if (rpc_auth_decode(hdr->cred_flavor, hdr->cred, hdr->cred_len, &auth) != 0)
        return;
    FUZZ_CHECK(auth.ngroups <= RPC_AUTH_MAX_GROUPS);
    FUZZ_CHECK(auth.lk_owner_len <= RPC_AUTH_MAX_LKOWNER);
    int len = rpc_auth_encode(&auth, body, sizeof(body));
    FUZZ_CHECK(len >= 0);
    FUZZ_CHECK(rpc_auth_decode(auth.flavor, body, (size_t)len, &again) == 0);
    FUZZ_CHECK(same_auth(&auth, &again));
}

static void check_call(const char *buf, size_t size)
{
    struct rpc_call_hdr hdr;
    size_t hdr_len;

    if (rpc_msg_decode_call(buf, size, &hdr, &hdr_len) != 0)
        return;
    FUZZ_CHECK(hdr_len <= size);
    FUZZ_CHECK(hdr.cred_len <= GF_MAX_AUTH_BYTES && hdr.verf_len <= GF_MAX_AUTH_BYTES);
    FUZZ_CHECK(hdr.cred >= buf && hdr.cred + hdr.cred_len <= buf + hdr_len);
    FUZZ_CHECK(hdr.verf >= buf && hdr.verf + hdr.verf_len <= buf + hdr_len);
    check_auth(&hdr);
}

/* A decoded reply that our encoder can express must read back the same. */
static void check_reply(const char *buf, size_t size)
{
    struct rpc_reply_hdr hdr, again;
    char out[RPC_REPLY_HDR_MAX];
    size_t hdr_len, len2;

    if (rpc_msg_decode_reply(buf, size, &hdr, &hdr_len) != 0)
        return;
    FUZZ_CHECK(hdr_len <= size);
    int len = rpc_msg_encode_reply(out, sizeof(out), &hdr);
    if (len < 0)
        return;
    FUZZ_CHECK(rpc_msg_decode_reply(out, (size_t)len, &again, &len2) == 0);
    FUZZ_CHECK(len2 == (size_t)len);
    FUZZ_CHECK(memcmp(&hdr, &again, sizeof(hdr)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    uint32_t xid, mtype;

    if (rpc_msg_peek(buf, size, &xid, &mtype) != 0)
        FUZZ_CHECK(size < 8);
    check_call(buf, size);
    check_reply(buf, size);
    return 0;
}
