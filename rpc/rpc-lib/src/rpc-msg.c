/*
 * ONC RPC call and reply headers and credentials (see rpc-msg.h), written with
 * libtirpc's XDR primitives over memory streams. Every read is bounds-checked
 * by the stream; variable-length parts are checked against their limits
 * before their bytes are touched.
 */
#include <errno.h>
#include <string.h>

#include "rpc-msg.h"

#define UNIX_MAX_MACHNAME 255
#define UNIX_MAX_GROUPS 16

static uint32_t pad4(uint32_t n)
{
    return (n + 3u) & ~3u;
}

static bool_t put_u32(XDR *x, uint32_t v)
{
    return xdr_uint32_t(x, &v);
}

/* Reads an opaque_auth (flavor, body<400>) leaving body pointing into base. */
static bool_t get_opaque_auth(XDR *x, const char *base, size_t len, uint32_t *flavor,
                              uint32_t *blen, const char **body)
{
    if (!xdr_uint32_t(x, flavor) || !xdr_uint32_t(x, blen) || *blen > GF_MAX_AUTH_BYTES)
        return FALSE;
    u_int pos = xdr_getpos(x);
    if (pad4(*blen) > len - pos)
        return FALSE;
    *body = base + pos;
    return xdr_setpos(x, pos + pad4(*blen));
}

int rpc_msg_peek(const char *buf, size_t len, uint32_t *xid, uint32_t *mtype)
{
    XDR x;
    xdrmem_create(&x, (char *)buf, (u_int)(len < 8 ? len : 8), XDR_DECODE);
    return xdr_uint32_t(&x, xid) && xdr_uint32_t(&x, mtype) ? 0 : -EBADMSG;
}

int rpc_msg_decode_call(const char *buf, size_t len, struct rpc_call_hdr *hdr, size_t *hdr_len)
{
    XDR x;
    uint32_t mtype;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    xdrmem_create(&x, (char *)buf, (u_int)len, XDR_DECODE);
    bool_t ok = xdr_uint32_t(&x, &hdr->xid) && xdr_uint32_t(&x, &mtype) && mtype == CALL &&
                xdr_uint32_t(&x, &hdr->rpcvers) && xdr_uint32_t(&x, &hdr->prog) &&
                xdr_uint32_t(&x, &hdr->vers) && xdr_uint32_t(&x, &hdr->proc) &&
                get_opaque_auth(&x, buf, len, &hdr->cred_flavor, &hdr->cred_len, &hdr->cred) &&
                get_opaque_auth(&x, buf, len, &hdr->verf_flavor, &hdr->verf_len, &hdr->verf);
    if (!ok)
        return -EBADMSG;
    *hdr_len = xdr_getpos(&x);
    return 0;
}

int rpc_msg_encode_call(char *buf, size_t cap, uint32_t xid, uint32_t prog, uint32_t vers,
                        uint32_t proc, const struct rpc_auth *auth)
{
    char cred[GF_MAX_AUTH_BYTES];
    static const struct rpc_auth none = {.flavor = AUTH_NONE};
    if (!auth)
        auth = &none;
    int clen = rpc_auth_encode(auth, cred, sizeof(cred));
    if (clen < 0)
        return clen;
    XDR x;
    xdrmem_create(&x, buf, (u_int)(cap > UINT32_MAX ? UINT32_MAX : cap), XDR_ENCODE);
    u_int ulen = (u_int)clen;
    char *credp = cred;
    bool_t ok = put_u32(&x, xid) && put_u32(&x, CALL) && put_u32(&x, RPC_VERSION_2) &&
                put_u32(&x, prog) && put_u32(&x, vers) && put_u32(&x, proc) &&
                put_u32(&x, auth->flavor) && xdr_bytes(&x, &credp, &ulen, GF_MAX_AUTH_BYTES) &&
                put_u32(&x, AUTH_NONE) && put_u32(&x, 0);
    return ok ? (int)xdr_getpos(&x) : -ENOBUFS;
}

/* Decodes what follows reply_stat MSG_ACCEPTED: verifier, state, mismatch range. */
static bool_t get_accepted(XDR *x, const char *buf, size_t len, struct rpc_reply_hdr *hdr)
{
    uint32_t flavor, vlen;
    const char *verf;
    if (!get_opaque_auth(x, buf, len, &flavor, &vlen, &verf) ||
        !xdr_uint32_t(x, &hdr->accept_stat))
        return FALSE;
    if (hdr->accept_stat != PROG_MISMATCH)
        return TRUE;
    return xdr_uint32_t(x, &hdr->low) && xdr_uint32_t(x, &hdr->high);
}

