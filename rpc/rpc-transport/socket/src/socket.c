/*
 * The stream transports' shared machinery (see socket.h and transport.h):
 * non-blocking TCP and unix stream sockets on the event pool, with the plain
 * byte layer; tls.c adds the TLS one.
 *
 * Reading happens on the socket's event callback, into the record decoder
 * (straight into the record's buffer for large fragments). Writing happens on
 * whichever thread sends: records are appended to a queue and written at once
 * when the queue was empty; what the descriptor does not take waits for
 * GF_EV_OUT, which is watched only while the byte layer wants it.
 *
 * A kind with a handshake (TLS) goes through SK_HANDSHAKE after connecting or
 * being started: records queued meanwhile wait, nothing is read, and
 * `connected` comes only when the handshake is done.
 *
 * Each socket has one mutex guarding its state, descriptor, queue and byte
 * layer. It is never held while an owner's callback runs, nor across
 * gf_event_del.
 *
 * Closing. The teardown (unregister, close the descriptor, drop the queue,
 * call `disconnected`, drop the registration's reference) runs exactly once,
 * on an event thread: in the socket's own callback when it sees an error or a
 * close request, or else in a task posted by rpc_transport_close. Listeners
 * are the exception: they have no `disconnected`, so they are torn down
 * synchronously and their port is free when rpc_transport_close returns.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "socket.h"
#include "tls.h"

#define READ_CHUNK 65536   /* scratch read size; larger fragments are read in place */
#define READS_PER_EVENT 16 /* reads before the event thread serves others */
#define ACCEPTS_PER_EVENT 64
#define WRITE_IOVS 64 /* iovecs gathered per sendmsg */
#define LISTEN_BACKLOG 1024
#define STOP_READING 1 /* returned by deliver when the socket is closing */

static __thread sock_t *cb_sock; /* the socket whose callback this thread runs */

static void sock_event(int fd, uint32_t events, void *data);
static const sock_io_t plain_io;

sock_t *sock_new(gf_event_pool_t *pool, const rpc_transport_ops_t *ops, const sock_io_t *io)
{
    sock_t *s = gf_calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    rpc_transport_init(&s->base, ops, pool);
    pthread_mutex_init(&s->lock, NULL);
    s->io = io;
    s->fd = -1;
    rpc_record_dec_init(&s->dec, 0);
    return s;
}

static rpc_transport_t *plain_create(gf_event_pool_t *pool)
{
    sock_t *s = sock_new(pool, &rpc_socket_ops, &plain_io);
    return s ? &s->base : NULL;
}

static void drop_queue(sock_t *s)
{
    while (s->head) {
        rpc_wmsg_t *msg = s->head;
        s->head = msg->next;
        rpc_wmsg_free(msg);
    }
    s->tail = NULL;
}

void sock_destroy(rpc_transport_t *t)
{
    sock_t *s = (sock_t *)t;
    if (s->io->fini)
        s->io->fini(s);
    if (s->fd >= 0)
        close(s->fd);
    drop_queue(s);
    rpc_record_dec_fini(&s->dec);
    gf_free(s->unix_path);
    pthread_mutex_destroy(&s->lock);
    rpc_transport_fini(&s->base);
    gf_free(s);
}

static bool is_closing(sock_t *s)
{
    pthread_mutex_lock(&s->lock);
    bool closing = s->closing;
    pthread_mutex_unlock(&s->lock);
    return closing;
}

/* Removes a listener's socket file unless another socket has replaced it. */
static void remove_unix_file(sock_t *s)
{
    struct stat st;
    if (s->unix_path && lstat(s->unix_path, &st) == 0 && st.st_dev == s->unix_dev &&
        st.st_ino == s->unix_ino)
        unlink(s->unix_path);
}

/* The one teardown of s (see the top of this file). Callable from any thread
 * holding no lock a callback of s could wait for. */
