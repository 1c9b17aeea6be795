/*
 * The handshake program of protocol/server (14398633 v2): SETVOLUME, which
 * binds a client connection to the brick it names after checking that brick's
 * auth rules, and PING. GETSPEC is glusterd's business: a brick does not
 * serve it (PROC_UNAVAIL).
 *
 * SETVOLUME runs on the event thread: it decodes a small dict, looks the brick
 * up in the lock-free routing table and compares a few strings, nothing that
 * blocks. The reply dict carries the keys the stock GlusterFS client reads
 * (doc/protocol.md section 6.2): ERROR ("Success" or why not), process-uuid,
 * volume-id (when the brick has one), child_up, clnt-lk-version and
 * transport-ptr. The "opversion" the client gives is kept for STATUS.
 * Failures: EINVAL for a malformed request, ENOENT for an
 * unknown brick (or a subdirectory mount, which we do not serve), EAGAIN for a
 * brick that is not up, EACCES when authentication fails (the stock client then
 * gives up instead of retrying).
 *
 * Authentication of a connection for brick B (doc/volfiles.md), from B's auth
 * options:
 *   - auth.addr.B.reject: a peer address matching any entry is refused;
 *   - auth.addr.B.allow: when set, the peer address must match an entry;
 *   - auth.login.B.allow: when set, the request's username must be one of its
 *     users and its password equal auth.login.USER.password (compared in
 *     constant time);
 *   - auth.login.B.ssl-allow: when set, the connection must be TLS and the
 *     name its certificate proves must match an entry;
 *   - any rule that refuses wins; a brick with no allow rule at all (for
 *     addresses, logins or TLS names) lets nobody in.
 * Entries are separated by commas or blanks; address and TLS name entries are
 * fnmatch(3) patterns ("*" = any, "192.168.1.*"). B's rules are the auth.*
 * options of B's own volfile, given when B was attached: a client allowed on
 * one brick of the process is refused on another whose rules say so.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "handshake-xdr.h"
#include "server.h"

/* What SETVOLUME answers: op_errno 0 for success, the ERROR text, and the dict
 * the other keys go in. */
typedef struct setvol {
    server_client_t *client;
    gf_dict_t *params; /* the client's request dict */
    gf_dict_t *reply;
    const char *brick;
    server_route_t *route; /* referenced while held here */
    int op_errno;
} setvol_t;

/* Records a failure (op_errno, ERROR message); returns err for chaining. */
__attribute__((format(printf, 3, 4))) static int refuse(setvol_t *sv, int err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sv->op_errno = err;
    gf_dict_set_str(sv->reply, "ERROR", msg);
    gf_log(GF_LOG_WARNING, "refused client %s: %s", sv->client->peer, msg);
    return err;
}

/* ---- authentication -------------------------------------------------------------- */

/* The address part of a peer name: "1.2.3.4:567" -> "1.2.3.4", "[::1]:567" ->
 * "::1", "unix" -> "unix". */
static void peer_address(const char *peer, char *out, size_t len)
{
    const char *colon = strrchr(peer, ':');
    size_t n = colon ? (size_t)(colon - peer) : strlen(peer);

    if (peer[0] == '[' && n >= 2 && peer[n - 1] == ']') {
        peer++;
        n -= 2;
    }
    snprintf(out, len, "%.*s", (int)n, peer);
}

/* Whether some entry of the list (entries separated by commas and/or blanks)
 * matches item: as an fnmatch pattern when glob, else exactly. */
static bool list_has(const char *list, const char *item, bool glob)
{
    static const char seps[] = ", \t";
    char entry[256];

    for (list += strspn(list, seps); *list; list += strspn(list, seps)) {
        size_t n = strcspn(list, seps);

        if (n < sizeof(entry)) {
            memcpy(entry, list, n);
            entry[n] = '\0';
            if (glob ? fnmatch(entry, item, 0) == 0 : strcmp(entry, item) == 0)
                return true;
        }
        list += n;
    }
    return false;
}

/* The value of auth option "auth.KIND.NAME.WHAT" in the brick's options, or NULL. */
static const char *auth_opt(gf_dict_t *auth, const char *kind, const char *name, const char *what)
{
    const char *value = NULL;
    char *key;

    if (!auth || gf_asprintf(&key, "auth.%s.%s.%s", kind, name, what) < 0)
        return NULL;
    if (gf_dict_get_str(auth, key, &value))
        value = NULL;
    gf_free(key);
    return value;
}

/* Equality of two secrets in time that depends on their lengths only. */
static bool secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    volatile unsigned char diff = 0;

    if (la != lb)
        return false;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* 1: the address rules allow the peer; 0: they say nothing; -1: refused (why
 * written to why). */
static int auth_addr(setvol_t *sv, gf_dict_t *auth, char *why, size_t len)
{
    const char *reject = auth_opt(auth, "addr", sv->brick, "reject");
    const char *allow = auth_opt(auth, "addr", sv->brick, "allow");
    char addr[SERVER_PEER_MAX];

    peer_address(sv->client->peer, addr, sizeof(addr));
    if (reject && list_has(reject, addr, true)) {
        snprintf(why, len, "address %s matches auth.addr.%s.reject", addr, sv->brick);
        return -1;
    }
    if (!allow)
        return 0;
    if (list_has(allow, addr, true))
        return 1;
    snprintf(why, len, "address %s is not in auth.addr.%s.allow", addr, sv->brick);
    return -1;
}

