/*
 * Loopback tests of TLS on the RPC transports (tls.c, socket.c, rpcsvc.c,
 * rpc-clnt.c): a server and clients in one process over 127.0.0.1 (and once
 * over a unix socket). The certificates are made at run time with the
 * OpenSSL API in a private temporary directory (two CAs, a server, a client
 * and a "rogue" client signed by the other CA); no key is ever committed.
 * Failures are checked both by their outcome (no call served, calls failing)
 * and by the log line each side writes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "rpc-clnt.h"
#include "rpcsvc.h"
#include "tls.h"

#define TEST_PROG 0x20000098u
#define PROC_ECHO 1 /* uint32 n + payload -> uint32 n + 1 + the same payload */
#define BIG       (4u << 20)
#define PIPELINED 200

/* Waits up to ms milliseconds for cond, then asserts it. */
#define WAIT_UNTIL(cond, ms)                                                                       \
    do {                                                                                           \
        for (int wait_ = 0; wait_ < (ms) && !(cond); wait_++)                                      \
            usleep(1000);                                                                          \
        assert_true(cond);                                                                         \
    } while (0)

static gf_event_pool_t *pool;
static gf_timer_wheel_t *timers;
static char dir[64];
static char log_path[96];

/* ---- certificates ---- */

typedef struct pair {
    EVP_PKEY *key;
    X509 *cert;
} pair_t;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    assert_non_null(ext);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
}

