/*
 * The stream transports: TCP and unix-domain sockets carrying record-marked
 * RPC messages, in two kinds that share one implementation of sockets,
 * queues and teardown (socket.c) and differ only in how bytes cross the
 * descriptor. The plain kind (rpc_socket_ops) reads and writes the socket; the
 * TLS kind (rpc_tls_ops, tls.c) runs a handshake first and then reads and
 * writes through OpenSSL. A kind plugs its byte layer in as a sock_io_t.
 *
 * Owners reach both through transport.h; this header is for socket.c and
 * tls.c only.
 */
#ifndef RPC_SOCKET_H
#define RPC_SOCKET_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "record.h"
#include "transport.h"

extern const rpc_transport_ops_t rpc_socket_ops;
extern const rpc_transport_ops_t rpc_tls_ops;

typedef enum { SK_IDLE, SK_LISTENING, SK_CONNECTING, SK_HANDSHAKE, SK_CONNECTED } sk_state_t;

typedef struct sock sock_t;

/*
 * A kind's byte layer. `lock` below means s->lock.
 *  - handshake (NULL: none): advances the handshake without blocking, lock
 *    held. 0 when done, -EAGAIN to wait for events, else -errno (failed: the
 *    layer has logged it or stored it with rpc_transport_set_error).
 *  - read: reads up to len bytes on s's event thread, lock not held. >0 bytes
 *    read, 0 at the peer's orderly end, -EAGAIN when nothing is available now,
 *    or -errno. *drained: nothing is left to read without a new event.
 *  - flush: writes what is queued until done or blocked, lock held, state
 *    SK_CONNECTED. 0 or -errno (the connection is lost).
 *  - want_out: whether GF_EV_OUT must be watched now, lock held.
 *  - buffered (NULL: never): bytes already taken off the descriptor wait in
 *    the layer, so reading must go on without an event.
 *  - close (NULL: none): the connection ends, lock held, before the
 *    descriptor is closed.
 *  - fini (NULL: none): frees the layer's state; the last reference is gone.
 */
typedef struct sock_io {
    int (*handshake)(sock_t *s);
    ssize_t (*read)(sock_t *s, char *buf, size_t len, bool *drained);
    int (*flush)(sock_t *s);
    bool (*want_out)(sock_t *s);
    bool (*buffered)(sock_t *s);
    void (*close)(sock_t *s);
    void (*fini)(sock_t *s);
} sock_io_t;

struct sock {
    rpc_transport_t base;
    const sock_io_t *io;
    pthread_mutex_t lock; /* state, descriptor, queue, and the layer's state */
    int fd;
    gf_event_handle_t *h;
    sk_state_t state;
    bool accepted;  /* server side of a connection */
    bool started;   /* registered with the pool: a teardown is owed */
    bool closing;   /* close requested or error seen */
    bool torn;      /* teardown done or under way */
    bool out_armed; /* GF_EV_OUT is watched */
    bool delivered; /* a record was delivered */
    int err;        /* why it closes, for `disconnected` */
    rpc_wmsg_t *head, *tail;
    rpc_record_dec_t dec;
    void *layer;     /* the byte layer's per-connection state */
    char *unix_path; /* a listener's socket file, removed at close if still ours */
    dev_t unix_dev;
    ino_t unix_ino;
};

/* Creates an idle socket of kind ops with byte layer io. NULL on ENOMEM. */
sock_t *sock_new(gf_event_pool_t *pool, const rpc_transport_ops_t *ops, const sock_io_t *io);

/* Copies up to max queued bytes to dst and drops them from the queue (lock
 * held). Returns how many were copied: 0 when the queue is empty. */
size_t sock_take(sock_t *s, char *dst, size_t max);

/* The vtable entries every kind shares (see rpc_transport_ops_t). */
int sock_listen(rpc_transport_t *t, const struct sockaddr *sa, socklen_t len);
int sock_connect(rpc_transport_t *t, const struct sockaddr *sa, socklen_t len);
int sock_start(rpc_transport_t *t);
int sock_send(rpc_transport_t *t, rpc_wmsg_t *msg);
void sock_close(rpc_transport_t *t);
void sock_destroy(rpc_transport_t *t);

#endif
