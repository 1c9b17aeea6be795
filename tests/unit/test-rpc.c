/*
 * Loopback tests of the RPC server and client (rpcsvc.c, rpc-clnt.c, socket.c):
 * both ends in one process, over 127.0.0.1 and over a unix socket (every test
 * runs once per transport). A test program offers an echo procedure (with a
 * trailing payload) and a procedure that replies late, from a timer. Raw
 * sockets play misbehaving peers: garbage, oversized records, hand-made calls,
 * a server that never answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fops-xdr.h"
#include "glusterfs/buf.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "handshake-xdr.h"
#include "record.h"
#include "rpc-clnt.h"
#include "rpcsvc.h"
#include "transport.h"

#define TEST_PROG 0x20000099u
#define PROC_ECHO 1 /* uint32 n + payload -> uint32 n + 1 + the same payload */
#define PROC_LATE 2 /* uint32 ms -> uint32 ms, replied ms later from a timer */
#define N_CALLS 1000

/* Waits up to ms milliseconds for cond, then asserts it. */
#define WAIT_UNTIL(cond, ms)                                                               \
    do {                                                                                   \
        for (int wait_ = 0; wait_ < (ms) && !(cond); wait_++)                              \
            usleep(1000);                                                                  \
        assert_true(cond);                                                                 \
    } while (0)

static gf_event_pool_t *pool;
static gf_timer_wheel_t *timers;
static char log_path[64];

typedef struct fixture {
    bool unix_sock;
    char listen_spec[128];
    char client_spec[128];
    char path[108];
    rpc_svc_t *svc;
    atomic_int svc_connects, svc_disconnects;
    atomic_int clnt_connects, clnt_disconnects;
} fixture_t;

/* ---- the test program ---- */

static int echo_actor(rpc_req_t *req)
{
    uint32_t n;
    size_t used;
    if (rpc_req_decode(req, (xdrproc_t)xdr_uint32_t, &n, &used) < 0)
        return -EBADMSG;
    n++;
    struct iovec payload = {(char *)req->args + used, req->args_len - used};
    rpc_req_reply(req, (xdrproc_t)xdr_uint32_t, &n, &payload, 1, req->record);
    return 0;
}

static void late_fire(void *data)
{
    rpc_req_t *req = data;
    uint32_t ms = (uint32_t)(uintptr_t)req->priv;
    rpc_req_reply(req, (xdrproc_t)xdr_uint32_t, &ms, NULL, 0, NULL);
}

static int late_actor(rpc_req_t *req)
{
    uint32_t ms;
    if (rpc_req_decode(req, (xdrproc_t)xdr_uint32_t, &ms, NULL) < 0)
        return -EBADMSG;
    req->priv = (void *)(uintptr_t)ms;
    return gf_timer_add(timers, ms, late_fire, req) ? 0 : -ENOMEM;
}

static const rpc_actor_t test_actors[] = {
    {"NULL", NULL},
    {"ECHO", echo_actor},
    {"LATE", late_actor},
};

static const rpc_program_t test_prog_v1 = {"TEST", TEST_PROG, 1, test_actors, 3, NULL};
static const rpc_program_t test_prog_v3 = {"TEST", TEST_PROG, 3, test_actors, 3, NULL};

/* ---- server and client helpers ---- */

static void svc_notify(rpc_svc_t *svc, rpc_svc_conn_t *conn, int event, void *mydata)
{
    fixture_t *fx = mydata;
    assert_non_null(rpc_svc_conn_peer(conn));
    atomic_fetch_add(event == RPC_SVC_CONNECT ? &fx->svc_connects : &fx->svc_disconnects, 1);
}

static void clnt_notify(rpc_clnt_t *clnt, int event, void *mydata)
{
    fixture_t *fx = mydata;
    atomic_fetch_add(event == RPC_CLNT_CONNECT ? &fx->clnt_connects : &fx->clnt_disconnects, 1);
}

