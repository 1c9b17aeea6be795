/*
 * The TLS kind of transport (see tls.h and socket.h): contexts built from the
 * GlusterFS TLS options, and the byte layer that runs OpenSSL over the
 * non-blocking sockets of socket.c.
 *
 * Every call into a connection's SSL object happens under the socket's lock,
 * since reads (the event thread) and writes (any sending thread) share it;
 * none of them blocks: a call that cannot go on says whether it waits for
 * input or for room to write, and the socket watches the events that say so.
 * Writes go through a staging buffer of one TLS record, filled from the
 * socket's queue and retried unchanged until OpenSSL takes it.
 *
 * Mismatches are told apart from other failures: a TLS server whose first
 * bytes from the peer are a plain RPC record marker, and a TLS client whose
 * hello got no answer before the peer closed, say that the peer speaks plain
 * RPC (and a TLS server answers such a peer with a TLS alert record, which
 * the plain side recognises, see socket.c). The server side logs its
 * failures; the client side records them for its owner (rpc-clnt) to log.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"
#include "socket.h"
#include "tls.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#define SSL_get1_peer_certificate SSL_get_peer_certificate
#endif

#define WBUF_SIZE               16384 /* one TLS record of plaintext */
#define DRAIN_MAX               65536 /* bytes of a plain peer's input read before answering it */
#define TLS_HANDSHAKE_BYTE      22
#define ALERT_FATAL             2
#define ALERT_HANDSHAKE_FAILURE 40

struct rpc_tls_ctx {
    atomic_int refs;
    SSL_CTX *ssl;
    char *ca_list; /* for messages */
};

/* How one SSL_* call on a connection ended: its return value, the kind of
 * error (SSL_ERROR_*) and the errno of the system call behind it. */
typedef struct outcome {
    int ret;
    int kind;
    int sys;
} outcome_t;

typedef struct tls_conn {
    SSL *ssl;
    char *wbuf;          /* the record being written (WBUF_SIZE), NULL when idle */
    size_t wlen;         /* its length; 0: nothing being written */
    bool hs_wants_out;   /* the handshake waits for room to write */
    bool write_wants_in; /* SSL_write waits for input */
    bool read_wants_out; /* SSL_read waits for room to write */
    bool checked;        /* server: the peer's first bytes were checked to be TLS */
} tls_conn_t;

/* Charges what follows to the process instead of the translator the thread
 * runs for (a sender's brick, say): a connection's TLS state outlives any
 * translator. Returns what to give back to gf_this afterwards. */
static gf_xlator_t *charge_process(void)
{
    gf_xlator_t *saved = gf_this;
    gf_this = NULL;
    return saved;
}

/* ---- errors ---- */

/* Prepares for an SSL_* call whose outcome will be read with outcome_of. */
static void call_begin(void)
{
    ERR_clear_error();
    errno = 0;
}

/* The outcome of the SSL_* call on ssl that returned ret, read right after it
 * (before anything else may change errno). */
static outcome_t outcome_of(SSL *ssl, int ret)
{
    outcome_t o = {.ret = ret, .kind = SSL_ERROR_NONE, .sys = errno};
    if (ret <= 0)
        o.kind = SSL_get_error(ssl, ret);
    return o;
}

/* Whether the call must be retried once the descriptor is ready. */
static bool must_wait(outcome_t o)
{
    return o.kind == SSL_ERROR_WANT_READ || o.kind == SSL_ERROR_WANT_WRITE;
}

/* Copies OpenSSL's reason for its last error into buf; "" when none. */
static void ssl_reason(char *buf, size_t size)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    snprintf(buf, size, "%s", r ? r : "");
}

/* The OpenSSL reason code of the last error, 0 when none. */
static int ssl_reason_code(void)
{
    unsigned long e = ERR_peek_last_error();
    return e ? ERR_GET_REASON(e) : 0;
}

/* ---- contexts ---- */