static void teardown(sock_t *s)
{
    pthread_mutex_lock(&s->lock);
    if (s->torn) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    s->torn = s->closing = true;
    gf_event_handle_t *h = s->h;
    s->h = NULL;
    pthread_mutex_unlock(&s->lock);
    if (h)
        gf_event_del(h);
    pthread_mutex_lock(&s->lock);
    if (s->fd >= 0 && s->io->close)
        s->io->close(s);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    drop_queue(s);
    pthread_mutex_unlock(&s->lock);
    remove_unix_file(s);
    rpc_record_dec_fini(&s->dec);
    if (s->started && s->state != SK_LISTENING && s->base.cbs.disconnected)
        s->base.cbs.disconnected(&s->base, s->err, s->base.data);
    if (s->started)
        rpc_transport_unref(&s->base);
}

static void close_task(void *data)
{
    sock_t *s = data;
    teardown(s);
    rpc_transport_unref(&s->base);
}

/* Marks s closing for reason err (0 or -errno) and arranges its teardown: by
 * its own callback when called from it, at once for a listener or a socket
 * never registered, else in a posted task. Idempotent. */
static void request_close(sock_t *s, int err)
{
    pthread_mutex_lock(&s->lock);
    if (s->closing) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    s->closing = true;
    s->err = err;
    bool now = !s->started || s->state == SK_LISTENING;
    pthread_mutex_unlock(&s->lock);
    if (cb_sock == s)
        return;
    if (now) {
        teardown(s);
        return;
    }
    rpc_transport_ref(&s->base);
    if (gf_event_post(s->base.pool, close_task, s) < 0)
        close_task(s); /* the pool is stopping: no event thread will run it */
}

void sock_close(rpc_transport_t *t)
{
    request_close((sock_t *)t, 0);
}

/* Registers s's descriptor for events in state state; the registration holds
 * a reference. The lock is held across gf_event_add so that a callback firing
 * at once finds s->h set. 0 or -errno. */
static int arm(sock_t *s, sk_state_t state, uint32_t events)
{
    rpc_transport_ref(&s->base);
    pthread_mutex_lock(&s->lock);
    s->state = state;
    s->started = true;
    int err = gf_event_add(s->base.pool, s->fd, events, sock_event, s, &s->h);
    if (err)
        s->started = false;
    pthread_mutex_unlock(&s->lock);
    if (err)
        rpc_transport_unref(&s->base);
    return err;
}