/* Starts the server on fx->listen_spec and fills fx->client_spec. */
static void start_server(fixture_t *fx)
{
    fx->svc = rpc_svc_new(pool, svc_notify, fx);
    assert_non_null(fx->svc);
    assert_int_equal(rpc_svc_register(fx->svc, &test_prog_v1), 0);
    assert_int_equal(rpc_svc_register(fx->svc, &test_prog_v3), 0);
    assert_int_equal(rpc_svc_register(fx->svc, &test_prog_v1), -EEXIST);
    assert_int_equal(rpc_svc_listen(fx->svc, fx->listen_spec), 0);
    if (fx->unix_sock) {
        snprintf(fx->client_spec, sizeof(fx->client_spec), "%s", fx->listen_spec);
        assert_int_equal(rpc_svc_port(fx->svc), -ENOENT);
        return;
    }
    int port = rpc_svc_port(fx->svc);
    assert_true(port > 0);
    snprintf(fx->client_spec, sizeof(fx->client_spec), "tcp:127.0.0.1:%d", port);
    snprintf(fx->listen_spec, sizeof(fx->listen_spec), "tcp:127.0.0.1:%d", port);
}

static rpc_clnt_t *connect_client(fixture_t *fx, const rpc_clnt_opts_t *opts)
{
    int before = atomic_load(&fx->clnt_connects);
    rpc_clnt_t *c = rpc_clnt_new(pool, timers, fx->client_spec, opts, clnt_notify, fx);
    assert_non_null(c);
    assert_int_equal(rpc_clnt_connect(c), 0);
    WAIT_UNTIL(atomic_load(&fx->clnt_connects) > before, 2000);
    assert_true(rpc_clnt_connected(c));
    return c;
}

typedef struct result {
    atomic_int done;
    int status;
    uint32_t value;
    char payload[64];
    size_t payload_len;
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
        r->payload_len = len - 4 < sizeof(r->payload) ? len - 4 : sizeof(r->payload);
        memcpy(r->payload, res + 4, r->payload_len);
    }
    atomic_store(&r->done, 1);
}

static int call(rpc_clnt_t *c, uint32_t vers, uint32_t proc, uint32_t arg, const char *payload,
                result_t *r)
{
    struct iovec iov = {(void *)payload, payload ? strlen(payload) : 0};
    return rpc_clnt_submit(c, TEST_PROG, vers, proc, NULL, (xdrproc_t)xdr_uint32_t, &arg, &iov,
                           payload ? 1 : 0, NULL, result_cbk, r);
}

/* A blocking raw connection to the server, with a 2 s receive timeout. */
static int raw_connect(fixture_t *fx)
{
    struct sockaddr_storage ss;
    socklen_t len;
    assert_int_equal(rpc_addr_parse(fx->client_spec, &ss, &len), 0);
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
    return fd;
}

/* Sends one record (buf, len) on a raw connection. */
static void raw_send(int fd, const void *buf, size_t len)
{
    uint32_t marker = rpc_record_marker(len);
    assert_int_equal(write(fd, &marker, 4), 4);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
}

/* Reads one reply record on a raw connection and decodes its header. */
static void raw_reply(int fd, struct rpc_reply_hdr *r)
{
    uint32_t marker;
    char buf[256];
    assert_int_equal(recv(fd, &marker, 4, MSG_WAITALL), 4);
    size_t len = ntohl(marker) & RPC_RECORD_FRAG_MAX;
    assert_true(len <= sizeof(buf));
    assert_int_equal(recv(fd, buf, len, MSG_WAITALL), (ssize_t)len);
    size_t hl;
    assert_int_equal(rpc_msg_decode_reply(buf, len, r, &hl), 0);
}

