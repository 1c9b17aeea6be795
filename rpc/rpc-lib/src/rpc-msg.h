/*
 * ONC RPC message headers (RFC 5531 section 9): encoding and decoding of call
 * and reply headers, and of the credentials GlusterFS uses (AUTH_NULL,
 * AUTH_UNIX, AUTH_GLUSTERFS v2 and v3) to and from one fixed-size struct.
 *
 * Decoders read from a byte buffer holding a whole record and never allocate:
 * variable parts (credential and verifier bodies) are returned as pointers into
 * that buffer. A header that is truncated or malformed yields -EBADMSG.
 * Message types, reply and accept states, reject states and auth states use
 * libtirpc's enums (enum msg_type, reply_stat, accept_stat, reject_stat,
 * auth_stat), whose values are the wire values.
 */
#ifndef RPC_MSG_H
#define RPC_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>

#include "rpc-common-xdr.h"

#define RPC_VERSION_2 2
#define RPC_AUTH_MAX_GROUPS 200
#define RPC_AUTH_MAX_LKOWNER 1024
/* Largest call header: 6 words, credential (2 words + 400 bytes), empty verifier. */
#define RPC_CALL_HDR_MAX (6 * 4 + 8 + GF_MAX_AUTH_BYTES + 8)
/* Largest reply header we encode (accepted, PROG_MISMATCH with its range). */
#define RPC_REPLY_HDR_MAX (8 * 4)

/* A caller's identity, whatever credential flavour carried it. */
struct rpc_auth {
    uint32_t flavor; /* AUTH_NONE, AUTH_UNIX, GF_AUTH_GLUSTERFS_V2 or _V3 */
    int32_t pid;     /* GlusterFS flavours only; 0 otherwise */
    uint32_t uid;
    uint32_t gid;
    uint32_t ngroups;
    uint32_t groups[RPC_AUTH_MAX_GROUPS];
    uint32_t flags;      /* v3 only: 0x1 = call from an internal client */
    uint32_t ctime_nsec; /* v3 only: when the call was created */
    uint64_t ctime_sec;
    uint32_t lk_owner_len; /* GlusterFS flavours only */
    char lk_owner[RPC_AUTH_MAX_LKOWNER];
};

/* A decoded call header. cred and verf point into the decoded buffer. */
struct rpc_call_hdr {
    uint32_t xid;
    uint32_t rpcvers;
    uint32_t prog, vers, proc;
    uint32_t cred_flavor, cred_len;
    const char *cred;
    uint32_t verf_flavor, verf_len;
    const char *verf;
};

/* A reply header. Which fields matter depends on reply_stat and on the accept or
 * reject state: low/high for PROG_MISMATCH and RPC_MISMATCH, auth_stat for
 * AUTH_ERROR. */
struct rpc_reply_hdr {
    uint32_t xid;
    uint32_t reply_stat;  /* MSG_ACCEPTED or MSG_DENIED */
    uint32_t accept_stat; /* SUCCESS, PROG_UNAVAIL, PROG_MISMATCH, ... */
    uint32_t reject_stat; /* RPC_MISMATCH or AUTH_ERROR */
    uint32_t auth_stat;
    uint32_t low, high;
};

/* Reads the xid and message type (CALL or REPLY) that start every message.
 * 0 or -EBADMSG when len < 8. */
int rpc_msg_peek(const char *buf, size_t len, uint32_t *xid, uint32_t *mtype);

/* Decodes the call header at the start of buf. On success *hdr_len gets its
 * length (the arguments follow). rpcvers is returned, not checked. 0 or -EBADMSG
 * (not a CALL, truncated, or a credential or verifier body over 400 bytes). */
int rpc_msg_decode_call(const char *buf, size_t len, struct rpc_call_hdr *hdr, size_t *hdr_len);

/* Encodes a call header with the credential of auth (NULL: AUTH_NONE) and an
 * empty verifier into buf (cap bytes; RPC_CALL_HDR_MAX always suffice).
 * Returns its length, or -E2BIG when the lock owner does not fit the
 * credential, -EINVAL on an unknown flavour, -ENOBUFS when cap is too small.
 * Groups that do not fit the 400 bytes of a credential are left out. */
int rpc_msg_encode_call(char *buf, size_t cap, uint32_t xid, uint32_t prog, uint32_t vers,
                        uint32_t proc, const struct rpc_auth *auth);

/* Decodes a reply header; *hdr_len gets its length (the results follow, for an
 * accepted reply). 0 or -EBADMSG. */
int rpc_msg_decode_reply(const char *buf, size_t len, struct rpc_reply_hdr *hdr, size_t *hdr_len);

/* Encodes a reply header (empty verifier) into buf (RPC_REPLY_HDR_MAX bytes
 * suffice). Returns its length, -EINVAL on an unknown state, or -ENOBUFS. */
int rpc_msg_encode_reply(char *buf, size_t cap, const struct rpc_reply_hdr *hdr);

/* Parses a credential of the given flavour into *auth. 0, -EBADMSG when the
 * body is malformed or exceeds a limit (groups, lock owner), or
 * -EPROTONOSUPPORT for a flavour we do not know. */
int rpc_auth_decode(uint32_t flavor, const char *body, size_t len, struct rpc_auth *auth);

/* Encodes the credential body of auth into buf (cap bytes). Returns its length
 * or an error as rpc_msg_encode_call. */
int rpc_auth_encode(const struct rpc_auth *auth, char *buf, size_t cap);

/* "SUCCESS", "PROC_UNAVAIL", ...: names for logs. */
const char *rpc_accept_stat_name(uint32_t stat);
const char *rpc_auth_stat_name(uint32_t stat);

#endif