/* Checks that path can be read, logging what to do when not. 0 or -errno. */
static int check_file(const char *what, const char *path, const char *key)
{
    if (access(path, R_OK) == 0)
        return 0;
    int err = -errno;
    gf_log(GF_LOG_ERROR, "TLS: cannot read the %s %s: %s (create it or set option %s)", what, path,
           strerror(-err), key);
    return err;
}

/* Loads the material of o into ssl. 0, or -errno having logged why. */
static int load_material(SSL_CTX *ssl, const rpc_tls_options_t *o)
{
    const char *cert = o->own_cert ? o->own_cert : RPC_TLS_DEFAULT_CERT;
    const char *key = o->private_key ? o->private_key : RPC_TLS_DEFAULT_KEY;
    const char *ca = o->ca_list ? o->ca_list : RPC_TLS_DEFAULT_CA;
    char why[160];
    int err = check_file("certificate", cert, "transport.socket.ssl-own-cert");
    err = err ? err : check_file("private key", key, "transport.socket.ssl-private-key");
    err = err ? err : check_file("CA list", ca, "transport.socket.ssl-ca-list");
    if (err)
        return err;
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ssl, cert) != 1) {
        ssl_reason(why, sizeof(why));
        gf_log(GF_LOG_ERROR, "TLS: %s is not a usable PEM certificate: %s", cert, why);
        return -EINVAL;
    }
    if (SSL_CTX_use_PrivateKey_file(ssl, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ssl) != 1) {
        ssl_reason(why, sizeof(why));
        gf_log(GF_LOG_ERROR, "TLS: %s is not the PEM private key of certificate %s: %s", key, cert,
               why);
        return -EINVAL;
    }
    if (SSL_CTX_load_verify_locations(ssl, ca, NULL) != 1) {
        ssl_reason(why, sizeof(why));
        gf_log(GF_LOG_ERROR, "TLS: %s is not a usable PEM CA list: %s", ca, why);
        return -EINVAL;
    }
    return 0;
}

/* Sets what every connection of ssl does: TLS 1.2 or later, no compression,
 * renegotiation or session resumption (each connection verifies the peer in
 * full), both sides verify the other against the CA list. 0 or -EINVAL. */
static int configure(SSL_CTX *ssl, const rpc_tls_options_t *o)
{
    const char *ciphers = o->cipher_list ? o->cipher_list : RPC_TLS_DEFAULT_CIPHERS;
    if (SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION) != 1)
        return -EINVAL;
    SSL_CTX_set_options(ssl, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ssl, 0);
    SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_set_cipher_list(ssl, ciphers) != 1) {
        gf_log(GF_LOG_ERROR,
               "TLS: no usable cipher in '%s' (option "
               "transport.socket.ssl-cipher-list; see `openssl ciphers`)",
               ciphers);
        return -EINVAL;
    }
    SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_verify_depth(ssl, (int)o->cert_depth);
    /* One certificate serves as client and as server (as GlusterFS does). */
    SSL_CTX_set_purpose(ssl, X509_PURPOSE_ANY);
    return 0;
}

int rpc_tls_ctx_from_options(const rpc_tls_options_t *o, rpc_tls_ctx_t **out)
{
    *out = NULL;
    if (!o->enabled)
        return 0;
    rpc_tls_ctx_t *ctx = gf_calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    atomic_init(&ctx->refs, 1);
    ctx->ca_list = gf_strdup(o->ca_list ? o->ca_list : RPC_TLS_DEFAULT_CA);
    ctx->ssl = SSL_CTX_new(TLS_method());
    int err = ctx->ssl && ctx->ca_list ? configure(ctx->ssl, o) : -ENOMEM;
    err = err ? err : load_material(ctx->ssl, o);
    if (err) {
        rpc_tls_ctx_unref(ctx);
        return err;
    }
    *out = ctx;
    return 0;
}

rpc_tls_ctx_t *rpc_tls_ctx_ref(rpc_tls_ctx_t *ctx)
{
    atomic_fetch_add_explicit(&ctx->refs, 1, memory_order_relaxed);
    return ctx;
}