/* True when the peer closed the raw connection. */
static bool raw_closed(int fd)
{
    char c;
    ssize_t n = read(fd, &c, 1);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* The log lines written since offset `from` (a static buffer). */
static const char *log_since(long from)
{
    static char buf[4096];
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    fseek(f, from, SEEK_SET);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static long log_size(void)
{
    return (long)strlen(log_since(0));
}

/* ---- fixtures ---- */

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));
    fx->unix_sock = *state != NULL;
    if (fx->unix_sock) {
        snprintf(fx->path, sizeof(fx->path), "/tmp/gfs-test-rpc-%d.sock", (int)getpid());
        snprintf(fx->listen_spec, sizeof(fx->listen_spec), "unix:%s", fx->path);
    } else {
        snprintf(fx->listen_spec, sizeof(fx->listen_spec), "tcp:127.0.0.1:0");
    }
    pool = gf_event_pool_new(2);
    timers = gf_timer_wheel_new();
    start_server(fx);
    *state = fx;
    return pool && timers ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    if (fx->svc)
        rpc_svc_destroy(fx->svc);
    gf_timer_wheel_destroy(timers);
    gf_event_pool_destroy(pool);
    if (fx->unix_sock)
        assert_int_equal(access(fx->path, F_OK), -1);
    free(fx);
    return 0;
}

/* ---- tests ---- */

static void echo_with_payload(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    result_t r = {0};
    assert_int_equal(call(c, 1, PROC_ECHO, 41, "trailing payload", &r), 0);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.value, 42);
    assert_int_equal(r.payload_len, strlen("trailing payload"));
    assert_memory_equal(r.payload, "trailing payload", r.payload_len);
    rpc_clnt_destroy(c);
    WAIT_UNTIL(atomic_load(&fx->svc_disconnects) == 1, 2000);
    assert_int_equal(atomic_load(&fx->svc_connects), 1);
}

#define BIG (4u << 20)

/* Checks a large echo: value 8, then BIG bytes of the pattern i % 251. */
static void big_cbk(rpc_clnt_t *clnt, int status, const char *res, size_t len, gf_buf_t *rec,
                    void *cookie)
{
    bool ok = status == 0 && len == 4 + BIG && ntohl(*(const uint32_t *)res) == 8;
    for (size_t i = 0; ok && i < BIG; i++)
        ok = (uint8_t)res[4 + i] == (uint8_t)(i % 251);
    atomic_store((atomic_int *)cookie, ok ? 1 : -1);
}

static void large_payload_echo(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    gf_buf_t *big = gf_buf_new(BIG);
    for (size_t i = 0; i < BIG; i++)
        big->data[i] = (char)(i % 251);
    struct iovec iov[2] = {{big->data, BIG / 2}, {big->data + BIG / 2, BIG / 2}};
    atomic_int done[2] = {0, 0};
    uint32_t arg = 7;
    assert_int_equal(rpc_clnt_submit(c, TEST_PROG, 1, PROC_ECHO, NULL, (xdrproc_t)xdr_uint32_t,
                                     &arg, iov, 2, big, big_cbk, &done[0]),
                     0);
    assert_int_equal(rpc_clnt_submit(c, TEST_PROG, 1, PROC_ECHO, NULL, (xdrproc_t)xdr_uint32_t,
                                     &arg, iov, 2, NULL, big_cbk, &done[1]),
                     0);
    gf_buf_unref(big);
    WAIT_UNTIL(atomic_load(&done[0]) && atomic_load(&done[1]), 5000);
    assert_int_equal(atomic_load(&done[0]), 1);
    assert_int_equal(atomic_load(&done[1]), 1);
    rpc_clnt_destroy(c);
}

static void thousand_outstanding_calls(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    result_t *r = calloc(N_CALLS, sizeof(*r));
    for (uint32_t i = 0; i < N_CALLS; i++)
        assert_int_equal(call(c, 1, PROC_ECHO, i * 3, NULL, &r[i]), 0);
    for (uint32_t i = 0; i < N_CALLS; i++) {
        WAIT_UNTIL(atomic_load(&r[i].done), 5000);
        assert_int_equal(r[i].status, 0);
        assert_int_equal(r[i].value, i * 3 + 1);
    }
    free(r);
    rpc_clnt_destroy(c);
}