/* A P-256 key and a certificate for cn, signed by ca (self-signed when NULL). */
static pair_t make_pair(const char *cn, const pair_t *ca)
{
    static long serial = 1;
    pair_t p = {EVP_EC_gen("P-256"), X509_new()};
    assert_non_null(p.key);
    X509_set_version(p.cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(p.cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(p.cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(p.cert), 3600);
    X509_set_pubkey(p.cert, p.key);
    X509_NAME *name = X509_get_subject_name(p.cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509 *issuer = ca ? ca->cert : p.cert;
    X509_set_issuer_name(p.cert, X509_get_subject_name(issuer));
    add_ext(p.cert, issuer, NID_basic_constraints, ca ? "critical,CA:FALSE" : "critical,CA:TRUE");
    if (!ca)
        add_ext(p.cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    assert_true(X509_sign(p.cert, ca ? ca->key : p.key, EVP_sha256()) > 0);
    return p;
}

/* Writes DIR/name.pem (and DIR/name.key when with_key). */
static void write_pair(const char *name, const pair_t *p, bool with_key)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(PEM_write_X509(f, p->cert));
    fclose(f);
    if (!with_key)
        return;
    snprintf(path, sizeof(path), "%s/%s.key", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_true(PEM_write_PrivateKey(f, p->key, NULL, NULL, 0, NULL, NULL));
    fclose(f);
}

static void free_pair(pair_t *p)
{
    X509_free(p->cert);
    EVP_PKEY_free(p->key);
}

/* ca1 signs server and client; ca2 signs rogue. */
static void make_certs(void)
{
    pair_t ca1 = make_pair("test-ca-1", NULL), ca2 = make_pair("test-ca-2", NULL);
    pair_t server = make_pair("brick-server", &ca1), client = make_pair("client-a", &ca1);
    pair_t rogue = make_pair("rogue", &ca2);
    write_pair("ca1", &ca1, false);
    write_pair("ca2", &ca2, false);
    write_pair("server", &server, true);
    write_pair("client", &client, true);
    write_pair("rogue", &rogue, true);
    pair_t all[] = {ca1, ca2, server, client, rogue};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        free_pair(&all[i]);
}

/* A context presenting DIR/who.pem and trusting DIR/ca.pem; asserts success. */
static rpc_tls_ctx_t *ctx_for(const char *who, const char *ca)
{
    char cert[128], key[128], cal[128];
    snprintf(cert, sizeof(cert), "%s/%s.pem", dir, who);
    snprintf(key, sizeof(key), "%s/%s.key", dir, who);
    snprintf(cal, sizeof(cal), "%s/%s.pem", dir, ca);
    rpc_tls_options_t o = {
        .enabled = true, .own_cert = cert, .private_key = key, .ca_list = cal, .cert_depth = 1};
    rpc_tls_ctx_t *ctx = NULL;
    assert_int_equal(rpc_tls_ctx_from_options(&o, &ctx), 0);
    assert_non_null(ctx);
    return ctx;
}

/* ---- the server ---- */

typedef struct server {
    rpc_svc_t *svc;
    char spec[128];
    atomic_int calls;
    atomic_int connects, disconnects;
    char cn[64];         /* rpc_svc_conn_peer_cn at the last call; "(null)" for NULL */
    char connect_cn[64]; /* the same at the last CONNECT */
} server_t;

static int echo_actor(rpc_req_t *req)
{
    server_t *sv = req->program->priv;
    uint32_t n;
    size_t used;
    const char *cn = rpc_svc_conn_peer_cn(req->conn);
    snprintf(sv->cn, sizeof(sv->cn), "%s", cn ? cn : "(null)");
    atomic_fetch_add(&sv->calls, 1);
    if (rpc_req_decode(req, (xdrproc_t)xdr_uint32_t, &n, &used) < 0)
        return -EBADMSG;
    n++;
    struct iovec payload = {(char *)req->args + used, req->args_len - used};
    rpc_req_reply(req, (xdrproc_t)xdr_uint32_t, &n, &payload, 1, req->record);
    return 0;
}

static const rpc_actor_t actors[] = {{"NULL", NULL}, {"ECHO", echo_actor}};

static void svc_notify(rpc_svc_t *svc, rpc_svc_conn_t *conn, int event, void *mydata)
{
    server_t *sv = mydata;
    const char *cn = rpc_svc_conn_peer_cn(conn);
    if (event == RPC_SVC_CONNECT)
        snprintf(sv->connect_cn, sizeof(sv->connect_cn), "%s", cn ? cn : "(null)");
    atomic_fetch_add(event == RPC_SVC_CONNECT ? &sv->connects : &sv->disconnects, 1);
}

/* Starts a server on listen (a "tcp:...:0" or "unix:" spec) speaking TLS
 * with ctx (NULL: plain); sv->spec gets the address clients use. */
static void server_start(server_t *sv, const char *listen, rpc_tls_ctx_t *ctx)
{
    static rpc_program_t prog = {"TLS-TEST", TEST_PROG, 1, actors, 2, NULL};
    prog.priv = sv;
    sv->svc = rpc_svc_new(pool, svc_notify, sv);
    assert_non_null(sv->svc);
    assert_int_equal(rpc_svc_register(sv->svc, &prog), 0);
    assert_int_equal(rpc_svc_listen_tls(sv->svc, listen, ctx), 0);
    if (strncmp(listen, "unix:", 5) == 0)
        snprintf(sv->spec, sizeof(sv->spec), "%s", listen);
    else
        snprintf(sv->spec, sizeof(sv->spec), "tcp:127.0.0.1:%d", rpc_svc_port(sv->svc));
}

static void server_stop(server_t *sv)
{
    rpc_svc_destroy(sv->svc);
}

/* ---- clients ---- */

typedef struct client {
    rpc_clnt_t *clnt;
    atomic_int connects, disconnects;
} client_t;

static void clnt_notify(rpc_clnt_t *clnt, int event, void *mydata)
{
    client_t *c = mydata;
    atomic_fetch_add(event == RPC_CLNT_CONNECT ? &c->connects : &c->disconnects, 1);
}

/* Starts connecting c to spec over TLS with ctx (NULL: plain). */
static void client_start(client_t *c, const char *spec, rpc_tls_ctx_t *ctx)
{
    rpc_clnt_opts_t opts = RPC_CLNT_OPTS_DEFAULT;
    opts.call_timeout_ms = 5000;
    opts.tls = ctx;
    c->clnt = rpc_clnt_new(pool, timers, spec, &opts, clnt_notify, c);
    assert_non_null(c->clnt);
    assert_int_equal(rpc_clnt_connect(c->clnt), 0);
}

typedef struct result {
    atomic_int done;
    int status;
    uint32_t value;
    size_t len;  /* payload bytes returned */
    bool intact; /* they equal what was sent */
    const char *sent;
} result_t;

static void result_cbk(rpc_clnt_t *clnt, int status, const char *res, size_t len, gf_buf_t *rec,
                       void *cookie)
{
    result_t *r = cookie;
    r->status = status;
    if (status == 0 && len >= 4) {
        uint32_t v;
        memcpy(&v, res, 4);
        r->value = ntohl(v);
        r->len = len - 4;
        r->intact = r->sent && memcmp(res + 4, r->sent, r->len) == 0;
    }
    atomic_store(&r->done, 1);
}

/* Sends ECHO(n) with len bytes of payload at data (kept alive by the caller). */
static void echo(client_t *c, uint32_t n, const char *data, size_t len, result_t *r)
{
    struct iovec iov = {(void *)data, len};
    r->sent = data;
    rpc_clnt_submit(c->clnt, TEST_PROG, 1, PROC_ECHO, NULL, (xdrproc_t)xdr_uint32_t, &n, &iov,
                    len ? 1 : 0, NULL, result_cbk, r);
}

/* ---- the log ---- */

static long log_size(void)
{
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Whether the log, from offset from, has a line holding both a and b. */
static bool logged(long from, const char *a, const char *b)
{
    char line[1024];
    bool found = false;
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    fseek(f, from, SEEK_SET);
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, a) && strstr(line, b);
    fclose(f);
    return found;
}

/* ---- fixtures ---- */

typedef struct fixture {
    rpc_tls_ctx_t *server_ctx, *client_ctx;
    server_t sv;
    client_t c;
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    fx->server_ctx = ctx_for("server", "ca1");
    fx->client_ctx = ctx_for("client", "ca1");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    if (fx->c.clnt)
        rpc_clnt_destroy(fx->c.clnt);
    if (fx->sv.svc)
        server_stop(&fx->sv);
    rpc_tls_ctx_unref(fx->server_ctx);
    rpc_tls_ctx_unref(fx->client_ctx);
    free(fx);
    return 0;
}

/* ---- cases ---- */

/* A call and its payload go through TLS; the server sees the client's CN,
 * from CONNECT on. */
static void test_echo_and_peer_cn(void **state)
{
    fixture_t *fx = *state;
    result_t r = {0};
    server_start(&fx->sv, "tcp:127.0.0.1:0", fx->server_ctx);
    client_start(&fx->c, fx->sv.spec, fx->client_ctx);
    WAIT_UNTIL(atomic_load(&fx->c.connects) == 1, 2000);
    echo(&fx->c, 41, "hello over tls", 14, &r);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.value, 42);
    assert_int_equal(r.len, 14);
    assert_true(r.intact);
    assert_string_equal(fx->sv.cn, "client-a");
    assert_int_equal(atomic_load(&fx->sv.connects), 1);
    assert_string_equal(fx->sv.connect_cn, "client-a");
}

/* A 4 MiB payload each way (hundreds of TLS records, writes that wait for
 * room) and a burst of pipelined calls arrive intact and in full. */
static void test_large_and_pipelined(void **state)
{
    fixture_t *fx = *state;
    char *big = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (char)(i * 7 + i / 4096);
    static result_t rs[PIPELINED];
    result_t rbig = {0};
    memset(rs, 0, sizeof(rs));
    server_start(&fx->sv, "tcp:127.0.0.1:0", fx->server_ctx);
    client_start(&fx->c, fx->sv.spec, fx->client_ctx);
    WAIT_UNTIL(atomic_load(&fx->c.connects) == 1, 2000);
    echo(&fx->c, 1, big, BIG, &rbig);
    for (uint32_t i = 0; i < PIPELINED; i++)
        echo(&fx->c, i, big + i, 100 + i, &rs[i]);
    WAIT_UNTIL(atomic_load(&rbig.done), 5000);
    assert_int_equal(rbig.status, 0);
    assert_int_equal(rbig.len, BIG);
    assert_true(rbig.intact);
    for (uint32_t i = 0; i < PIPELINED; i++) {
        WAIT_UNTIL(atomic_load(&rs[i].done), 2000);
        assert_int_equal(rs[i].status, 0);
        assert_int_equal(rs[i].value, i + 1);
        assert_int_equal(rs[i].len, 100 + i);
        assert_true(rs[i].intact);
    }
    free(big);
}

/* TLS works over a unix socket too. */
static void test_unix_socket(void **state)
{
    fixture_t *fx = *state;
    char spec[128];
    result_t r = {0};
    snprintf(spec, sizeof(spec), "unix:%s/tls.sock", dir);
    server_start(&fx->sv, spec, fx->server_ctx);
    client_start(&fx->c, fx->sv.spec, fx->client_ctx);
    WAIT_UNTIL(atomic_load(&fx->c.connects) == 1, 2000);
    echo(&fx->c, 7, "x", 1, &r);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.value, 8);
    assert_string_equal(fx->sv.cn, "client-a");
}

/* A plain connection has no peer CN. */
static void test_plain_has_no_cn(void **state)
{
    fixture_t *fx = *state;
    result_t r = {0};
    server_start(&fx->sv, "tcp:127.0.0.1:0", NULL);
    client_start(&fx->c, fx->sv.spec, NULL);
    WAIT_UNTIL(atomic_load(&fx->c.connects) == 1, 2000);
    echo(&fx->c, 1, "p", 1, &r);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.status, 0);
    assert_string_equal(fx->sv.cn, "(null)");
}

/* A client that does not trust the server's CA never connects, and says why. */
static void test_client_refuses_server_ca(void **state)
{
    fixture_t *fx = *state;
    long from = log_size();
    rpc_tls_ctx_t *wrong = ctx_for("client", "ca2");
    server_start(&fx->sv, "tcp:127.0.0.1:0", fx->server_ctx);
    client_start(&fx->c, fx->sv.spec, wrong);
    WAIT_UNTIL(atomic_load(&fx->c.disconnects) == 1, 2000);
    assert_int_equal(atomic_load(&fx->c.connects), 0);
    assert_false(rpc_clnt_connected(fx->c.clnt));
    WAIT_UNTIL(logged(from, "connection to tcp:127.0.0.1",
                      "TLS handshake failed: the peer's certificate is refused"),
               2000);
    WAIT_UNTIL(logged(from, "TLS handshake failed with 127.0.0.1", "refused our certificate"),
               2000);
    assert_int_equal(atomic_load(&fx->sv.calls), 0);
    rpc_tls_ctx_unref(wrong);
}

/* A client whose certificate is signed by another CA is refused by the
 * server: no call is served, the call fails, both sides say why. */
static void test_server_refuses_client_ca(void **state)
{
    fixture_t *fx = *state;
    long from = log_size();
    result_t r = {0};
    rpc_tls_ctx_t *rogue = ctx_for("rogue", "ca1");
    server_start(&fx->sv, "tcp:127.0.0.1:0", fx->server_ctx);
    client_start(&fx->c, fx->sv.spec, rogue);
    WAIT_UNTIL(atomic_load(&fx->c.disconnects) == 1, 2000);
    echo(&fx->c, 1, "x", 1, &r);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.status, -ENOTCONN);
    assert_int_equal(atomic_load(&fx->sv.calls), 0);
    WAIT_UNTIL(logged(from, "TLS handshake failed with 127.0.0.1", "certificate is refused"), 2000);
    assert_int_equal(atomic_load(&fx->sv.connects), 0); /* the server's owner never saw it */
    assert_int_equal(atomic_load(&fx->sv.disconnects), 0);
    WAIT_UNTIL(logged(from, "connection to tcp:127.0.0.1", "refused our certificate"), 2000);
    rpc_tls_ctx_unref(rogue);
}