/* Decodes what follows reply_stat MSG_DENIED. */
static bool_t get_denied(XDR *x, struct rpc_reply_hdr *hdr)
{
    if (!xdr_uint32_t(x, &hdr->reject_stat))
        return FALSE;
    if (hdr->reject_stat == RPC_MISMATCH)
        return xdr_uint32_t(x, &hdr->low) && xdr_uint32_t(x, &hdr->high);
    return hdr->reject_stat == AUTH_ERROR && xdr_uint32_t(x, &hdr->auth_stat);
}

int rpc_msg_decode_reply(const char *buf, size_t len, struct rpc_reply_hdr *hdr, size_t *hdr_len)
{
    XDR x;
    uint32_t mtype;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    memset(hdr, 0, sizeof(*hdr));
    xdrmem_create(&x, (char *)buf, (u_int)len, XDR_DECODE);
    if (!xdr_uint32_t(&x, &hdr->xid) || !xdr_uint32_t(&x, &mtype) || mtype != REPLY ||
        !xdr_uint32_t(&x, &hdr->reply_stat))
        return -EBADMSG;
    bool_t ok;
    if (hdr->reply_stat == MSG_ACCEPTED)
        ok = get_accepted(&x, buf, len, hdr);
    else
        ok = hdr->reply_stat == MSG_DENIED && get_denied(&x, hdr);
    if (!ok)
        return -EBADMSG;
    *hdr_len = xdr_getpos(&x);
    return 0;
}

/* Encodes the part of a reply after reply_stat. */
static bool_t put_reply_body(XDR *x, const struct rpc_reply_hdr *hdr)
{
    if (hdr->reply_stat == MSG_ACCEPTED) {
        if (!put_u32(x, AUTH_NONE) || !put_u32(x, 0) || !put_u32(x, hdr->accept_stat))
            return FALSE;
        if (hdr->accept_stat == PROG_MISMATCH)
            return put_u32(x, hdr->low) && put_u32(x, hdr->high);
        return TRUE;
    }
    if (!put_u32(x, hdr->reject_stat))
        return FALSE;
    if (hdr->reject_stat == RPC_MISMATCH)
        return put_u32(x, hdr->low) && put_u32(x, hdr->high);
    return put_u32(x, hdr->auth_stat);
}

int rpc_msg_encode_reply(char *buf, size_t cap, const struct rpc_reply_hdr *hdr)
{
    if ((hdr->reply_stat != MSG_ACCEPTED && hdr->reply_stat != MSG_DENIED) ||
        (hdr->reply_stat == MSG_DENIED && hdr->reject_stat != RPC_MISMATCH &&
         hdr->reject_stat != AUTH_ERROR))
        return -EINVAL;
    XDR x;
    xdrmem_create(&x, buf, (u_int)(cap > UINT32_MAX ? UINT32_MAX : cap), XDR_ENCODE);
    bool_t ok = put_u32(&x, hdr->xid) && put_u32(&x, REPLY) && put_u32(&x, hdr->reply_stat) &&
                put_reply_body(&x, hdr);
    return ok ? (int)xdr_getpos(&x) : -ENOBUFS;
}

/* Reads a counted array of at most max 32-bit group ids. */
static bool_t get_groups(XDR *x, struct rpc_auth *auth, uint32_t max)
{
    if (!xdr_uint32_t(x, &auth->ngroups) || auth->ngroups > max)
        return FALSE;
    for (uint32_t i = 0; i < auth->ngroups; i++)
        if (!xdr_uint32_t(x, &auth->groups[i]))
            return FALSE;
    return TRUE;
}

static bool_t get_lk_owner(XDR *x, struct rpc_auth *auth)
{
    return xdr_uint32_t(x, &auth->lk_owner_len) && auth->lk_owner_len <= RPC_AUTH_MAX_LKOWNER &&
           xdr_opaque(x, auth->lk_owner, auth->lk_owner_len);
}

/* AUTH_UNIX: stamp, machine name<255>, uid, gid, gids<16>. */
static bool_t get_unix(XDR *x, struct rpc_auth *auth)
{
    uint32_t stamp, namelen;
    if (!xdr_uint32_t(x, &stamp) || !xdr_uint32_t(x, &namelen) || namelen > UNIX_MAX_MACHNAME)
        return FALSE;
    return xdr_setpos(x, xdr_getpos(x) + pad4(namelen)) && xdr_uint32_t(x, &auth->uid) &&
           xdr_uint32_t(x, &auth->gid) && get_groups(x, auth, UNIX_MAX_GROUPS);
}

/* AUTH_GLUSTERFS v2 and v3 (see rpc-common.x). */
static bool_t get_glusterfs(XDR *x, struct rpc_auth *auth, bool_t v3)
{
    if (!xdr_int32_t(x, &auth->pid) || !xdr_uint32_t(x, &auth->uid) ||
        !xdr_uint32_t(x, &auth->gid))
        return FALSE;
    if (v3 && (!xdr_uint32_t(x, &auth->flags) || !xdr_uint32_t(x, &auth->ctime_nsec) ||
               !xdr_uint64_t(x, &auth->ctime_sec)))
        return FALSE;
    return get_groups(x, auth, RPC_AUTH_MAX_GROUPS) && get_lk_owner(x, auth);
}