static void dump_lists_programs_and_ping_answers(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    gf_dump_req req = {.gfs_id = 7};
    gf_dump_rsp rsp = {0};
    assert_int_equal(rpc_clnt_call_sync(c, GF_DUMP_PROGRAM, GF_DUMP_VERSION, GF_DUMP_DUMP, NULL,
                                        (xdrproc_t)xdr_gf_dump_req, &req,
                                        (xdrproc_t)xdr_gf_dump_rsp, &rsp, 2000),
                     0);
    assert_int_equal(rsp.op_ret, 0);
    int n = 0;
    for (gf_prog_detail *p = rsp.prog; p; p = p->next, n++)
        assert_true((p->prognum == GF_DUMP_PROGRAM && strcmp(p->progname, "GF-DUMP") == 0) ||
                    (p->prognum == TEST_PROG && (p->progver == 1 || p->progver == 3)));
    assert_int_equal(n, 3);
    xdr_free((xdrproc_t)xdr_gf_dump_rsp, &rsp);
    gf_common_rsp ping = {.op_ret = -1};
    assert_int_equal(rpc_clnt_call_sync(c, GF_DUMP_PROGRAM, GF_DUMP_VERSION, GF_DUMP_PING, NULL,
                                        NULL, NULL, (xdrproc_t)xdr_gf_common_rsp, &ping, 2000),
                     0);
    assert_int_equal(ping.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gf_common_rsp, &ping);
    rpc_clnt_destroy(c);
}

/* Sends a hand-made call and returns the decoded reply header. */
static void raw_call(int fd, uint32_t rpcvers, uint32_t prog, uint32_t vers, uint32_t proc,
                     const struct rpc_auth *auth, struct rpc_reply_hdr *r)
{
    char buf[RPC_CALL_HDR_MAX + 4];
    int len = rpc_msg_encode_call(buf, RPC_CALL_HDR_MAX, 77, prog, vers, proc, auth);
    assert_true(len > 0);
    uint32_t v = htonl(rpcvers);
    memcpy(buf + 8, &v, 4);
    memset(buf + len, 0, 4); /* an xdr uint32 argument */
    raw_send(fd, buf, (size_t)len + 4);
    raw_reply(fd, r);
    assert_int_equal(r->xid, 77);
}

static void routing_errors(void **state)
{
    fixture_t *fx = *state;
    int fd = raw_connect(fx);
    struct rpc_reply_hdr r;
    raw_call(fd, 2, TEST_PROG, 2, PROC_ECHO, NULL, &r);
    assert_int_equal(r.reply_stat, MSG_ACCEPTED);
    assert_int_equal(r.accept_stat, PROG_MISMATCH);
    assert_int_equal(r.low, 1);
    assert_int_equal(r.high, 3);
    raw_call(fd, 2, TEST_PROG + 1, 1, PROC_ECHO, NULL, &r);
    assert_int_equal(r.accept_stat, PROG_UNAVAIL);
    raw_call(fd, 2, TEST_PROG, 1, 9, NULL, &r);
    assert_int_equal(r.accept_stat, PROC_UNAVAIL);
    raw_call(fd, 2, TEST_PROG, 1, 0, NULL, &r);
    assert_int_equal(r.accept_stat, PROC_UNAVAIL);
    raw_call(fd, 3, TEST_PROG, 1, PROC_ECHO, NULL, &r);
    assert_int_equal(r.reply_stat, MSG_DENIED);
    assert_int_equal(r.reject_stat, RPC_MISMATCH);
    assert_int_equal(r.low, 2);
    struct rpc_auth unix_auth = {.flavor = AUTH_UNIX, .uid = 1};
    raw_call(fd, 2, TEST_PROG, 1, PROC_ECHO, &unix_auth, &r);
    assert_int_equal(r.accept_stat, SUCCESS);
    struct rpc_auth v3 = {.flavor = GF_AUTH_GLUSTERFS_V3, .pid = 3, .lk_owner_len = 2};
    raw_call(fd, 2, TEST_PROG, 1, PROC_ECHO, &v3, &r);
    assert_int_equal(r.accept_stat, SUCCESS);
    close(fd);
}

