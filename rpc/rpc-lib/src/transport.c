/*
 * The kind-independent half of transports (see transport.h): address parsing,
 * choice of the transport kind (plain or TLS), reference counting, and the
 * framing of outgoing records into rpc_wmsg_t before a kind writes them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"
#include "record.h"
#include "socket.h"
#include "tls.h"
#include "transport.h"

void rpc_wmsg_free(rpc_wmsg_t *msg)
{
    gf_free(msg->own);
    gf_buf_unref(msg->keep);
    gf_free(msg);
}

void rpc_transport_init(rpc_transport_t *t, const rpc_transport_ops_t *ops, gf_event_pool_t *pool)
{
    t->ops = ops;
    t->pool = pool;
    atomic_init(&t->refs, 1);
}

void rpc_transport_fini(rpc_transport_t *t)
{
    rpc_tls_ctx_unref(t->tls);
    gf_free(t->peer_cn);
    gf_free(t->error);
    t->tls = NULL;
    t->peer_cn = t->error = NULL;
}

void rpc_transport_set_error(rpc_transport_t *t, const char *fmt, ...)
{
    char *text = NULL;
    gf_xlator_t *saved = gf_this; /* the transport's memory is the process's */
    va_list ap;
    gf_this = NULL;
    va_start(ap, fmt);
    if (gf_vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    gf_this = saved;
    gf_free(t->error);
    t->error = text;
}

static int parse_unix(const char *path, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_un *sun = (struct sockaddr_un *)ss;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(sun->sun_path))
        return -EINVAL;
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path, n + 1);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return 0;
}

/* Parses PORT: decimal digits, at most 65535. -1 when malformed. */
static int parse_port(const char *s)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long port = strtoul(s, &end, 10);
    return *end || port > 65535 ? -1 : (int)port;
}

/* Resolves host (any address when empty or "*") into ss with the given port. */
static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    if (!*host || strcmp(host, "*") == 0) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        memset(sin, 0, sizeof(*sin));
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_ANY);
        sin->sin_port = htons((uint16_t)port);
        *len = sizeof(*sin);
        return 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return -EHOSTUNREACH;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    return 0;
}

static int parse_tcp(const char *hostport, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof(host))
        return -EINVAL;
    int port = parse_port(colon + 1);
    if (port < 0)
        return -EINVAL;
    size_t n = (size_t)(colon - hostport);
    memcpy(host, hostport, n);
    host[n] = '\0';
    if (host[0] == '[') {
        if (n < 2 || host[n - 1] != ']')
            return -EINVAL;
        host[n - 1] = '\0';
        return resolve(host + 1, port, ss, len);
    }
    return resolve(host, port, ss, len);
}

int rpc_addr_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
    if (strncmp(spec, "unix:", 5) == 0)
        return parse_unix(spec + 5, ss, len);
    if (strncmp(spec, "tcp:", 4) == 0)
        return parse_tcp(spec + 4, ss, len);
    return -EINVAL;
}