static void set_conn_opts(int fd, int family)
{
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
    if (family == AF_INET || family == AF_INET6)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* Drops n written bytes from the front of the queue, freeing finished records.
 * Lock held. */
static void consume(sock_t *s, size_t n)
{
    while (n > 0) {
        rpc_wmsg_t *msg = s->head;
        struct iovec *v = &msg->iov[msg->idx];
        if (n < v->iov_len) {
            v->iov_base = (char *)v->iov_base + n;
            v->iov_len -= n;
            return;
        }
        n -= v->iov_len;
        if (++msg->idx == msg->count) {
            s->head = msg->next;
            if (!s->head)
                s->tail = NULL;
            rpc_wmsg_free(msg);
        }
    }
}

size_t sock_take(sock_t *s, char *dst, size_t max)
{
    size_t n = 0;
    for (rpc_wmsg_t *m = s->head; m && n < max; m = m->next) {
        for (int i = m->idx; i < m->count && n < max; i++) {
            size_t part = m->iov[i].iov_len < max - n ? m->iov[i].iov_len : max - n;
            memcpy(dst + n, m->iov[i].iov_base, part);
            n += part;
        }
    }
    consume(s, n);
    return n;
}

/* The plain layer's flush: gathers queued records into sendmsg until the
 * queue is empty or the socket is full. 0 or -errno. */
static int plain_flush(sock_t *s)
{
    while (s->head) {
        struct iovec iov[WRITE_IOVS];
        int n = 0;
        for (rpc_wmsg_t *m = s->head; m && n < WRITE_IOVS; m = m->next)
            for (int i = m->idx; i < m->count && n < WRITE_IOVS; i++)
                iov[n++] = m->iov[i];
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == EAGAIN ? 0 : -errno;
        consume(s, (size_t)w);
    }
    return 0;
}

static bool plain_want_out(sock_t *s)
{
    return s->head != NULL;
}

static ssize_t plain_read(sock_t *s, char *buf, size_t len, bool *drained)
{
    ssize_t n;
    do
        n = read(s->fd, buf, len);
    while (n < 0 && errno == EINTR);
    *drained = n >= 0 && (size_t)n < len;
    return n < 0 ? -errno : n;
}

static const sock_io_t plain_io = {
    .read = plain_read,
    .flush = plain_flush,
    .want_out = plain_want_out,
};

/* Watches GF_EV_OUT exactly while the byte layer wants it. Lock held. */
static void update_out(sock_t *s)
{
    bool want = s->io->want_out(s);
    if (want == s->out_armed || !s->h)
        return;
    s->out_armed = want;
    gf_event_mod(s->h, GF_EV_IN | (want ? GF_EV_OUT : 0));
}

/* Writes what it can now and adjusts the events watched. Lock held. 0 or
 * -errno (the connection is lost). */
static int flush_locked(sock_t *s)
{
    int err = s->state == SK_CONNECTED ? s->io->flush(s) : 0;
    if (!err)
        update_out(s);
    return err;
}

/* flush_locked from the event callback; closes s on a write error. */
static void flush_now(sock_t *s)
{
    pthread_mutex_lock(&s->lock);
    int err = s->closing ? 0 : flush_locked(s);
    pthread_mutex_unlock(&s->lock);
    if (err)
        request_close(s, err);
}

int sock_send(rpc_transport_t *t, rpc_wmsg_t *msg)
{
    sock_t *s = (sock_t *)t;
    pthread_mutex_lock(&s->lock);
    bool open = s->state == SK_CONNECTED || s->state == SK_HANDSHAKE;
    if (!open || !s->started || s->closing) {
        pthread_mutex_unlock(&s->lock);
        rpc_wmsg_free(msg);
        return -ENOTCONN;
    }
    msg->next = NULL;
    if (s->tail)
        s->tail->next = msg;
    else
        s->head = msg;
    s->tail = msg;
    int err = s->head == msg ? flush_locked(s) : 0;
    pthread_mutex_unlock(&s->lock);
    if (err)
        request_close(s, err);
    return 0;
}

/* Decoder callback: hands a record to the owner. */
static int deliver(gf_buf_t *rec, void *arg)
{
    sock_t *s = arg;
    s->delivered = true;
    s->base.cbs.record(&s->base, rec, s->base.data);
    return is_closing(s) ? STOP_READING : 0;
}

/* Whether the first marker of a plain stream is in fact the header of a TLS
 * record (content type 20 to 23, protocol major version 3): the peer speaks
 * TLS to a plain endpoint. */
static bool looks_like_tls(const sock_t *s)
{
    const uint8_t *m = s->dec.marker;
    return !s->delivered && m[0] >= 20 && m[0] <= 23 && m[1] == 3 && m[2] <= 4;
}

/* Logs why a byte stream is rejected (one line, naming the peer) and closes. */
static void reject_stream(sock_t *s, int err)
{
    const char *why = err == -EMSGSIZE ? "a record exceeds the size limit"
                      : err == -EBADMSG ? "malformed record marking"
                                        : "no memory for a record";
    if (err == -EMSGSIZE && s->io == &plain_io && looks_like_tls(s)) {
        const char *hint = s->accepted ? "server.ssl is off here while client.ssl is on at "
                                         "the client?"
                                       : "client.ssl is off here while server.ssl is on at "
                                         "the server?";
        rpc_transport_set_error(&s->base, "the peer speaks TLS, not plain RPC (%s)", hint);
        if (s->accepted) /* the owner of an outgoing connection logs its error */
            gf_log(GF_LOG_ERROR, "closing connection from %s: the peer speaks TLS, not plain "
                                 "RPC (%s)", s->base.peer, hint);
        request_close(s, -EPROTO);
        return;
    }
    gf_log(GF_LOG_ERROR, "closing connection from %s: %s (limit %zu bytes)", s->base.peer, why,
           s->dec.max);
    request_close(s, err);
}

/* Reads what is available (a bounded amount, unless the byte layer holds
 * bytes no event would announce) and delivers complete records. */
static void read_some(sock_t *s)
{
    char scratch[READ_CHUNK];
    for (int i = 0; !is_closing(s); i++) {
        if (i >= READS_PER_EVENT && !(s->io->buffered && s->io->buffered(s)))
            return;
        size_t want = sizeof(scratch);
        char *direct = rpc_record_direct(&s->dec, READ_CHUNK, &want);
        bool drained;
        ssize_t n = s->io->read(s, direct ? direct : scratch, want, &drained);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            request_close(s, (int)n);
            return;
        }
        int err = direct ? rpc_record_advance(&s->dec, (size_t)n, deliver, s)
                         : rpc_record_feed(&s->dec, scratch, (size_t)n, deliver, s);
        if (err < 0)
            reject_stream(s, err);
        if (err || drained)
            return;
    }
}