int rpc_auth_decode(uint32_t flavor, const char *body, size_t len, struct rpc_auth *auth)
{
    XDR x;
    memset(auth, 0, offsetof(struct rpc_auth, lk_owner));
    auth->flavor = flavor;
    xdrmem_create(&x, (char *)body, (u_int)(len > GF_MAX_AUTH_BYTES ? 0 : len), XDR_DECODE);
    switch (flavor) {
    case AUTH_NONE:
        return 0;
    case AUTH_UNIX:
        return get_unix(&x, auth) ? 0 : -EBADMSG;
    case GF_AUTH_GLUSTERFS_V2:
    case GF_AUTH_GLUSTERFS_V3:
        return get_glusterfs(&x, auth, flavor == GF_AUTH_GLUSTERFS_V3) ? 0 : -EBADMSG;
    default:
        return -EPROTONOSUPPORT;
    }
}

static bool_t put_groups(XDR *x, const struct rpc_auth *auth, uint32_t max)
{
    uint32_t n = auth->ngroups < max ? auth->ngroups : max;
    if (!put_u32(x, n))
        return FALSE;
    for (uint32_t i = 0; i < n; i++)
        if (!put_u32(x, auth->groups[i]))
            return FALSE;
    return TRUE;
}

static int put_unix(XDR *x, const struct rpc_auth *auth)
{
    bool_t ok = put_u32(x, 0) && put_u32(x, 0) && put_u32(x, auth->uid) &&
                put_u32(x, auth->gid) && put_groups(x, auth, UNIX_MAX_GROUPS);
    return ok ? 0 : -ENOBUFS;
}

/* Groups are limited to what fits in 400 bytes beside the fixed words and the
 * lock owner; a lock owner that leaves no room is -E2BIG. */
static int put_glusterfs(XDR *x, const struct rpc_auth *auth, bool_t v3)
{
    uint32_t fixed = (v3 ? 9 : 5) * 4;
    if (auth->lk_owner_len > RPC_AUTH_MAX_LKOWNER ||
        fixed + pad4(auth->lk_owner_len) > GF_MAX_AUTH_BYTES)
        return -E2BIG;
    uint32_t room = (GF_MAX_AUTH_BYTES - fixed - pad4(auth->lk_owner_len)) / 4;
    uint32_t max = room < RPC_AUTH_MAX_GROUPS ? room : RPC_AUTH_MAX_GROUPS;
    uint64_t sec = auth->ctime_sec;
    int32_t pid = auth->pid;
    bool_t ok = xdr_int32_t(x, &pid) && put_u32(x, auth->uid) && put_u32(x, auth->gid);
    if (ok && v3)
        ok = put_u32(x, auth->flags) && put_u32(x, auth->ctime_nsec) && xdr_uint64_t(x, &sec);
    ok = ok && put_groups(x, auth, max) && put_u32(x, auth->lk_owner_len) &&
         xdr_opaque(x, (char *)auth->lk_owner, auth->lk_owner_len);
    return ok ? 0 : -ENOBUFS;
}

int rpc_auth_encode(const struct rpc_auth *auth, char *buf, size_t cap)
{
    XDR x;
    int err;
    xdrmem_create(&x, buf, (u_int)(cap > GF_MAX_AUTH_BYTES ? GF_MAX_AUTH_BYTES : cap), XDR_ENCODE);
    switch (auth->flavor) {
    case AUTH_NONE:
        return 0;
    case AUTH_UNIX:
        err = put_unix(&x, auth);
        break;
    case GF_AUTH_GLUSTERFS_V2:
    case GF_AUTH_GLUSTERFS_V3:
        err = put_glusterfs(&x, auth, auth->flavor == GF_AUTH_GLUSTERFS_V3);
        break;
    default:
        return -EINVAL;
    }
    return err ? err : (int)xdr_getpos(&x);
}

const char *rpc_accept_stat_name(uint32_t stat)
{
    static const char *const names[] = {"SUCCESS",      "PROG_UNAVAIL", "PROG_MISMATCH",
                                        "PROC_UNAVAIL", "GARBAGE_ARGS", "SYSTEM_ERR"};
    return stat < sizeof(names) / sizeof(names[0]) ? names[stat] : "unknown accept state";
}

const char *rpc_auth_stat_name(uint32_t stat)
{
    static const char *const names[] = {"AUTH_OK",       "AUTH_BADCRED",     "AUTH_REJECTEDCRED",
                                        "AUTH_BADVERF",  "AUTH_REJECTEDVERF", "AUTH_TOOWEAK",
                                        "AUTH_INVALIDRESP", "AUTH_FAILED"};
    return stat < sizeof(names) / sizeof(names[0]) ? names[stat] : "unknown auth state";
}