void rpc_tls_ctx_unref(rpc_tls_ctx_t *ctx)
{
    if (!ctx || atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel) != 1)
        return;
    SSL_CTX_free(ctx->ssl);
    gf_free(ctx->ca_list);
    gf_free(ctx);
}

static pthread_mutex_t mgmt_lock = PTHREAD_MUTEX_INITIALIZER;
static rpc_tls_ctx_t *mgmt_ctx;

void rpc_tls_set_mgmt(rpc_tls_ctx_t *ctx)
{
    pthread_mutex_lock(&mgmt_lock);
    rpc_tls_ctx_t *old = mgmt_ctx;
    mgmt_ctx = ctx ? rpc_tls_ctx_ref(ctx) : NULL;
    pthread_mutex_unlock(&mgmt_lock);
    rpc_tls_ctx_unref(old);
}

rpc_tls_ctx_t *rpc_tls_mgmt(void)
{
    pthread_mutex_lock(&mgmt_lock);
    rpc_tls_ctx_t *ctx = mgmt_ctx ? rpc_tls_ctx_ref(mgmt_ctx) : NULL;
    pthread_mutex_unlock(&mgmt_lock);
    return ctx;
}

/* The certificate depth a secure-access file gives: the number after
 * "option transport.socket.ssl-cert-depth" on a line of its own, else 1. */
static int64_t secure_access_depth(FILE *f)
{
    static const char key[] = "option transport.socket.ssl-cert-depth";
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        char *end;
        if (strncmp(line, key, sizeof(key) - 1) != 0)
            continue;
        long depth = strtol(line + sizeof(key) - 1, &end, 10);
        if (end != line + sizeof(key) - 1 && depth > 0 && depth <= 100)
            return depth;
    }
    return 1;
}

int rpc_tls_mgmt_setup(const char *path, const rpc_tls_options_t *material)
{
    FILE *f = fopen(path, "r");
    if (!f && errno == ENOENT)
        return 0;
    if (!f) {
        int err = -errno;
        gf_log(GF_LOG_ERROR, "cannot read %s, which asks for TLS on the management path: %s", path,
               strerror(-err));
        return err;
    }
    rpc_tls_options_t o = {0};
    if (material)
        o = *material;
    o.enabled = true;
    o.cert_depth = secure_access_depth(f);
    fclose(f);
    rpc_tls_ctx_t *ctx;
    int err = rpc_tls_ctx_from_options(&o, &ctx);
    if (err) {
        gf_log(GF_LOG_ERROR,
               "TLS on the management path (%s exists) cannot be set up: see "
               "above",
               path);
        return err;
    }
    rpc_tls_set_mgmt(ctx);
    rpc_tls_ctx_unref(ctx);
    gf_log(GF_LOG_INFO, "management connections speak TLS (%s exists)", path);
    return 0;
}

/* ---- a BIO on the socket that never raises SIGPIPE ---- */

static int bio_fd(BIO *b)
{
    return (int)(intptr_t)BIO_get_data(b);
}

static int bio_write(BIO *b, const char *data, int len)
{
    ssize_t n = send(bio_fd(b), data, (size_t)len, MSG_NOSIGNAL);
    BIO_clear_retry_flags(b);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        BIO_set_retry_write(b);
    return (int)n;
}

static int bio_read(BIO *b, char *buf, int len)
{
    ssize_t n = recv(bio_fd(b), buf, (size_t)len, 0);
    BIO_clear_retry_flags(b);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        BIO_set_retry_read(b);
    return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static void bio_method_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "gf-socket");
    if (m && BIO_meth_set_write(m, bio_write) && BIO_meth_set_read(m, bio_read) &&
        BIO_meth_set_ctrl(m, bio_ctrl))
        bio_method = m;
    else
        BIO_meth_free(m);
}

/* A BIO reading and writing fd. NULL on ENOMEM. */
static BIO *bio_new(int fd)
{
    pthread_once(&bio_once, bio_method_init);
    BIO *b = bio_method ? BIO_new(bio_method) : NULL;
    if (b) {
        BIO_set_data(b, (void *)(intptr_t)fd);
        BIO_set_init(b, 1);
    }
    return b;
}