/* Serves the events of a connected socket. A kind with a handshake (TLS)
 * reads and then writes on every event, since a read may wait for room to
 * write and a write for input; flushing last also sets the events watched
 * from what both left waiting. */
static void on_io(sock_t *s, uint32_t events)
{
    if (s->io->handshake) {
        read_some(s);
        flush_now(s);
        return;
    }
    if (events & GF_EV_OUT)
        flush_now(s);
    if (events & (GF_EV_IN | GF_EV_ERR))
        read_some(s);
}

/* Advances the handshake; when it completes, flushes what was queued, tells
 * the owner (`connected`, on both sides), and reads what already arrived. */
static void on_handshake(sock_t *s)
{
    pthread_mutex_lock(&s->lock);
    int err = s->closing ? 0 : s->io->handshake(s);
    if (!err && !s->closing) {
        s->state = SK_CONNECTED;
        err = flush_locked(s);
    } else if (err == -EAGAIN) {
        update_out(s);
    }
    bool done = !err && !s->closing;
    pthread_mutex_unlock(&s->lock);
    if (err && err != -EAGAIN)
        request_close(s, err);
    if (!done)
        return;
    if (s->base.cbs.connected)
        s->base.cbs.connected(&s->base, s->base.data);
    read_some(s);
}

/* A non-blocking connect finished: success or failure. */
static void on_connect(sock_t *s, uint32_t events)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
    if (!soerr && (events & GF_EV_ERR))
        soerr = ECONNREFUSED;
    if (soerr) {
        request_close(s, -soerr);
        return;
    }
    bool shake = s->io->handshake != NULL;
    pthread_mutex_lock(&s->lock);
    s->state = shake ? SK_HANDSHAKE : SK_CONNECTED; /* nothing is queued: sends needed it */
    if (s->h)
        gf_event_mod(s->h, GF_EV_IN);
    s->out_armed = false;
    pthread_mutex_unlock(&s->lock);
    if (shake)
        on_handshake(s);
    else if (s->base.cbs.connected)
        s->base.cbs.connected(&s->base, s->base.data);
}

/* Wraps an accepted descriptor in a transport of the listener's kind (and TLS
 * context) and hands it to the owner. */
static void adopt(sock_t *listener, int fd, const struct sockaddr_storage *ss)
{
    rpc_transport_t *t = listener->base.ops->create(listener->base.pool);
    if (!t) {
        gf_log(GF_LOG_ERROR, "no memory to accept a connection on %s", listener->base.peer);
        close(fd);
        return;
    }
    sock_t *c = (sock_t *)t;
    t->tls = listener->base.tls ? rpc_tls_ctx_ref(listener->base.tls) : NULL;
    c->fd = fd;
    c->accepted = true;
    c->state = c->io->handshake ? SK_HANDSHAKE : SK_CONNECTED;
    set_conn_opts(fd, ss->ss_family);
    rpc_addr_name((const struct sockaddr *)ss, t->peer, sizeof(t->peer));
    listener->base.cbs.accepted(&listener->base, t, listener->base.data);
}