void rpc_addr_name(const struct sockaddr *sa, char *buf, size_t size)
{
    char addr[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
        snprintf(buf, size, "%s:%u", addr, ntohs(sin->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
        snprintf(buf, size, "[%s]:%u", addr, ntohs(sin6->sin6_port));
    } else {
        snprintf(buf, size, "unix");
    }
}

/* Creates a transport of the kind tls asks for (TLS with a context, plain
 * without) and resolves spec. 0 or -errno. */
static int prepare(gf_event_pool_t *pool, const char *spec, rpc_tls_ctx_t *tls,
                   const rpc_transport_cbs_t *cbs, void *data, struct sockaddr_storage *ss,
                   socklen_t *len, rpc_transport_t **out)
{
    const rpc_transport_ops_t *ops = tls ? &rpc_tls_ops : &rpc_socket_ops;
    int err = rpc_addr_parse(spec, ss, len);
    if (err)
        return err;
    rpc_transport_t *t = ops->create(pool);
    if (!t)
        return -ENOMEM;
    t->tls = tls ? rpc_tls_ctx_ref(tls) : NULL;
    t->cbs = *cbs;
    t->data = data;
    rpc_addr_name((struct sockaddr *)ss, t->peer, sizeof(t->peer));
    *out = t;
    return 0;
}

int rpc_transport_listen(gf_event_pool_t *pool, const char *spec, rpc_tls_ctx_t *tls,
                         const rpc_transport_cbs_t *cbs, void *data, rpc_transport_t **out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    rpc_transport_t *t;
    int err = prepare(pool, spec, tls, cbs, data, &ss, &len, &t);
    if (err)
        return err;
    err = t->ops->listen(t, (struct sockaddr *)&ss, len);
    if (err) {
        rpc_transport_unref(t);
        return err;
    }
    *out = t;
    return 0;
}

int rpc_transport_connect(gf_event_pool_t *pool, const char *spec, rpc_tls_ctx_t *tls,
                          const rpc_transport_cbs_t *cbs, void *data, rpc_transport_t **out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    rpc_transport_t *t;
    int err = prepare(pool, spec, tls, cbs, data, &ss, &len, &t);
    if (err)
        return err;
    err = t->ops->connect(t, (struct sockaddr *)&ss, len);
    if (err) {
        rpc_transport_unref(t);
        return err;
    }
    *out = t;
    return 0;
}

int rpc_transport_start(rpc_transport_t *t, const rpc_transport_cbs_t *cbs, void *data)
{
    t->cbs = *cbs;
    t->data = data;
    return t->ops->start(t);
}

/* Builds the queued form of a record: marker, header, payload (copied behind
 * the header when keep is NULL). Takes hdr in every case. */
static rpc_wmsg_t *frame(char *hdr, size_t hdr_len, const struct iovec *payload, int count,
                         gf_buf_t *keep, int *err)
{
    size_t plen = 0;
    for (int i = 0; i < count; i++)
        plen += payload[i].iov_len;
    *err = -EMSGSIZE;
    if (hdr_len + plen > RPC_RECORD_FRAG_MAX || hdr_len + plen < hdr_len)
        goto fail;
    *err = -ENOMEM;
    if (!keep && plen) {
        char *grown = gf_realloc(hdr, hdr_len + plen);
        if (!grown)
            goto fail;
        hdr = grown;
        for (int i = 0; i < count; i++) {
            memcpy(hdr + hdr_len, payload[i].iov_base, payload[i].iov_len);
            hdr_len += payload[i].iov_len;
        }
        count = 0;
    }
    rpc_wmsg_t *msg = gf_malloc(sizeof(*msg) + (size_t)(count + 2) * sizeof(struct iovec));
    if (!msg)
        goto fail;
    *msg = (rpc_wmsg_t){.own = hdr, .keep = gf_buf_ref(keep),
                        .marker = rpc_record_marker(hdr_len + (keep ? plen : 0))};
    msg->iov[0] = (struct iovec){&msg->marker, sizeof(msg->marker)};
    msg->iov[1] = (struct iovec){hdr, hdr_len};
    msg->count = hdr_len ? 2 : 1;
    for (int i = 0; i < count; i++)
        if (payload[i].iov_len)
            msg->iov[msg->count++] = payload[i];
    *err = 0;
    return msg;
fail:
    gf_free(hdr);
    return NULL;
}

int rpc_transport_send(rpc_transport_t *t, char *hdr, size_t hdr_len, const struct iovec *payload,
                       int count, gf_buf_t *keep)
{
    int err;
    rpc_wmsg_t *msg = frame(hdr, hdr_len, payload, count, keep, &err);
    return msg ? t->ops->send(t, msg) : err;
}

void rpc_transport_close(rpc_transport_t *t)
{
    t->ops->close(t);
}

rpc_transport_t *rpc_transport_ref(rpc_transport_t *t)
{
    atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    return t;
}

void rpc_transport_unref(rpc_transport_t *t)
{
    if (t && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
        t->ops->destroy(t);
}

const char *rpc_transport_peer(const rpc_transport_t *t)
{
    return t->peer;
}

int rpc_transport_port(const rpc_transport_t *t)
{
    return t->port;
}

const char *rpc_transport_peer_cn(const rpc_transport_t *t)
{
    return t->peer_cn;
}

const char *rpc_transport_error(const rpc_transport_t *t)
{
    return t->error;
}

static __thread rpc_gate_frame_t *gate_top; /* this thread's innermost gate entry */

void rpc_gate_init(rpc_gate_t *g)
{
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->idle, NULL);
    g->active = 0;
    g->closed = false;
}

void rpc_gate_fini(rpc_gate_t *g)
{
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->idle);
}

bool rpc_gate_enter(rpc_gate_t *g, rpc_gate_frame_t *frame)
{
    pthread_mutex_lock(&g->lock);
    bool open = !g->closed;
    if (open)
        g->active++;
    pthread_mutex_unlock(&g->lock);
    if (open) {
        *frame = (rpc_gate_frame_t){.gate = g, .prev = gate_top};
        gate_top = frame;
    }
    return open;
}

void rpc_gate_leave(rpc_gate_t *g, rpc_gate_frame_t *frame)
{
    gate_top = frame->prev;
    pthread_mutex_lock(&g->lock);
    if (--g->active == 0 || g->closed)
        pthread_cond_broadcast(&g->idle);
    pthread_mutex_unlock(&g->lock);
}

void rpc_gate_close(rpc_gate_t *g)
{
    int mine = 0;
    for (rpc_gate_frame_t *f = gate_top; f; f = f->prev)
        mine += f->gate == g;
    pthread_mutex_lock(&g->lock);
    g->closed = true;
    while (g->active > mine)
        pthread_cond_wait(&g->idle, &g->lock);
    pthread_mutex_unlock(&g->lock);
}