/* A plain client at a TLS server: the server says the peer speaks plain RPC,
 * the client that the peer speaks TLS; no call is served. */
static void test_plain_client_to_tls_server(void **state)
{
    fixture_t *fx = *state;
    long from = log_size();
    result_t r = {0};
    server_start(&fx->sv, "tcp:127.0.0.1:0", fx->server_ctx);
    client_start(&fx->c, fx->sv.spec, NULL);
    WAIT_UNTIL(atomic_load(&fx->c.connects) == 1, 2000);
    echo(&fx->c, 1, "x", 1, &r);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.status, -ENOTCONN);
    assert_int_equal(atomic_load(&fx->sv.calls), 0);
    WAIT_UNTIL(logged(from, "TLS handshake failed with 127.0.0.1",
                      "the peer speaks plain RPC, not TLS (client.ssl is off on the client?)"),
               2000);
    WAIT_UNTIL(logged(from, "connection to tcp:127.0.0.1", "speaks TLS, not plain RPC"), 2000);
    assert_int_equal(atomic_load(&fx->sv.connects), 0);
}

/* A TLS client at a plain server: the client says the peer speaks plain RPC,
 * the server that the peer speaks TLS. */
static void test_tls_client_to_plain_server(void **state)
{
    fixture_t *fx = *state;
    long from = log_size();
    server_start(&fx->sv, "tcp:127.0.0.1:0", NULL);
    client_start(&fx->c, fx->sv.spec, fx->client_ctx);
    WAIT_UNTIL(atomic_load(&fx->c.disconnects) == 1, 2000);
    assert_int_equal(atomic_load(&fx->c.connects), 0);
    assert_int_equal(atomic_load(&fx->sv.calls), 0);
    WAIT_UNTIL(logged(from, "connection to tcp:127.0.0.1", "speaks plain RPC, not TLS"), 2000);
    WAIT_UNTIL(logged(from, "closing connection from 127.0.0.1", "speaks TLS, not plain RPC"),
               2000);
}