static void refused_calls_fail_with_eproto(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    result_t r1 = {0}, r2 = {0}, r3 = {0};
    assert_int_equal(call(c, 1, 9, 0, NULL, &r1), 0);
    assert_int_equal(call(c, 2, PROC_ECHO, 0, NULL, &r2), 0);
    assert_int_equal(rpc_clnt_submit(c, TEST_PROG, 1, PROC_ECHO, NULL, NULL, NULL, NULL, 0, NULL,
                                     result_cbk, &r3),
                     0);
    WAIT_UNTIL(atomic_load(&r1.done) && atomic_load(&r2.done) && atomic_load(&r3.done), 2000);
    assert_int_equal(r1.status, -EPROTO);
    assert_int_equal(r2.status, -EPROTO);
    assert_int_equal(r3.status, -EPROTO); /* no argument: GARBAGE_ARGS */
    assert_true(rpc_clnt_connected(c));
    rpc_clnt_destroy(c);
}

static void late_reply_and_timeout(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_opts_t opts = RPC_CLNT_OPTS_DEFAULT;
    opts.call_timeout_ms = 100;
    rpc_clnt_t *c = connect_client(fx, &opts);
    result_t late = {0}, slow = {0};
    uint64_t start = gf_time_ms();
    assert_int_equal(call(c, 1, PROC_LATE, 20, NULL, &late), 0);
    assert_int_equal(call(c, 1, PROC_LATE, 400, NULL, &slow), 0);
    WAIT_UNTIL(atomic_load(&late.done), 1000);
    assert_int_equal(late.status, 0);
    assert_int_equal(late.value, 20);
    WAIT_UNTIL(atomic_load(&slow.done), 1000);
    assert_int_equal(slow.status, -ETIMEDOUT);
    uint64_t took = gf_time_ms() - start;
    assert_true(took >= 100 && took < 400);
    usleep(400 * 1000); /* the slow reply arrives and is dropped */
    assert_true(rpc_clnt_connected(c));
    rpc_clnt_destroy(c);
}

static void reconnect_after_server_restart(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_opts_t opts = RPC_CLNT_OPTS_DEFAULT;
    opts.reconnect = true;
    opts.backoff_min_ms = 20;
    opts.backoff_max_ms = 80;
    rpc_clnt_t *c = connect_client(fx, &opts);
    result_t pending = {0};
    assert_int_equal(call(c, 1, PROC_LATE, 300, NULL, &pending), 0);
    usleep(20 * 1000);
    rpc_svc_destroy(fx->svc);
    fx->svc = NULL;
    WAIT_UNTIL(atomic_load(&fx->clnt_disconnects) >= 1, 2000);
    WAIT_UNTIL(atomic_load(&pending.done), 1000);
    assert_int_equal(pending.status, -ENOTCONN);
    assert_false(rpc_clnt_connected(c));
    usleep(100 * 1000); /* a few failed attempts */
    assert_int_equal(atomic_load(&fx->clnt_connects), 1);
    start_server(fx);
    WAIT_UNTIL(atomic_load(&fx->clnt_connects) == 2, 2000);
    result_t r = {0};
    assert_int_equal(call(c, 1, PROC_ECHO, 1, NULL, &r), 0);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.value, 2);
    rpc_clnt_destroy(c);
    usleep(300 * 1000); /* let the old LATE timer fire into the dead connection */
}

static void garbage_and_oversized_clients(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    long log_start = log_size();
    int junk = raw_connect(fx);
    raw_send(junk, "this is not an RPC call", 23);
    assert_true(raw_closed(junk));
    close(junk);
    int huge = raw_connect(fx);
    uint32_t marker = htonl(RPC_RECORD_LAST | RPC_RECORD_FRAG_MAX);
    assert_int_equal(write(huge, &marker, 4), 4);
    assert_true(raw_closed(huge));
    close(huge);
    int storm = raw_connect(fx);
    uint32_t empty[RPC_RECORD_MAX_EMPTY + 1] = {0};
    assert_int_equal(write(storm, empty, sizeof(empty)), (ssize_t)sizeof(empty));
    assert_true(raw_closed(storm));
    close(storm);
    result_t r = {0};
    assert_int_equal(call(c, 1, PROC_ECHO, 5, "still here", &r), 0);
    WAIT_UNTIL(atomic_load(&r.done), 2000);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.value, 6);
    WAIT_UNTIL(atomic_load(&fx->svc_disconnects) == 3, 2000);
    const char *peer = fx->unix_sock ? "closing connection from unix: "
                                     : "closing connection from 127.0.0.1:";
    int lines = 0;
    for (const char *l = log_since(log_start); *l; l = strchr(l, '\n') + 1, lines++)
        assert_non_null(strstr(l, peer));
    assert_int_equal(lines, 3);
    rpc_clnt_destroy(c);
}