static void on_accept(sock_t *s)
{
    for (int i = 0; i < ACCEPTS_PER_EVENT && !is_closing(s); i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(s->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
            continue;
        if (fd < 0 && errno != EAGAIN)
            gf_log(GF_LOG_WARNING, "accept on %s failed: %s", s->base.peer, strerror(errno));
        if (fd < 0)
            return;
        adopt(s, fd, &ss);
    }
}

/* The event callback of every socket: dispatches by state, then tears the
 * socket down if it is closing. */
static void sock_event(int fd, uint32_t events, void *data)
{
    sock_t *s = data;
    sock_t *outer = cb_sock;
    cb_sock = s;
    rpc_transport_ref(&s->base);
    pthread_mutex_lock(&s->lock);
    bool closing = s->closing;
    sk_state_t state = s->state;
    pthread_mutex_unlock(&s->lock);
    if (!closing && state == SK_LISTENING)
        on_accept(s);
    else if (!closing && state == SK_CONNECTING)
        on_connect(s, events);
    else if (!closing && state == SK_HANDSHAKE)
        on_handshake(s);
    else if (!closing)
        on_io(s, events);
    if (is_closing(s))
        teardown(s);
    cb_sock = outer;
    rpc_transport_unref(&s->base);
}

int sock_start(rpc_transport_t *t)
{
    sock_t *s = (sock_t *)t;
    int err = arm(s, s->state, GF_EV_IN);
    if (err)
        request_close(s, err);
    return err;
}

int sock_connect(rpc_transport_t *t, const struct sockaddr *sa, socklen_t len)
{
    sock_t *s = (sock_t *)t;
    s->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return -errno;
    set_conn_opts(s->fd, sa->sa_family);
    if (connect(s->fd, sa, len) < 0 && errno != EINPROGRESS)
        return -errno;
    return arm(s, SK_CONNECTING, GF_EV_OUT);
}

/* Removes a leftover socket file at path, unless a server still answers on it.
 * 0 or -EADDRINUSE. */
static int remove_stale(const struct sockaddr *sa, socklen_t len)
{
    const char *path = ((const struct sockaddr_un *)sa)->sun_path;
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
        return 0;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live = fd >= 0 && connect(fd, sa, len) == 0;
    if (fd >= 0)
        close(fd);
    if (live)
        return -EADDRINUSE;
    unlink(path);
    return 0;
}

/* Remembers which file a unix listener created, to remove only that one. */
static int note_unix_file(sock_t *s, const struct sockaddr *sa)
{
    struct stat st;
    const char *path = ((const struct sockaddr_un *)sa)->sun_path;
    s->unix_path = gf_strdup(path);
    if (!s->unix_path)
        return -ENOMEM;
    if (lstat(path, &st) == 0) {
        s->unix_dev = st.st_dev;
        s->unix_ino = st.st_ino;
    }
    return 0;
}

/* Binds and listens; for TCP, records the bound port and address. 0 or -errno. */
static int bind_listen(sock_t *s, const struct sockaddr *sa, socklen_t len)
{
    int on = 1;
    if (sa->sa_family == AF_UNIX) {
        int err = remove_stale(sa, len);
        if (err)
            return err;
    } else {
        setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    }
    if (bind(s->fd, sa, len) < 0 || listen(s->fd, LISTEN_BACKLOG) < 0)
        return -errno;
    if (sa->sa_family == AF_UNIX)
        return note_unix_file(s, sa);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    if (getsockname(s->fd, (struct sockaddr *)&bound, &blen) < 0)
        return -errno;
    rpc_addr_name((struct sockaddr *)&bound, s->base.peer, sizeof(s->base.peer));
    s->base.port = ntohs(bound.ss_family == AF_INET6
                             ? ((struct sockaddr_in6 *)&bound)->sin6_port
                             : ((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

int sock_listen(rpc_transport_t *t, const struct sockaddr *sa, socklen_t len)
{
    sock_t *s = (sock_t *)t;
    s->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return -errno;
    int err = bind_listen(s, sa, len);
    if (!err)
        err = arm(s, SK_LISTENING, GF_EV_IN);
    if (err)
        remove_unix_file(s);
    return err;
}

const rpc_transport_ops_t rpc_socket_ops = {
    .name = "socket",
    .create = plain_create,
    .listen = sock_listen,
    .connect = sock_connect,
    .start = sock_start,
    .send = sock_send,
    .close = sock_close,
    .destroy = sock_destroy,
};