/* Bad material is refused when the context is made, naming what is wrong. */
static void test_bad_material(void **state)
{
    char cert[128], key[128], ca[128], missing[128];
    int sentinel;
    rpc_tls_ctx_t *ctx = (rpc_tls_ctx_t *)&sentinel; /* must be overwritten */
    rpc_tls_options_t off = {.enabled = false};
    assert_int_equal(rpc_tls_ctx_from_options(&off, &ctx), 0);
    assert_null(ctx);
    snprintf(cert, sizeof(cert), "%s/server.pem", dir);
    snprintf(key, sizeof(key), "%s/client.key", dir);
    snprintf(ca, sizeof(ca), "%s/ca1.pem", dir);
    snprintf(missing, sizeof(missing), "%s/missing.pem", dir);
    rpc_tls_options_t o = {
        .enabled = true, .own_cert = missing, .private_key = key, .ca_list = ca, .cert_depth = 1};
    long from = log_size();
    assert_int_equal(rpc_tls_ctx_from_options(&o, &ctx), -ENOENT);
    assert_true(logged(from, missing, "transport.socket.ssl-own-cert"));
    o.own_cert = cert; /* the client's key does not match the server's certificate */
    assert_int_equal(rpc_tls_ctx_from_options(&o, &ctx), -EINVAL);
    assert_true(logged(from, key, "is not the PEM private key"));
    snprintf(key, sizeof(key), "%s/server.key", dir);
    o.cipher_list = "NO-SUCH-CIPHER";
    assert_int_equal(rpc_tls_ctx_from_options(&o, &ctx), -EINVAL);
    assert_null(ctx);
}