static void ping_keeps_connection(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_opts_t opts = RPC_CLNT_OPTS_DEFAULT;
    opts.call_timeout_ms = 200;
    opts.ping_interval_ms = 40;
    rpc_clnt_t *c = connect_client(fx, &opts);
    usleep(400 * 1000);
    assert_true(rpc_clnt_connected(c));
    assert_int_equal(atomic_load(&fx->clnt_disconnects), 0);
    rpc_clnt_destroy(c);
}

static void unanswered_ping_disconnects(void **state)
{
    fixture_t *fx = *state;
    rpc_svc_destroy(fx->svc); /* replaced by a socket that never accepts */
    fx->svc = NULL;
    struct sockaddr_storage ss;
    socklen_t len;
    assert_int_equal(rpc_addr_parse(fx->client_spec, &ss, &len), 0);
    int mute = socket(ss.ss_family, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(mute, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    assert_int_equal(bind(mute, (struct sockaddr *)&ss, len), 0);
    assert_int_equal(listen(mute, 8), 0);
    rpc_clnt_opts_t opts = RPC_CLNT_OPTS_DEFAULT;
    opts.call_timeout_ms = 100;
    opts.ping_interval_ms = 50;
    rpc_clnt_t *c = connect_client(fx, &opts);
    uint64_t start = gf_time_ms();
    WAIT_UNTIL(atomic_load(&fx->clnt_disconnects) == 1, 1000);
    assert_true(gf_time_ms() - start >= 100);
    assert_false(rpc_clnt_connected(c));
    rpc_clnt_destroy(c);
    close(mute);
    if (fx->unix_sock)
        unlink(fx->path);
}

static void not_connected_fails_at_once(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = rpc_clnt_new(pool, timers, fx->client_spec, NULL, clnt_notify, fx);
    result_t r = {0};
    assert_int_equal(call(c, 1, PROC_ECHO, 1, NULL, &r), -ENOTCONN);
    assert_true(atomic_load(&r.done));
    assert_int_equal(r.status, -ENOTCONN);
    uint32_t out;
    uint32_t in = 1;
    assert_int_equal(rpc_clnt_call_sync(c, TEST_PROG, 1, PROC_ECHO, NULL, (xdrproc_t)xdr_uint32_t,
                                        &in, (xdrproc_t)xdr_uint32_t, &out, 100),
                     -ENOTCONN);
    rpc_clnt_destroy(c);
    assert_null(rpc_clnt_new(pool, timers, "http://x", NULL, NULL, NULL));
}

static void failed_attempt_notifies_disconnect(void **state)
{
    fixture_t *fx = *state;
    rpc_svc_destroy(fx->svc);
    fx->svc = NULL;
    rpc_clnt_t *c = rpc_clnt_new(pool, timers, fx->client_spec, NULL, clnt_notify, fx);
    assert_int_equal(rpc_clnt_connect(c), 0);
    WAIT_UNTIL(atomic_load(&fx->clnt_disconnects) == 1, 2000);
    uint32_t in = 1, out;
    assert_int_equal(rpc_clnt_call_sync(c, TEST_PROG, 1, PROC_ECHO, NULL, (xdrproc_t)xdr_uint32_t,
                                        &in, (xdrproc_t)xdr_uint32_t, &out, 1000),
                     -ENOTCONN);
    assert_int_equal(atomic_load(&fx->clnt_connects), 0);
    rpc_clnt_destroy(c);
}

static void call_sync_echo(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = rpc_clnt_new(pool, timers, fx->client_spec, NULL, NULL, NULL);
    assert_int_equal(rpc_clnt_connect(c), 0);
    uint32_t in = 99, out = 0;
    assert_int_equal(rpc_clnt_call_sync(c, TEST_PROG, 1, PROC_ECHO, NULL, (xdrproc_t)xdr_uint32_t,
                                        &in, (xdrproc_t)xdr_uint32_t, &out, 2000),
                     0);
    assert_int_equal(out, 100);
    in = 500;
    assert_int_equal(rpc_clnt_call_sync(c, TEST_PROG, 1, PROC_LATE, NULL, (xdrproc_t)xdr_uint32_t,
                                        &in, (xdrproc_t)xdr_uint32_t, &out, 100),
                     -ETIMEDOUT);
    rpc_clnt_destroy(c);
    usleep(450 * 1000); /* the LATE reply goes to a closed connection */
}

static void destroy_fails_pending_calls(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    result_t r = {0};
    assert_int_equal(call(c, 1, PROC_LATE, 100, NULL, &r), 0);
    rpc_clnt_destroy(c);
    assert_true(atomic_load(&r.done));
    assert_int_equal(r.status, -ENOTCONN);
    assert_int_equal(atomic_load(&fx->clnt_disconnects), 0);
    usleep(150 * 1000);
}

/* Destroys its own client from inside a call's callback. */
static void destroying_cbk(rpc_clnt_t *clnt, int status, const char *res, size_t len,
                           gf_buf_t *rec, void *cookie)
{
    rpc_clnt_destroy(clnt);
    atomic_store((atomic_int *)cookie, status == 0 ? 1 : -1);
}

static void destroy_from_callback(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    atomic_int done = 0;
    uint32_t arg = 1;
    assert_int_equal(rpc_clnt_submit(c, TEST_PROG, 1, PROC_ECHO, NULL, (xdrproc_t)xdr_uint32_t,
                                     &arg, NULL, 0, NULL, destroying_cbk, &done),
                     0);
    WAIT_UNTIL(atomic_load(&done) != 0, 2000);
    assert_int_equal(atomic_load(&done), 1);
    WAIT_UNTIL(atomic_load(&fx->svc_disconnects) == 1, 2000);
}

static void server_disconnects_client(void **state)
{
    fixture_t *fx = *state;
    rpc_clnt_t *c = connect_client(fx, NULL);
    WAIT_UNTIL(atomic_load(&fx->svc_connects) == 1, 2000);
    rpc_svc_destroy(fx->svc);
    fx->svc = NULL;
    assert_int_equal(atomic_load(&fx->svc_disconnects), 1);
    WAIT_UNTIL(atomic_load(&fx->clnt_disconnects) == 1, 2000);
    rpc_clnt_destroy(c);
}

/* ---- bounded decoding: a length a peer claims is not allocated (doc/protocol.md 1) ---- */

#define BOUNDS_PROG    0x2000009au
#define PROC_SETVOLUME 1 /* a gf_setvolume_req, decoded and dropped */
#define PROC_GFX_DICT  2 /* a gfx_dict, decoded and dropped */
#define ONE_GIB        (1u << 30)

/* Decodes the arguments with proc into args and replies with no result. */
static int decode_and_drop(rpc_req_t *req, xdrproc_t proc, void *args)
{
    if (rpc_req_decode(req, proc, args, NULL) < 0)
        return -EBADMSG;
    xdr_free(proc, args);
    rpc_req_reply(req, NULL, NULL, NULL, 0, NULL);
    return 0;
}

static int setvolume_actor(rpc_req_t *req)
{
    gf_setvolume_req args = {{0}};
    return decode_and_drop(req, (xdrproc_t)xdr_gf_setvolume_req, &args);
}

static int gfx_dict_actor(rpc_req_t *req)
{
    gfx_dict args = {0};
    return decode_and_drop(req, (xdrproc_t)xdr_gfx_dict, &args);
}

static const rpc_actor_t bounds_actors[] = {
    [PROC_SETVOLUME] = {"SETVOLUME", setvolume_actor},
    [PROC_GFX_DICT] = {"GFX_DICT", gfx_dict_actor},
};
static const rpc_program_t bounds_prog = {"bounds", BOUNDS_PROG, 1, bounds_actors, 3};

/* A figure of /proc/self/status in bytes: "VmSize" (virtual memory now) or
 * "VmPeak" (its highest point), which an allocation raises even when its pages
 * are never touched. */
static size_t vm_figure(const char *name)
{
    char line[128];
    size_t kb = 0, n = strlen(name);
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    while (kb == 0 && fgets(line, sizeof(line), f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            kb = strtoul(line + n + 1, NULL, 10);
    fclose(f);
    assert_true(kb > 0);
    return kb << 10;
}

/* Calls proc of the bounds program with len bytes of arguments and asserts a
 * GARBAGE_ARGS reply within a second, the process's virtual memory having
 * never grown by 256 MiB meanwhile (room for a new malloc arena, not for the
 * claimed GiB). */
static void assert_refused_cheaply(fixture_t *fx, uint32_t proc, const void *args, size_t len)
{
    char buf[RPC_CALL_HDR_MAX + 64];
    struct rpc_reply_hdr r;
    struct timespec t0, t1;
    assert_true(len <= 64);
    assert_int_equal(rpc_svc_register(fx->svc, &bounds_prog), 0);
    int hlen = rpc_msg_encode_call(buf, RPC_CALL_HDR_MAX, 78, BOUNDS_PROG, 1, proc, NULL);
    assert_true(hlen > 0);
    memcpy(buf + hlen, args, len);
    int fd = raw_connect(fx);
    size_t before = vm_figure("VmSize");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    raw_send(fd, buf, (size_t)hlen + len);
    raw_reply(fd, &r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(r.reply_stat, MSG_ACCEPTED);
    assert_int_equal(r.accept_stat, GARBAGE_ARGS);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms < 1000);
    assert_true(vm_figure("VmPeak") < before + (256u << 20));
    close(fd);
}

/* SETVOLUME, the first call of a client to a brick: its dict claims 1 GiB. */
static void claimed_gib_opaque_is_garbage_args(void **state)
{
    uint32_t args[3] = {htonl(ONE_GIB), 0, 0};
    assert_refused_cheaply(*state, PROC_SETVOLUME, args, sizeof(args));
}

/* A gfx_dict (every FOP request carries one) whose pairs claim 1 GiB; the
 * unbounded decoder would also zero all of it. */
static void claimed_gib_array_is_garbage_args(void **state)
{
    uint32_t args[4] = {0, htonl(1), htonl(ONE_GIB / sizeof(gfx_dict_pair)), 0};
    assert_refused_cheaply(*state, PROC_GFX_DICT, args, sizeof(args));
}

#define BOTH(test)                                                                         \
    cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, NULL),                 \
        cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)1)

int main(void)
{
    snprintf(log_path, sizeof(log_path), "/tmp/gfs-test-rpc-%d.log", (int)getpid());
    gf_log_init(log_path, "test-rpc");
    gf_log_set_level(GF_LOG_WARNING);
    const struct CMUnitTest tests[] = {
        BOTH(echo_with_payload),
        BOTH(large_payload_echo),
        BOTH(thousand_outstanding_calls),
        BOTH(dump_lists_programs_and_ping_answers),
        BOTH(routing_errors),
        BOTH(refused_calls_fail_with_eproto),
        BOTH(late_reply_and_timeout),
        BOTH(reconnect_after_server_restart),
        BOTH(garbage_and_oversized_clients),
        BOTH(ping_keeps_connection),
        BOTH(unanswered_ping_disconnects),
        BOTH(not_connected_fails_at_once),
        BOTH(failed_attempt_notifies_disconnect),
        BOTH(call_sync_echo),
        BOTH(destroy_fails_pending_calls),
        BOTH(destroy_from_callback),
        BOTH(server_disconnects_client),
        BOTH(claimed_gib_opaque_is_garbage_args),
        BOTH(claimed_gib_array_is_garbage_args),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    gf_log_fini();
    if (!failed)
        unlink(log_path);
    return failed;
}