/* As auth_addr, for the login rules. */
static int auth_login(setvol_t *sv, gf_dict_t *auth, char *why, size_t len)
{
    const char *users = auth_opt(auth, "login", sv->brick, "allow");
    const char *user = NULL, *given = NULL, *expected;

    if (!users)
        return 0;
    if (gf_dict_get_str(sv->params, "username", &user) || !list_has(users, user, false)) {
        snprintf(why, len, "user '%s' is not in auth.login.%s.allow", user ? user : "", sv->brick);
        return -1;
    }
    expected = auth_opt(auth, "login", user, "password");
    if (!expected || gf_dict_get_str(sv->params, "password", &given) ||
        !secret_equal(given, expected)) {
        snprintf(why, len, "wrong password for user '%s'", user);
        return -1;
    }
    return 1;
}

/* As auth_addr, for the TLS name rules. */
static int auth_tls(setvol_t *sv, gf_dict_t *auth, char *why, size_t len)
{
    const char *names = auth_opt(auth, "login", sv->brick, "ssl-allow");
    const char *name = sv->client->tls_name;

    if (!names)
        return 0;
    if (!name) {
        snprintf(why, len, "auth.login.%s.ssl-allow is set but the connection is not TLS",
                 sv->brick);
        return -1;
    }
    if (list_has(names, name, true))
        return 1;
    snprintf(why, len, "TLS name '%s' is not in auth.login.%s.ssl-allow", name, sv->brick);
    return -1;
}

/* 0 when the brick's rules let the client in, else EACCES (recorded). The
 * reason is logged here, not sent: the client only learns that it failed. */
static int authenticate(setvol_t *sv)
{
    gf_dict_t *auth = sv->route->auth;
    char why[512] = "";
    int addr = auth_addr(sv, auth, why, sizeof(why));
    int login = addr < 0 ? -1 : auth_login(sv, auth, why, sizeof(why));
    int tls = login < 0 ? -1 : auth_tls(sv, auth, why, sizeof(why));

    if (addr >= 0 && login >= 0 && tls >= 0 && addr + login + tls > 0)
        return 0;
    if (addr == 0 && login == 0 && tls == 0)
        snprintf(why, sizeof(why),
                 "no rule lets anyone in (set auth.addr.%s.allow, auth.login.%s.allow or "
                 "auth.login.%s.ssl-allow)",
                 sv->brick, sv->brick, sv->brick);
    gf_log(GF_LOG_ERROR, "refused client %s for brick %s: authentication failed: %s",
           sv->client->peer, sv->brick, why);
    snprintf(why, sizeof(why), "Authentication failed for brick %s", sv->brick);
    sv->op_errno = EACCES;
    gf_dict_set_str(sv->reply, "ERROR", why);
    return EACCES;
}

/* ---- SETVOLUME -------------------------------------------------------------------- */

/* Decodes the request dict and finds the brick. 0 or the errno recorded. */
static int find_brick(setvol_t *sv, const gf_setvolume_req *args)
{
    server_priv_t *priv = sv->client->server->priv;
    int ret;

    if (args->dict.dict_len == 0 ||
        gf_dict_unserialize(args->dict.dict_val, args->dict.dict_len, &sv->params))
        return refuse(sv, EINVAL, "Internal error: failed to unserialize request dictionary");
    if (gf_dict_get_str(sv->params, "remote-subvolume", &sv->brick))
        return refuse(sv, EINVAL, "No remote-subvolume option specified");
    ret = server_route_lookup(priv->routes, sv->brick, &sv->route);
    if (ret == -EAGAIN) {
        gf_dict_set_int32(sv->reply, "child_up", 0);
        return refuse(sv, EAGAIN, "brick %s is not up yet; try again later", sv->brick);
    }
    if (ret)
        return refuse(sv, ENOENT, "remote-subvolume \"%s\" is not found", sv->brick);
    return 0;
}

/* Checks what the client says about itself against the brick. 0 or the errno. */
static int check_client(setvol_t *sv)
{
    const char *value;
    server_route_t *bound = server_client_route(sv->client);

    if (bound)
        return refuse(sv, EINVAL, "this connection is bound to brick %s already", bound->name);
    if (gf_dict_get_str(sv->params, "process-uuid", &value))
        return refuse(sv, EINVAL, "UUID not specified");
    if (gf_dict_get_str(sv->params, "subdir-mount", &value) == 0)
        return refuse(sv, ENOENT,
                      "subdirectory mount \"%s\" of brick %s: not supported by "
                      "this server",
                      value, sv->brick);
    if (sv->route->volume_id && gf_dict_get_str(sv->params, "volume-id", &value) == 0 &&
        strcmp(value, sv->route->volume_id) != 0)
        return refuse(sv, EINVAL,
                      "volume-id %s differs from %s of brick %s: is the brick "
                      "used by another volume?",
                      value, sv->route->volume_id, sv->brick);
    return 0;
}