/* The management path follows the secure-access file: absent, plain; present,
 * TLS with the given material, which a client made with it then speaks. */
static void test_mgmt_secure_access(void **state)
{
    fixture_t *fx = *state;
    char path[128], cert[128], key[128], ca[128];
    result_t r = {0};
    snprintf(path, sizeof(path), "%s/%s", dir, RPC_TLS_SECURE_ACCESS);
    snprintf(cert, sizeof(cert), "%s/client.pem", dir);
    snprintf(key, sizeof(key), "%s/client.key", dir);
    snprintf(ca, sizeof(ca), "%s/ca1.pem", dir);
    rpc_tls_options_t material = {.own_cert = cert, .private_key = key, .ca_list = ca};
    assert_int_equal(rpc_tls_mgmt_setup(path, &material), 0);
    assert_null(rpc_tls_mgmt());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("option transport.socket.ssl-cert-depth 2\n", f);
    fclose(f);
    assert_int_equal(rpc_tls_mgmt_setup(path, &material), 0);
    rpc_tls_ctx_t *mgmt = rpc_tls_mgmt();
    assert_non_null(mgmt);
    server_start(&fx->sv, "tcp:127.0.0.1:0", fx->server_ctx);
    client_start(&fx->c, fx->sv.spec, mgmt);
    WAIT_UNTIL(atomic_load(&fx->c.connects) == 1, 2000);
    echo(&fx->c, 2, "m", 1, &r);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.value, 3);
    assert_string_equal(fx->sv.cn, "client-a");
    rpc_tls_ctx_unref(mgmt);
    rpc_tls_set_mgmt(NULL);
    assert_null(rpc_tls_mgmt());
    unlink(path);
}

static int group_setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/gfs-test-tls.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    make_certs();
    snprintf(log_path, sizeof(log_path), "%s/test.log", dir);
    gf_log_init(log_path, "test-tls");
    gf_log_set_level(GF_LOG_INFO);
    pool = gf_event_pool_new(2);
    timers = gf_timer_wheel_new();
    return pool && timers ? 0 : -1;
}

static int group_teardown(void **state)
{
    static const char *files[] = {"ca1.pem",    "ca2.pem",    "server.pem",
                                  "server.key", "client.pem", "client.key",
                                  "rogue.pem",  "rogue.key",  "test.log"};
    char path[128];
    gf_timer_wheel_destroy(timers);
    gf_event_pool_destroy(pool);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_and_peer_cn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_and_pipelined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unix_socket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_has_no_cn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_refuses_server_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_refuses_client_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_client_to_tls_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_client_to_plain_server, setup, teardown),
        cmocka_unit_test(test_bad_material),
        cmocka_unit_test_setup_teardown(test_mgmt_secure_access, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