/* ---- connections ---- */

/* Creates s's SSL object on its descriptor, server or client side as s is.
 * Lock held. NULL on ENOMEM. */
static tls_conn_t *conn_new(sock_t *s)
{
    gf_xlator_t *saved = charge_process();
    tls_conn_t *c = gf_calloc(1, sizeof(*c));
    gf_this = saved;
    BIO *b = c ? bio_new(s->fd) : NULL;
    if (b)
        c->ssl = SSL_new(s->base.tls->ssl);
    if (!c || !b || !c->ssl) {
        BIO_free(b);
        gf_free(c);
        return NULL;
    }
    SSL_set_bio(c->ssl, b, b);
    if (s->accepted)
        SSL_set_accept_state(c->ssl);
    else
        SSL_set_connect_state(c->ssl);
    s->layer = c;
    return c;
}

/* Reports a failed handshake: logged on the server side, recorded for the
 * owner on the client side (which logs it once per outage). */
static void report(sock_t *s, const char *why)
{
    if (s->accepted)
        gf_log(GF_LOG_ERROR, "TLS handshake failed with %s: %s", s->base.peer, why);
    else
        rpc_transport_set_error(&s->base, "TLS handshake failed: %s", why);
}

/* Answers a peer that is not speaking TLS: reads what it sent (so that
 * closing does not reset the connection before the answer arrives), then
 * sends a fatal TLS alert record, which a plain RPC endpoint recognises. */
static void refuse_plain(sock_t *s)
{
    static const uint8_t alert[] = {21, 3, 3, 0, 2, ALERT_FATAL, ALERT_HANDSHAKE_FAILURE};
    char buf[4096];
    size_t total = 0;
    ssize_t n;
    while (total < DRAIN_MAX && (n = recv(s->fd, buf, sizeof(buf), 0)) > 0)
        total += (size_t)n;
    n = send(s->fd, alert, sizeof(alert), MSG_NOSIGNAL);
    (void)n; /* best effort: the connection is refused either way */
    shutdown(s->fd, SHUT_WR);
}

/* Server side, before the handshake: peeks at the peer's first byte, which
 * starts a TLS handshake record unless the peer speaks something else (a
 * plain RPC record marker has its top bit set). 0 (TLS), -EAGAIN, or -errno
 * after refusing the peer. */
static int check_first_byte(sock_t *s)
{
    uint8_t b;
    ssize_t n = recv(s->fd, &b, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return -EAGAIN;
    if (n <= 0) {
        gf_log(GF_LOG_DEBUG, "%s closed the connection before a TLS handshake", s->base.peer);
        return n < 0 ? -errno : -ECONNABORTED;
    }
    if (b == TLS_HANDSHAKE_BYTE)
        return 0;
    report(s, b & 0x80 ? "the peer speaks plain RPC, not TLS (client.ssl is off on the client?)"
                       : "the peer sent bytes that are neither TLS nor RPC");
    refuse_plain(s);
    return -EPROTO;
}

/* Whether OpenSSL's last error is an alert the peer sent about our
 * certificate. */
static bool peer_refused_our_cert(void)
{
    int r = ssl_reason_code() - SSL_AD_REASON_OFFSET;
    return r == SSL_AD_UNKNOWN_CA || r == SSL_AD_BAD_CERTIFICATE ||
           r == SSL_AD_CERTIFICATE_EXPIRED || r == SSL_AD_CERTIFICATE_REVOKED ||
           r == SSL_AD_CERTIFICATE_UNKNOWN || r == SSL_AD_UNSUPPORTED_CERTIFICATE ||
           r == SSL_AD_CERTIFICATE_REQUIRED;
}

/* Explains the failed handshake step o in why. */
static void explain(sock_t *s, tls_conn_t *c, outcome_t o, char *why, size_t size)
{
    int e = o.kind;
    long verify = SSL_get_verify_result(c->ssl);
    bool silent = BIO_number_read(SSL_get_rbio(c->ssl)) == 0;
    char reason[160];
    ssl_reason(reason, sizeof(reason));
    if (verify != X509_V_OK)
        snprintf(why, size, "the peer's certificate is refused: %s (is it signed by a CA in %s?)",
                 X509_verify_cert_error_string(verify), s->base.tls->ca_list);
    else if (peer_refused_our_cert())
        snprintf(why, size,
                 "the peer refused our certificate (%s): is it signed by a CA the "
                 "peer trusts (its transport.socket.ssl-ca-list)?",
                 reason);
    else if (silent && !s->accepted &&
             (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SSL))
        snprintf(why, size,
                 "the peer closed the connection without answering the TLS hello: it "
                 "speaks plain RPC, not TLS (server.ssl is off on the server?)");
    else if (e == SSL_ERROR_SYSCALL && o.ret < 0 && o.sys)
        snprintf(why, size, "%s", strerror(o.sys));
    else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN || !*reason)
        snprintf(why, size, "the peer closed the connection during the handshake");
    else
        snprintf(why, size, "%s", reason);
}

