/*
 * TLS for the RPC transports (doc/tls.md): a context holds the material one
 * side presents and trusts (certificate, private key, CA list, verification
 * depth, TLS 1.2 cipher list), loaded once; every connection made or accepted
 * with it speaks TLS 1.2 or later through OpenSSL, and both ends verify the
 * other's certificate against the CA list. The connections themselves are the
 * TLS kind of transport (rpc_tls_ops, see socket.h), chosen by giving a
 * context to rpc_transport_listen / rpc_transport_connect (and so to
 * rpc_svc_listen_tls and rpc_clnt_opts_t.tls).
 *
 * Translators declare the TLS options with RPC_TLS_OPTIONS, which binds them
 * to an rpc_tls_options_t in their private struct, and turn that into a
 * context with rpc_tls_ctx_from_options. Keys, defaults and meaning are
 * GlusterFS's, so stock volfiles work unchanged.
 */
#ifndef RPC_TLS_H
#define RPC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glusterfs/options.h"

#define RPC_TLS_DEFAULT_CERT    "/etc/ssl/glusterfs.pem"
#define RPC_TLS_DEFAULT_KEY     "/etc/ssl/glusterfs.key"
#define RPC_TLS_DEFAULT_CA      "/etc/ssl/glusterfs.ca"
#define RPC_TLS_DEFAULT_DEPTH   "1"
#define RPC_TLS_DEFAULT_CIPHERS "HIGH:!aNULL:!eNULL:!3DES:!RC4:!DES:!MD5"

typedef struct rpc_tls_ctx rpc_tls_ctx_t;

/* The TLS options of a translator, as bound by RPC_TLS_OPTIONS. */
typedef struct rpc_tls_options {
    bool enabled;       /* transport.socket.ssl-enabled */
    char *own_cert;     /* transport.socket.ssl-own-cert: PEM certificate (chain) */
    char *private_key;  /* transport.socket.ssl-private-key: PEM key of that certificate */
    char *ca_list;      /* transport.socket.ssl-ca-list: PEM CA certificates trusted */
    int64_t cert_depth; /* transport.socket.ssl-cert-depth: intermediate CAs allowed */
    char *cipher_list;  /* transport.socket.ssl-cipher-list: OpenSSL list for TLS 1.2 */
} rpc_tls_options_t;

// clang-format off
/* The option table entries of the TLS options, bound to PRIV.MEMBER (an
 * rpc_tls_options_t), with scope SCOPE. Put it in a gf_option_t table. */
#define RPC_TLS_OPTIONS(PRIV, MEMBER, SCOPE)                                                       \
    {.key = "transport.socket.ssl-enabled",                                                        \
     .type = GF_OPT_BOOL,                                                                          \
     .def = "off",                                                                                 \
     .scope = (SCOPE),                                                                             \
     .offset = offsetof(PRIV, MEMBER.enabled),                                                     \
     .desc = "speak TLS on this connection (volume options server.ssl / client.ssl)"},             \
    {.key = "transport.socket.ssl-own-cert",                                                       \
     .type = GF_OPT_PATH,                                                                          \
     .def = RPC_TLS_DEFAULT_CERT,                                                                  \
     .scope = (SCOPE),                                                                             \
     .offset = offsetof(PRIV, MEMBER.own_cert),                                                    \
     .desc = "TLS: this side's certificate (PEM, may hold its chain)"},                            \
    {.key = "transport.socket.ssl-private-key",                                                    \
     .type = GF_OPT_PATH,                                                                          \
     .def = RPC_TLS_DEFAULT_KEY,                                                                   \
     .scope = (SCOPE),                                                                             \
     .offset = offsetof(PRIV, MEMBER.private_key),                                                 \
     .desc = "TLS: the private key of that certificate (PEM)"},                                    \
    {.key = "transport.socket.ssl-ca-list",                                                        \
     .type = GF_OPT_PATH,                                                                          \
     .def = RPC_TLS_DEFAULT_CA,                                                                    \
     .scope = (SCOPE),                                                                             \
     .offset = offsetof(PRIV, MEMBER.ca_list),                                                     \
     .desc = "TLS: the CA certificates the peer's certificate must chain to (PEM)"},               \
    {.key = "transport.socket.ssl-cert-depth",                                                     \
     .type = GF_OPT_INT,                                                                           \
     .def = RPC_TLS_DEFAULT_DEPTH,                                                                 \
     .min = 0,                                                                                     \
     .max = 100,                                                                                   \
     .scope = (SCOPE),                                                                             \
     .offset = offsetof(PRIV, MEMBER.cert_depth),                                                  \
     .desc = "TLS: intermediate CAs allowed between a peer's certificate and the CA"},             \
    {.key = "transport.socket.ssl-cipher-list",                                                    \
     .type = GF_OPT_STR,                                                                           \
     .def = RPC_TLS_DEFAULT_CIPHERS,                                                               \
     .scope = (SCOPE),                                                                             \
     .offset = offsetof(PRIV, MEMBER.cipher_list),                                                 \
     .desc = "TLS: OpenSSL cipher list for TLS 1.2 (TLS 1.3 uses OpenSSL's suites)"}
// clang-format on

/*
 * Makes the context o describes. When o->enabled is off: 0 and *out NULL
 * (plain). When on: loads and checks the material (key matching the
 * certificate, CA list readable, cipher list valid) and returns 0 with *out
 * holding one reference; or -ENOENT / -EACCES (a file is missing or
 * unreadable), -EINVAL (a file or the cipher list is not valid) or -ENOMEM,
 * having logged which file and what to do. Unset paths take the defaults.
 * Reads files: call it at init, never on an event thread.
 */
int rpc_tls_ctx_from_options(const rpc_tls_options_t *o, rpc_tls_ctx_t **out);

/* Takes a reference; returns ctx. */
rpc_tls_ctx_t *rpc_tls_ctx_ref(rpc_tls_ctx_t *ctx);

/* Drops a reference (NULL is ignored); connections hold their own. */
void rpc_tls_ctx_unref(rpc_tls_ctx_t *ctx);

/*
 * The management path: the process-wide context for connections to glusterd
 * (portmap, volfile fetch), NULL (the default) for plain. A daemon whose
 * management connections are secured (GlusterFS's secure-access) sets it
 * once at start; rpc_tls_mgmt returns a new reference or NULL.
 */
void rpc_tls_set_mgmt(rpc_tls_ctx_t *ctx);
rpc_tls_ctx_t *rpc_tls_mgmt(void);

/* The name of GlusterFS's switch for management TLS, in glusterd's working
 * directory (/var/lib/glusterd/secure-access on a stock installation). */
#define RPC_TLS_SECURE_ACCESS "secure-access"

/*
 * Sets the management path up as GlusterFS does: when the file path (a
 * working directory's RPC_TLS_SECURE_ACCESS) exists, the process's management
 * context becomes one with the material of material (its paths and cipher
 * list; NULL or unset members: the defaults) and the certificate depth of the
 * file's line "option transport.socket.ssl-cert-depth N" (default 1). Returns
 * 0 (also when the file does not exist: nothing changes), or -errno when the
 * file cannot be read or the material cannot be used (logged). Call it once
 * at start.
 */
int rpc_tls_mgmt_setup(const char *path, const rpc_tls_options_t *material);

#endif