/* The op-version the client says it speaks ("opversion", which the stock
 * client sends), or 0 when it gives none that fits. */
static uint32_t client_op_version(gf_dict_t *params)
{
    int64_t v = 0;

    if (gf_dict_get_int64(params, "opversion", &v) || v < 0 || v > UINT32_MAX)
        return 0;
    return (uint32_t)v;
}

/* Binds the connection and fills the success keys. 0 or the errno. */
static int accept_client(setvol_t *sv)
{
    server_priv_t *priv = sv->client->server->priv;
    const char *identity = NULL, *version = NULL;
    int ret;

    gf_dict_get_str(sv->params, "process-uuid", &identity);
    sv->client->op_version = client_op_version(sv->params);
    ret = server_client_bind(sv->client, sv->route, identity);
    if (ret == -ENOMEM)
        return refuse(sv, ENOMEM, "out of memory binding the connection to brick %s", sv->brick);
    if (ret)
        return refuse(sv, EAGAIN, "brick %s is going away; try again later", sv->brick);
    sv->route = NULL; /* the client holds that reference now */
    gf_dict_set_str(sv->reply, "ERROR", "Success");
    gf_dict_set_str(sv->reply, "process-uuid", priv->process_uuid);
    if (server_client_route(sv->client)->volume_id)
        gf_dict_set_str(sv->reply, "volume-id", server_client_route(sv->client)->volume_id);
    gf_dict_set_int32(sv->reply, "child_up", 1);
    gf_dict_set_uint64(sv->reply, "clnt-lk-version", 0);
    gf_dict_set_uint64(sv->reply, "transport-ptr", sv->client->id);
    gf_dict_get_str(sv->params, "client-version", &version);
    gf_log(GF_LOG_INFO, "accepted client %s (%s, version %s) for brick %s", sv->client->peer,
           identity, version ? version : "unknown", sv->brick);
    return 0;
}

/* Sends the SETVOLUME reply; frees req. */
static void setvolume_reply(rpc_req_t *req, setvol_t *sv)
{
    gf_setvolume_rsp rsp = {.op_ret = sv->op_errno ? -1 : 0, .op_errno = sv->op_errno};
    char *buf = NULL;
    size_t len = 0;

    if (gf_dict_serialize(sv->reply, &buf, &len) == 0) {
        rsp.dict.dict_val = buf;
        rsp.dict.dict_len = (u_int)len;
    }
    server_reply(sv->client, req, (xdrproc_t)xdr_gf_setvolume_rsp, &rsp, NULL, 0);
    gf_free(buf);
}

static int hs_setvolume(rpc_req_t *req)
{
    setvol_t sv = {.client = server_client_of(req)};
    gf_setvolume_req args = {{0}};
    gf_xlator_t *saved = gf_this;

    if (!sv.client)
        return -ENOMEM;
    server_client_count_call(sv.client, req);
    if (rpc_req_decode(req, (xdrproc_t)xdr_gf_setvolume_req, &args, NULL)) {
        server_reply_error(sv.client, req, GARBAGE_ARGS);
        return 0;
    }
    gf_this = sv.client->server;
    sv.reply = gf_dict_new();
    if (!sv.reply) {
        xdr_free((xdrproc_t)xdr_gf_setvolume_req, (char *)&args);
        gf_this = saved;
        return -ENOMEM;
    }
    if (!find_brick(&sv, &args) && !check_client(&sv) && !authenticate(&sv))
        accept_client(&sv);
    setvolume_reply(req, &sv);
    server_route_unref(sv.route);
    gf_dict_unref(sv.params);
    gf_dict_unref(sv.reply);
    xdr_free((xdrproc_t)xdr_gf_setvolume_req, (char *)&args);
    gf_this = saved;
    return 0;
}

static int hs_ping(rpc_req_t *req)
{
    gf_common_rsp rsp = {.op_ret = 0};
    server_client_t *c = server_client_of(req);

    server_client_count_call(c, req);
    server_reply(c, req, (xdrproc_t)xdr_gf_common_rsp, &rsp, NULL, 0);
    return 0;
}

static int hs_null(rpc_req_t *req)
{
    server_client_t *c = server_client_of(req);

    server_client_count_call(c, req);
    server_reply(c, req, NULL, NULL, NULL, 0);
    return 0;
}

static const rpc_actor_t hs_actors[] = {
    [GF_HNDSK_NULL] = {"NULL", hs_null},
    [GF_HNDSK_SETVOLUME] = {"SETVOLUME", hs_setvolume},
    [GF_HNDSK_PING] = {"PING", hs_ping},
};

const rpc_program_t server_handshake_program = {
    .name = "GlusterFS Handshake",
    .prognum = GF_HNDSK_PROGRAM,
    .progver = GF_HNDSK_VERSION,
    .actors = hs_actors,
    .n_actors = sizeof(hs_actors) / sizeof(hs_actors[0]),
};