/* The common name of a certificate's subject, as UTF-8 ("" when it has none).
 * NULL on ENOMEM. */
static char *subject_cn(X509 *cert)
{
    X509_NAME *name = X509_get_subject_name(cert);
    int i = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
    unsigned char *utf8 = NULL;
    if (i < 0 ||
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))) < 0)
        return gf_strdup("");
    char *cn = gf_strdup((char *)utf8);
    OPENSSL_free(utf8);
    return cn;
}

/* The handshake completed (the peer's certificate verified by OpenSSL):
 * records the peer's common name. 0 or -errno. */
static int handshake_done(sock_t *s, tls_conn_t *c)
{
    X509 *peer = SSL_get1_peer_certificate(c->ssl);
    if (!peer || SSL_get_verify_result(c->ssl) != X509_V_OK) {
        X509_free(peer);
        report(s, "the peer presented no valid certificate");
        return -EPROTO;
    }
    gf_xlator_t *saved = charge_process();
    char *cn = subject_cn(peer);
    gf_this = saved;
    X509_free(peer);
    if (!cn)
        return -ENOMEM;
    s->base.peer_cn = cn;
    gf_log(GF_LOG_DEBUG, "TLS with %s: %s, %s, peer CN '%s'", s->base.peer, SSL_get_version(c->ssl),
           SSL_get_cipher_name(c->ssl), cn);
    return 0;
}

static int tls_handshake(sock_t *s)
{
    tls_conn_t *c = s->layer ? s->layer : conn_new(s);
    if (!c)
        return -ENOMEM;
    if (s->accepted && !c->checked) {
        int err = check_first_byte(s);
        if (err)
            return err;
        c->checked = true;
    }
    call_begin();
    outcome_t o = outcome_of(c->ssl, SSL_do_handshake(c->ssl));
    if (o.ret == 1)
        return handshake_done(s, c);
    c->hs_wants_out = o.kind == SSL_ERROR_WANT_WRITE;
    if (must_wait(o))
        return -EAGAIN;
    char why[400];
    explain(s, c, o, why, sizeof(why));
    report(s, why);
    return -EPROTO;
}

/* A read or write on an established connection failed as o says: 0 for the
 * peer's end (with or without its close_notify), else -errno with the reason
 * recorded (and logged on the server side). */
static int io_failed(sock_t *s, outcome_t o)
{
    if (o.kind == SSL_ERROR_ZERO_RETURN || (o.kind == SSL_ERROR_SYSCALL && !o.sys))
        return 0;
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    if (o.kind == SSL_ERROR_SSL && ssl_reason_code() == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return 0;
#endif
    if (o.kind == SSL_ERROR_SYSCALL)
        return -o.sys;
    char reason[160], why[300];
    ssl_reason(reason, sizeof(reason));
    if (peer_refused_our_cert())
        snprintf(why, sizeof(why),
                 "the peer refused our certificate (%s): is it signed by a CA "
                 "the peer trusts (its transport.socket.ssl-ca-list)?",
                 reason);
    else
        snprintf(why, sizeof(why), "TLS error: %s", *reason ? reason : "unknown");
    rpc_transport_set_error(&s->base, "%s", why);
    if (s->accepted)
        gf_log(GF_LOG_ERROR, "closing TLS connection from %s: %s", s->base.peer, why);
    return -EPROTO;
}

static ssize_t tls_read(sock_t *s, char *buf, size_t len, bool *drained)
{
    pthread_mutex_lock(&s->lock);
    tls_conn_t *c = s->layer;
    call_begin();
    outcome_t o = outcome_of(c->ssl, SSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len));
    c->read_wants_out = o.kind == SSL_ERROR_WANT_WRITE;
    ssize_t n = o.ret > 0 ? o.ret : must_wait(o) ? -EAGAIN : io_failed(s, o);
    pthread_mutex_unlock(&s->lock);
    *drained = false; /* a record at a time: go on until told to wait */
    return n;
}

static int tls_flush(sock_t *s)
{
    tls_conn_t *c = s->layer;
    c->write_wants_in = false;
    for (;;) {
        if (!c->wlen) {
            if (!s->head) {
                gf_free(c->wbuf);
                c->wbuf = NULL;
                return 0;
            }
            if (!c->wbuf) {
                gf_xlator_t *saved = charge_process();
                c->wbuf = gf_malloc(WBUF_SIZE);
                gf_this = saved;
            }
            if (!c->wbuf)
                return -ENOMEM;
            c->wlen = sock_take(s, c->wbuf, WBUF_SIZE);
        }
        call_begin();
        outcome_t o = outcome_of(c->ssl, SSL_write(c->ssl, c->wbuf, (int)c->wlen));
        if (o.ret > 0) {
            c->wlen = 0; /* without partial writes, all of it */
            continue;
        }
        c->write_wants_in = o.kind == SSL_ERROR_WANT_READ;
        if (must_wait(o))
            return 0;
        int err = io_failed(s, o);
        return err ? err : -EPIPE;
    }
}

static bool tls_want_out(sock_t *s)
{
    tls_conn_t *c = s->layer;
    if (!c)
        return false;
    if (s->state == SK_HANDSHAKE)
        return c->hs_wants_out;
    bool writing = (c->wlen || s->head) && !c->write_wants_in;
    return writing || c->read_wants_out;
}

static bool tls_buffered(sock_t *s)
{
    pthread_mutex_lock(&s->lock);
    tls_conn_t *c = s->layer;
    bool pending = c && SSL_has_pending(c->ssl);
    pthread_mutex_unlock(&s->lock);
    return pending;
}

/* Sends close_notify when the connection was established (best effort, it
 * never waits). */
static void tls_close(sock_t *s)
{
    tls_conn_t *c = s->layer;
    if (c && s->state == SK_CONNECTED && !s->err) {
        call_begin();
        SSL_shutdown(c->ssl);
    }
}

static void tls_fini(sock_t *s)
{
    tls_conn_t *c = s->layer;
    if (!c)
        return;
    SSL_free(c->ssl);
    gf_free(c->wbuf);
    gf_free(c);
    s->layer = NULL;
}

static const sock_io_t tls_io = {
    .handshake = tls_handshake,
    .read = tls_read,
    .flush = tls_flush,
    .want_out = tls_want_out,
    .buffered = tls_buffered,
    .close = tls_close,
    .fini = tls_fini,
};

static rpc_transport_t *tls_create(gf_event_pool_t *pool)
{
    sock_t *s = sock_new(pool, &rpc_tls_ops, &tls_io);
    return s ? &s->base : NULL;
}

const rpc_transport_ops_t rpc_tls_ops = {
    .name = "tls",
    .create = tls_create,
    .listen = sock_listen,
    .connect = sock_connect,
    .start = sock_start,
    .send = sock_send,
    .close = sock_close,
    .destroy = sock_destroy,
};
