/*
 * The etcd client's engine: requests as libcurl easy handles in one multi handle
 * per client, driven by the event loop (see etcd-client.h for the contract;
 * etcd-codec.c builds and reads the JSON).
 *
 * Driving. libcurl's multi handle must be used by one thread at a time, and the
 * event loop's gf_event_del waits for a callback running on another thread, so
 * a plain lock held while driving curl could deadlock. Instead the client is a
 * combiner: whoever has work (a socket event, the timer, a new request, a
 * cancelled watch) records it under the lock, and if no thread is driving,
 * becomes the driver; the driver takes the recorded work and runs it without the
 * lock, again and again until none is left. Callbacks run in the driver, so they
 * never overlap, and the calls they make only record work. Requests made outside
 * callbacks post a task to the event loop that drives, so curl only ever runs on
 * event threads; the timer thread only records and posts.
 *
 * Failover. A request goes to the current member; when that member cannot be
 * reached, the client's current member moves on and the request follows, member
 * after member, then pauses (100 ms, doubling up to 1 s, with jitter) before the
 * next round, until its deadline. Watches follow the same members forever,
 * resuming at the revision after the last one delivered.
 *
 * Slow is not failed. A member that takes long to answer is usually one whose
 * cluster is busy; sending the request again elsewhere would only add to that.
 * So a request, once sent, waits for its answer until its deadline, unless it
 * may have been lost: every attempt limit that it goes unanswered, the client
 * asks its member for its status, which etcd answers from memory (one such
 * request per member at a time): no answer within the attempt limit means the
 * member is hung, and everything in flight on it moves to the next
 * member; an answer in a later Raft term means the leader changed, and a
 * request the old leader had (a follower forwards writes to it) may be lost, so
 * the requests sent before are sent again. Either way a txn that may have been
 * applied is not sent again: it fails as "outcome unknown".
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "etcd-client.h"
#include "etcd-codec.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

#define DEFAULT_DEADLINE_MS 5000
#define DEFAULT_ATTEMPT_MS  2000
#define FIRST_PAUSE_MS      100
#define MAX_ROUND_PAUSE_MS  1000
#define LAST_ROUND_MS       100 /* a final round starts this long before the deadline */
#define MAX_WATCH_PAUSE_MS  2000
#define EVENTS_PER_TURN     64
#define NEVER               UINT64_MAX
#define ERRMSG_MAX          1024

typedef struct req req_t;
typedef struct sock sock_t;

/* What the driver knows of one member. */
typedef struct member {
    int probing; /* a status request to it is in flight */
} member_t;

/* A list of requests linked through prev/next. */
typedef struct req_list {
    req_t *head;
} req_list_t;

struct gd_etcd_watch {
    gd_etcd_t *c;
    gd_etcd_watch_t *next; /* in c->watches or c->cancelled (under mu) */
    char *key;
    int prefix;
    int cancelled;     /* under mu */
    int64_t next_rev;  /* resume here; 0: from now, until first established */
    int announced;     /* its establishment was reported */
    unsigned pause_ms; /* before reconnecting after a failed connection */
    req_t *req;        /* its stream; NULL once ended (compaction) */
    gd_etcd_watch_cb_t cb;
    void *cookie;
};

struct req {
    req_t *prev, *next; /* in c->incoming (next only), c->active or c->waiting */
    gd_etcd_t *c;
    gd_etcd_kind_t kind;
    char *body;
    CURL *easy;
    char *resp;
    size_t resp_len, resp_cap;
    size_t scanned;    /* watch: bytes of resp already taken as lines */
    int established;   /* watch: this stream was created by etcd */
    req_t *dirty_next; /* watch: in c->dirty (new bytes to read) */
    int dirty;
    int member;        /* of the attempt in flight */
    int tried;         /* attempts in the current round */
    unsigned pause_ms; /* before the next round */
    uint64_t deadline; /* gf_time_ms; NEVER for watches */
    uint64_t due;      /* in c->waiting: when to start again */
    uint64_t check_at; /* in c->active: when to check its member is alive; 0: never */
    int64_t term;      /* the latest Raft term known when sent; 0: none */
    int overdue;       /* it has waited an attempt limit */
    char curl_err[CURL_ERROR_SIZE];
    char last_err[512];
    gd_etcd_cb_t cb;
    void *cookie;
    gd_etcd_watch_t *watch;
};

struct sock {
    gd_etcd_t *c;
    int fd;
    gf_event_handle_t *h;
    sock_t *prev, *next; /* in c->socks (driver) */
    sock_t *ready_next;  /* in c->ready (under mu) */
    uint32_t pending;    /* GF_EV_* fired and not yet given to curl (under mu) */
    int queued;          /* in c->ready (under mu) */
};

struct gd_etcd {
    gf_event_pool_t *events;
    gf_timer_wheel_t *timers;
    char *urls_text;
    char **urls;
    int n_urls;
    unsigned deadline_ms, attempt_ms;
    struct curl_slist *headers;
    uint64_t requests; /* atomic */

    pthread_mutex_t mu;
    pthread_cond_t idle;
    /* Under mu. */
    int busy, kick_posted, closing, timer_fired;
    int refs; /* the owner's, and one per posted kick_task */
    req_t *incoming, *incoming_tail;
    sock_t *ready;
    gd_etcd_watch_t *watches, *cancelled;
    gd_etcd_watch_t *in_watch_cb; /* whose callback runs now, on thread cb_thread */
    pthread_t cb_thread;

    /* The driver's alone. */
    CURLM *multi;
    int current;   /* the member requests go to */
    int64_t term;  /* the latest Raft term a member answered in; 0: none yet */
    uint64_t rand; /* jitter's xorshift state */
    member_t *mem; /* n_urls of them */
    req_list_t active, waiting;
    sock_t *socks;
    req_t *dirty;
    uint64_t curl_due;
    gf_timer_t *timer;
    uint64_t timer_due;
};

/* What one turn of the driver takes from the recorded work. */
typedef struct work {
    req_t *incoming;
    gd_etcd_watch_t *cancelled;
    int fds[EVENTS_PER_TURN];
    uint32_t evs[EVENTS_PER_TURN];
    int n_evs;
    int timer;
} work_t;

static void drive_locked(gd_etcd_t *c);
static void start_attempt(gd_etcd_t *c, req_t *r);

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/*
 * Lists and requests.
 */

static void list_push(req_list_t *l, req_t *r)
{
    r->prev = NULL;
    r->next = l->head;
    if (l->head)
        l->head->prev = r;
    l->head = r;
}

static void list_unlink(req_list_t *l, req_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        l->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

/* A new request of kind carrying body (taken over, NULL allowed for watches);
 * NULL on ENOMEM (body is freed). */
static req_t *req_new(gd_etcd_t *c, gd_etcd_kind_t kind, char *body, gd_etcd_cb_t cb, void *cookie)
{
    req_t *r = gf_calloc(1, sizeof(*r));
    if (!r) {
        gf_free(body);
        return NULL;
    }
    r->c = c;
    r->kind = kind;
    r->body = body;
    r->cb = cb;
    r->cookie = cookie;
    r->pause_ms = FIRST_PAUSE_MS;
    r->deadline = kind == GD_ETCD_WATCH ? NEVER : gf_time_ms() + c->deadline_ms;
    return r;
}

/* Frees r; it must be in no list and out of the multi handle. */
static void req_free(req_t *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    gf_free(r->body);
    gf_free(r->resp);
    gf_free(r);
}

/* Removes r from whichever of active or waiting holds it. */
static void req_detach(gd_etcd_t *c, req_t *r)
{
    if (r->easy && r->due == 0) {
        curl_multi_remove_handle(c->multi, r->easy);
        list_unlink(&c->active, r);
    } else if (r->due) {
        list_unlink(&c->waiting, r);
        r->due = 0;
    }
}

/*
 * Recording work (any thread) and driving.
 */

static void free_shell(gd_etcd_t *c);

/* Drives c, unless it is being destroyed: then drops the task's reference. */
static void kick_task(void *data)
{
    gd_etcd_t *c = data;
    int last;
    pthread_mutex_lock(&c->mu);
    c->kick_posted = 0;
    if (!c->closing) {
        c->refs--;
        drive_locked(c);
        return;
    }
    last = --c->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        free_shell(c);
}

/* Makes sure recorded work will be run: by the driver if there is one, else by a
 * task posted to the event loop. mu held. */
static void kick_locked(gd_etcd_t *c)
{
    if (c->busy || c->kick_posted || c->closing)
        return;
    if (gf_event_post(c->events, kick_task, c) == 0) {
        c->kick_posted = 1;
        c->refs++;
    } else {
        gf_log(GF_LOG_ERROR, "etcd client: cannot post to the event loop; requests stall");
    }
}

/* Queues r to be started by the driver. */
static void submit(gd_etcd_t *c, req_t *r)
{
    pthread_mutex_lock(&c->mu);
    r->next = NULL;
    if (c->incoming_tail)
        c->incoming_tail->next = r;
    else
        c->incoming = r;
    c->incoming_tail = r;
    kick_locked(c);
    pthread_mutex_unlock(&c->mu);
}

static void timer_fire(void *data)
{
    gd_etcd_t *c = data;
    pthread_mutex_lock(&c->mu);
    c->timer_fired = 1;
    kick_locked(c);
    pthread_mutex_unlock(&c->mu);
}

/* Takes the recorded work into w; returns whether there was any. mu held. */
static int take_work(gd_etcd_t *c, work_t *w)
{
    w->incoming = c->incoming;
    w->cancelled = c->cancelled;
    w->timer = c->timer_fired;
    c->incoming = c->incoming_tail = NULL;
    c->cancelled = NULL;
    c->timer_fired = 0;
    for (w->n_evs = 0; c->ready && w->n_evs < EVENTS_PER_TURN; w->n_evs++) {
        sock_t *s = c->ready;
        c->ready = s->ready_next;
        s->queued = 0;
        w->fds[w->n_evs] = s->fd;
        w->evs[w->n_evs] = s->pending;
        s->pending = 0;
    }
    if (c->curl_due != NEVER && c->curl_due <= gf_time_ms())
        w->timer = 1;
    return w->incoming || w->cancelled || w->timer || w->n_evs;
}

static void run_work(gd_etcd_t *c, work_t *w);

/* Becomes the driver unless there is one, and runs work until none is left.
 * Called with mu held; returns with it released, touching c no more. */
static void drive_locked(gd_etcd_t *c)
{
    work_t w;
    if (c->busy || c->closing) {
        pthread_cond_broadcast(&c->idle);
        pthread_mutex_unlock(&c->mu);
        return;
    }
    c->busy = 1;
    while (take_work(c, &w)) {
        pthread_mutex_unlock(&c->mu);
        run_work(c, &w);
        pthread_mutex_lock(&c->mu);
    }
    c->busy = 0;
    pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->mu);
}

/*
 * curl's callbacks (run inside curl, in the driver).
 */

static void sock_ready(int fd, uint32_t events, void *data)
{
    sock_t *s = data;
    gd_etcd_t *c = s->c;
    pthread_mutex_lock(&c->mu);
    s->pending |= events;
    if (!s->queued) {
        s->queued = 1;
        s->ready_next = c->ready;
        c->ready = s;
    }
    drive_locked(c);
}

/* Unregisters s and frees it. Driver. Once gf_event_del returns, sock_ready
 * cannot queue s again, so it is taken off the ready list after. */
static void sock_drop(gd_etcd_t *c, sock_t *s)
{
    gf_event_del(s->h);
    pthread_mutex_lock(&c->mu);
    for (sock_t **pp = &c->ready; s->queued && *pp; pp = &(*pp)->ready_next) {
        if (*pp == s) {
            *pp = s->ready_next;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        c->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    gf_free(s);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    gd_etcd_t *c = userp;
    sock_t *s = socketp;
    uint32_t ev = ((what & CURL_POLL_IN) ? GF_EV_IN : 0) | ((what & CURL_POLL_OUT) ? GF_EV_OUT : 0);
    if (what == CURL_POLL_REMOVE) {
        if (s)
            sock_drop(c, s);
        return 0;
    }
    if (s)
        return gf_event_mod(s->h, ev) ? -1 : 0;
    s = gf_calloc(1, sizeof(*s));
    if (!s)
        return -1;
    s->c = c;
    s->fd = fd;
    if (gf_event_add(c->events, fd, ev, sock_ready, s, &s->h) != 0) {
        gf_free(s);
        return -1;
    }
    curl_multi_assign(c->multi, fd, s);
    s->next = c->socks;
    if (c->socks)
        c->socks->prev = s;
    c->socks = s;
    return 0;
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    gd_etcd_t *c = userp;
    c->curl_due = timeout_ms < 0 ? NEVER : gf_time_ms() + (uint64_t)timeout_ms;
    return 0;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
    req_t *r = userp;
    size_t n = size * nmemb;
    if (r->resp_len + n + 1 > r->resp_cap) {
        size_t cap = (r->resp_len + n + 1) * 2;
        char *p = gf_realloc(r->resp, cap);
        if (!p)
            return 0; /* curl fails the transfer (CURLE_WRITE_ERROR) */
        r->resp = p;
        r->resp_cap = cap;
    }
    memcpy(r->resp + r->resp_len, data, n);
    r->resp_len += n;
    r->resp[r->resp_len] = '\0';
    if (r->watch && !r->dirty) {
        r->dirty = 1;
        r->dirty_next = r->c->dirty;
        r->c->dirty = r;
    }
    return n;
}

/*
 * Outcomes of unary requests.
 */

static void deliver_error(req_t *r, int err, const char *msg)
{
    gd_etcd_reply_t reply = {.err = err, .errmsg = msg};
    r->cb(&reply, r->cookie);
    req_free(r);
}

static void deliver_ok(gd_etcd_t *c, req_t *r)
{
    gd_etcd_decoded_t d;
    char msg[ERRMSG_MAX];
    int err = gd_etcd_dec_reply(r->kind, r->resp ? r->resp : "", &d);
    if (err) {
        snprintf(msg, sizeof(msg), "unexpected answer from etcd member %s to %s",
                 c->urls[r->member], gd_etcd_path(r->kind));
        deliver_error(r, err == -ENOMEM ? -ENOMEM : -EIO, msg);
        return;
    }
    if (d.reply.term > c->term)
        c->term = d.reply.term;
    r->cb(&d.reply, r->cookie);
    gd_etcd_dec_free(&d);
    req_free(r);
}

static void fail_unreachable(gd_etcd_t *c, req_t *r)
{
    char msg[ERRMSG_MAX];
    size_t off = (size_t)snprintf(msg, sizeof(msg), "monitor cluster unreachable: tried ");
    for (int i = 0; i < c->n_urls && off < sizeof(msg); i++)
        off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s", i ? ", " : "", c->urls[i]);
    if (off < sizeof(msg))
        snprintf(msg + off, sizeof(msg) - off, " within %g s (last error: %s)",
                 c->deadline_ms / 1000.0, r->last_err);
    gf_log(GF_LOG_ERROR, "%s", msg);
    deliver_error(r, -EHOSTUNREACH, msg);
}

/* Moves the client off member m, if it is still the current one. */
static void member_failed(gd_etcd_t *c, int m, const char *why)
{
    if (c->current != m || c->n_urls == 1)
        return;
    c->current = (m + 1) % c->n_urls;
    gf_log(GF_LOG_WARNING, "etcd member %s failed (%s); using %s", c->urls[m], why,
           c->urls[c->current]);
}

/* pause_ms spread over [pause_ms / 2, pause_ms * 3 / 2), so that clients that
 * failed together do not come back together. Driver. */
static unsigned jitter(gd_etcd_t *c, unsigned pause_ms)
{
    c->rand ^= c->rand << 13;
    c->rand ^= c->rand >> 7;
    c->rand ^= c->rand << 17;
    return pause_ms ? pause_ms / 2 + (unsigned)(c->rand % pause_ms) : 0;
}

/* Puts r in the waiting list until pause_ms from now. */
static void wait_then_retry(gd_etcd_t *c, req_t *r, unsigned pause_ms)
{
    r->due = gf_time_ms() + pause_ms;
    if (r->due == 0)
        r->due = 1;
    list_push(&c->waiting, r);
}

/* Sends r to the next member, pauses before the next round, or fails it when
 * its deadline does not leave time. why: the failure of the last attempt. */
static void retry(gd_etcd_t *c, req_t *r, const char *why)
{
    uint64_t now = gf_time_ms();
    unsigned pause = jitter(c, r->pause_ms);
    snprintf(r->last_err, sizeof(r->last_err), "%s: %s", c->urls[r->member], why);
    member_failed(c, r->member, why);
    if (now >= r->deadline) {
        fail_unreachable(c, r);
        return;
    }
    if (++r->tried < c->n_urls) {
        start_attempt(c, r);
        return;
    }
    r->tried = 0;
    if (now + pause + LAST_ROUND_MS >= r->deadline) {
        if (r->deadline - now <= LAST_ROUND_MS) {
            fail_unreachable(c, r);
            return;
        }
        pause = (unsigned)(r->deadline - now - LAST_ROUND_MS); /* one last round */
    }
    wait_then_retry(c, r, pause);
    r->pause_ms = r->pause_ms * 2 > MAX_ROUND_PAUSE_MS ? MAX_ROUND_PAUSE_MS : r->pause_ms * 2;
}

/* Whether the request of r may have reached etcd before curl failed with rc. */
static int maybe_sent(req_t *r, CURLcode rc)
{
    curl_off_t pretransfer = 0;
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
        return 0;
    curl_easy_getinfo(r->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    return pretransfer > 0;
}

/* A failed attempt that is not to be retried. */
static void fail_sent(gd_etcd_t *c, req_t *r, const char *why)
{
    char msg[ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "etcd member %s failed after receiving %s, outcome unknown: %s",
             c->urls[r->member], gd_etcd_path(r->kind), why);
    member_failed(c, r->member, why);
    deliver_error(r, -ETIMEDOUT, msg);
}

/* The exchange of r did not complete (why); sent: its request may have
 * reached etcd. */
static void transport_failed(gd_etcd_t *c, req_t *r, int sent, const char *why)
{
    if (sent && r->kind == GD_ETCD_TXN) {
        fail_sent(c, r, why);
        return;
    }
    if (sent && r->kind == GD_ETCD_CAMPAIGN && gf_time_ms() >= r->deadline) {
        r->deadline = gf_time_ms() + c->deadline_ms; /* it waited long, then lost its member */
        r->tried = 0;
    }
    retry(c, r, why);
}

/* etcd answered with an error (HTTP status http). */
static void etcd_failed(gd_etcd_t *c, req_t *r, long http)
{
    char msg[512], full[ERRMSG_MAX];
    int code = gd_etcd_dec_error(r->resp ? r->resp : "", msg, sizeof(msg));
    int err = -EIO;
    if (code < 0)
        snprintf(msg, sizeof(msg), "HTTP status %ld", http);
    if (code == 14 || (code < 0 && http >= 500)) { /* unavailable: no leader, ... */
        if (r->kind != GD_ETCD_TXN || strstr(msg, "no leader")) {
            retry(c, r, msg);
            return;
        }
        fail_sent(c, r, msg);
        return;
    }
    if (code == 5 || strstr(msg, "election: no leader"))
        err = -ENOENT;
    else if (code == 3 || code == 9 || code == 11)
        err = -EINVAL;
    snprintf(full, sizeof(full), "etcd member %s refused %s: %s", c->urls[r->member],
             gd_etcd_path(r->kind), msg);
    deliver_error(r, err, full);
}

/*
 * Watches.
 */

static int watch_live(gd_etcd_watch_t *w)
{
    gd_etcd_t *c = w->c;
    int live;
    pthread_mutex_lock(&c->mu);
    live = !w->cancelled;
    pthread_mutex_unlock(&c->mu);
    return live;
}

/* Calls w's callback unless w was cancelled, marked as running so that
 * gd_etcd_watch_cancel on another thread waits for it to return. */
static void watch_call(gd_etcd_watch_t *w, int err, const gd_etcd_event_t *evs, int n, int64_t rev)
{
    gd_etcd_t *c = w->c;
    pthread_mutex_lock(&c->mu);
    if (w->cancelled) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    c->in_watch_cb = w;
    c->cb_thread = pthread_self();
    pthread_mutex_unlock(&c->mu);
    w->cb(err, evs, n, rev, w->cookie);
    pthread_mutex_lock(&c->mu);
    c->in_watch_cb = NULL;
    pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->mu);
}

/* Starts a new stream for w's request r after pause_ms. */
static void watch_reconnect(gd_etcd_t *c, req_t *r, const char *why)
{
    gd_etcd_watch_t *w = r->watch;
    unsigned pause = r->established ? 0 : w->pause_ms;
    member_failed(c, r->member, why);
    if (!r->established)
        w->pause_ms = w->pause_ms * 2 > MAX_WATCH_PAUSE_MS ? MAX_WATCH_PAUSE_MS : w->pause_ms * 2;
    gf_log(GF_LOG_INFO, "watch on %s: stream from %s ended (%s); resuming at revision %" PRId64,
           w->key, c->urls[r->member], why, w->next_rev);
    wait_then_retry(c, r, jitter(c, pause));
}

/* Ends r's stream now (it stays in no list). */
static void stream_abort(gd_etcd_t *c, req_t *r)
{
    curl_multi_remove_handle(c->multi, r->easy);
    list_unlink(&c->active, r);
}

/* Delivers the changes of m not delivered before, and moves next_rev past them. */
static void watch_events(gd_etcd_watch_t *w, gd_etcd_watch_msg_t *m)
{
    int first = 0;
    while (first < m->n && m->evs[first].kv.mod_rev < w->next_rev)
        first++;
    if (first == m->n)
        return;
    w->next_rev = m->evs[m->n - 1].kv.mod_rev + 1;
    watch_call(w, 0, m->evs + first, m->n - first, m->rev);
}

/* Acts on one message of r's stream. Returns 0 to go on reading, 1 when the
 * stream was ended here. */
static int watch_message(gd_etcd_t *c, req_t *r, gd_etcd_watch_msg_t *m)
{
    gd_etcd_watch_t *w = r->watch;
    if (m->canceled && m->compact_rev > 0) {
        stream_abort(c, r);
        req_free(r);
        w->req = NULL;
        gf_log(GF_LOG_WARNING, "watch on %s: revision %" PRId64 " compacted (oldest %" PRId64 ")",
               w->key, w->next_rev, m->compact_rev);
        watch_call(w, -ESTALE, NULL, 0, m->compact_rev);
        return 1;
    }
    if (m->error || m->canceled) {
        stream_abort(c, r);
        watch_reconnect(c, r, m->error ? "stream error" : "cancelled by etcd");
        return 1;
    }
    if (m->created) { /* reported once: a new stream resumes at next_rev */
        r->established = 1;
        w->pause_ms = FIRST_PAUSE_MS;
        if (w->next_rev == 0)
            w->next_rev = m->rev + 1;
        if (!w->announced)
            watch_call(w, 0, NULL, 0, m->rev);
        w->announced = 1;
        return 0;
    }
    watch_events(w, m);
    return 0;
}

/* Reads the complete lines that arrived on watch stream r. */
static void watch_read(gd_etcd_t *c, req_t *r)
{
    char *nl;
    int ended = 0;
    r->dirty = 0;
    while (!ended && watch_live(r->watch) &&
           (nl = memchr(r->resp + r->scanned, '\n', r->resp_len - r->scanned))) {
        gd_etcd_watch_msg_t m;
        char *line = r->resp + r->scanned;
        *nl = '\0';
        r->scanned = (size_t)(nl + 1 - r->resp);
        if (line[0] == '\0' || line[0] == '\r')
            continue;
        if (gd_etcd_dec_watch(line, &m) != 0) {
            gf_log(GF_LOG_WARNING, "watch on %s: unreadable message from %s", r->watch->key,
                   c->urls[r->member]);
            continue;
        }
        ended = watch_message(c, r, &m);
        gd_etcd_watch_msg_free(&m);
    }
    if (!ended && r->scanned > 0) {
        memmove(r->resp, r->resp + r->scanned, r->resp_len - r->scanned);
        r->resp_len -= r->scanned;
        r->scanned = 0;
    }
}

/*
 * Attempts.
 */

/* Sets the options of r's easy handle that do not change between attempts. */
static int easy_setup(gd_etcd_t *c, req_t *r)
{
    CURL *e = curl_easy_init();
    if (!e)
        return -ENOMEM;
    r->easy = e;
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_err);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    return 0;
}

/* The limits of one attempt of r: it connects within the attempt limit (and the
 * deadline); a unary request then waits for its answer until its deadline (its
 * member is checked every attempt limit: check_silent), a status probe only for
 * the attempt limit, a long one (campaign, watch) for ever. */
static void set_timeouts(gd_etcd_t *c, req_t *r)
{
    uint64_t now = gf_time_ms();
    uint64_t left = r->deadline == NEVER ? c->attempt_ms
                    : r->deadline > now  ? r->deadline - now
                                         : 1;
    long limit = (long)(left < c->attempt_ms ? left : c->attempt_ms);
    int waits = r->kind == GD_ETCD_WATCH || r->kind == GD_ETCD_CAMPAIGN;
    curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, limit);
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS,
                     waits ? 0L : r->kind == GD_ETCD_PROBE ? limit : (long)left);
    r->check_at = waits || r->kind == GD_ETCD_PROBE ? 0 : now + c->attempt_ms;
}

/* A watch's body says where to resume, so it is built for each stream. */
static int watch_body(req_t *r)
{
    gd_etcd_watch_t *w = r->watch;
    char *body = gd_etcd_enc_watch(w->key, w->prefix, w->next_rev);
    if (!body)
        return -ENOMEM;
    gf_free(r->body);
    r->body = body;
    r->established = 0;
    return 0;
}

/* Starts one attempt of r on the current member; failures to start end r (a
 * watch retries later). */
static void start_attempt(gd_etcd_t *c, req_t *r)
{
    char url[2048];
    int err = r->easy ? 0 : easy_setup(c, r);
    if (!err && r->watch)
        err = watch_body(r);
    if (r->kind != GD_ETCD_PROBE) /* a probe is for one member */
        r->member = c->current;
    r->term = c->term;
    r->overdue = 0;
    r->due = 0;
    r->resp_len = r->scanned = 0;
    r->curl_err[0] = '\0';
    if (!err) {
        snprintf(url, sizeof(url), "%s%s", c->urls[r->member], gd_etcd_path(r->kind));
        curl_easy_setopt(r->easy, CURLOPT_URL, url);
        if (r->body) {
            curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
            curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
        }
        set_timeouts(c, r);
        err = curl_multi_add_handle(c->multi, r->easy) == CURLM_OK ? 0 : -EIO;
    }
    if (!err) {
        list_push(&c->active, r);
        __atomic_add_fetch(&c->requests, 1, __ATOMIC_RELAXED);
    } else if (r->watch) {
        wait_then_retry(c, r, MAX_WATCH_PAUSE_MS);
    } else if (r->kind == GD_ETCD_PROBE) { /* the next check sends another */
        c->mem[r->member].probing = 0;
        req_free(r);
    } else {
        deliver_error(r, err, "etcd client: cannot start a request (out of memory)");
    }
}

/*
 * Liveness of the members.
 */

/* Asks member m for its status, unless that is being done. */
static void probe(gd_etcd_t *c, int m)
{
    req_t *r;
    if (c->mem[m].probing)
        return;
    if (!(r = req_new(c, GD_ETCD_PROBE, gf_strdup("{}"), NULL, NULL)) || !r->body) {
        gf_free(r);
        gf_log(GF_LOG_ERROR, "etcd client: out of memory; cannot check member %s", c->urls[m]);
        return;
    }
    r->member = m;
    c->mem[m].probing = 1;
    start_attempt(c, r);
}

/* Ends the attempt of unary request r (why) and sends it again, or fails it. */
static void abandon(gd_etcd_t *c, req_t *r, const char *why)
{
    stream_abort(c, r);
    transport_failed(c, r, maybe_sent(r, CURLE_OPERATION_TIMEDOUT), why);
}

/* Member m did not answer a status request: the requests waiting on it move on.
 * Its watch streams stay: a member that is merely overloaded answers late, and
 * moving every watch of every client would add to its load; a watch loses
 * nothing by waiting, and a member cut off from the others ends its watches
 * itself (the require-leader flag). */
static void member_hung(gd_etcd_t *c, int m)
{
    const char *why = "member did not answer (hung?)";
    gf_log(GF_LOG_WARNING, "etcd member %s did not answer within %u ms; moving its requests",
           c->urls[m], c->attempt_ms);
    for (req_t *r = c->active.head, *next; r; r = next) {
        next = r->next;
        if (r->member == m && r->kind != GD_ETCD_PROBE && !r->watch)
            abandon(c, r, why);
    }
    member_failed(c, m, why);
}

/* Member m answered in Raft term term: the unary requests on it that have waited
 * an attempt limit since they were sent in an earlier term go again (terms are
 * the cluster's: a request sent to m before the client heard of any term takes
 * this one as its own). */
static void term_seen(gd_etcd_t *c, int m, int64_t term)
{
    c->term = term > c->term ? term : c->term;
    for (req_t *r = c->active.head, *next; r; r = next) {
        next = r->next;
        if (r->member == m && !r->term)
            r->term = term;
        if (r->member == m && r->overdue && r->term < term) {
            gf_log(GF_LOG_INFO, "etcd member %s: new leader (term %" PRId64 "); %s sent again",
                   c->urls[m], term, gd_etcd_path(r->kind));
            abandon(c, r, "the leader changed while it waited");
        }
    }
}

/* A status request of member m ended: with its term, or it is hung. */
static void probe_done(gd_etcd_t *c, req_t *r, int ok)
{
    int m = r->member;
    gd_etcd_decoded_t d;
    int64_t term = 0;
    if (ok && gd_etcd_dec_reply(GD_ETCD_PROBE, r->resp ? r->resp : "", &d) == 0) {
        term = d.reply.term;
        gd_etcd_dec_free(&d);
    }
    req_free(r);
    c->mem[m].probing = 0;
    if (!ok)
        member_hung(c, m);
    else if (term > 0)
        term_seen(c, m, term);
}

/* For each unary attempt that has waited another attempt limit: checks its
 * member (one status request at a time per member). */
static void check_silent(gd_etcd_t *c)
{
    uint64_t now = gf_time_ms();
    for (req_t *r = c->active.head; r; r = r->next) {
        if (!r->check_at || r->check_at > now)
            continue;
        r->check_at = now + c->attempt_ms;
        r->overdue = 1;
        probe(c, r->member);
    }
}

/* An attempt of r ended with rc: deliver, retry, or fail. */
static void attempt_done(gd_etcd_t *c, req_t *r, CURLcode rc)
{
    long http = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &http);
    curl_multi_remove_handle(c->multi, r->easy);
    list_unlink(&c->active, r);
    if (r->kind == GD_ETCD_PROBE) {
        probe_done(c, r, rc == CURLE_OK && http == 200);
    } else if (r->watch) {
        char why[300];
        snprintf(why, sizeof(why), "%s",
                 rc != CURLE_OK ? (r->curl_err[0] ? r->curl_err : curl_easy_strerror(rc))
                 : http == 200  ? "closed by the member"
                                : "refused by the member");
        watch_reconnect(c, r, why);
    } else if (rc != CURLE_OK) {
        transport_failed(c, r, maybe_sent(r, rc),
                         r->curl_err[0] ? r->curl_err : curl_easy_strerror(rc));
    } else if (http == 200) {
        deliver_ok(c, r);
    } else {
        etcd_failed(c, r, http);
    }
}

/*
 * One turn of the driver.
 */

static void drop_watch(gd_etcd_t *c, gd_etcd_watch_t *w)
{
    if (w->req) {
        req_detach(c, w->req);
        req_free(w->req);
    }
    gf_free(w->key);
    gf_free(w);
}

/* Starts the waiting requests that are due. */
static void start_due(gd_etcd_t *c)
{
    uint64_t now = gf_time_ms();
    req_t *r = c->waiting.head, *next;
    for (; r; r = next) {
        next = r->next;
        if (r->due <= now) {
            list_unlink(&c->waiting, r);
            start_attempt(c, r);
        }
    }
}

/* Reads what arrived on watch streams, then ends the finished transfers. */
static void collect(gd_etcd_t *c)
{
    CURLMsg *msg;
    int left;
    while (c->dirty) {
        req_t *r = c->dirty;
        c->dirty = r->dirty_next;
        watch_read(c, r);
    }
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        req_t *r = NULL;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        attempt_done(c, r, msg->data.result);
    }
}

/* Sets the timer to the earliest of curl's timeout and the waiting requests. */
static void arm_timer(gd_etcd_t *c)
{
    uint64_t due = c->curl_due, now = gf_time_ms();
    for (req_t *r = c->waiting.head; r; r = r->next)
        due = r->due < due ? r->due : due;
    for (req_t *r = c->active.head; r; r = r->next)
        due = r->check_at && r->check_at < due ? r->check_at : due;
    if (c->timer && due == c->timer_due && due > now)
        return; /* already set for then, and not yet due */
    if (c->timer)
        gf_timer_cancel(c->timers, c->timer);
    c->timer = NULL;
    c->timer_due = due;
    if (due != NEVER)
        c->timer = gf_timer_add(c->timers, due > now ? due - now : 0, timer_fire, c);
}

static void run_work(gd_etcd_t *c, work_t *w)
{
    int running;
    for (req_t *r = w->incoming, *next; r; r = next) {
        next = r->next;
        start_attempt(c, r);
    }
    for (gd_etcd_watch_t *wt = w->cancelled, *next; wt; wt = next) {
        next = wt->next;
        drop_watch(c, wt);
    }
    for (int i = 0; i < w->n_evs; i++) {
        int mask = ((w->evs[i] & GF_EV_IN) ? CURL_CSELECT_IN : 0) |
                   ((w->evs[i] & GF_EV_OUT) ? CURL_CSELECT_OUT : 0) |
                   ((w->evs[i] & GF_EV_ERR) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(c->multi, w->fds[i], mask, &running);
        collect(c);
    }
    if (w->timer) {
        if (c->curl_due != NEVER && c->curl_due <= gf_time_ms()) {
            c->curl_due = NEVER;
            curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        start_due(c);
        check_silent(c);
    }
    collect(c);
    arm_timer(c);
}

/*
 * Creating and destroying.
 */

/* Splits the comma-separated URL list into c->urls, trimming spaces and a final
 * '/'. 0, -EINVAL (empty, or not http:// or https://), -ENOMEM. */
static int parse_urls(gd_etcd_t *c, const char *urls)
{
    char *copy = gf_strdup(urls), *save = NULL, *tok;
    int err = copy ? 0 : -ENOMEM;
    for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && !err;
         tok = strtok_r(NULL, ",", &save)) {
        size_t len;
        char **grown;
        while (*tok == ' ')
            tok++;
        len = strlen(tok);
        while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '/'))
            tok[--len] = '\0';
        if (len == 0)
            continue;
        if (strncmp(tok, "http://", 7) != 0 && strncmp(tok, "https://", 8) != 0) {
            err = -EINVAL;
            break;
        }
        grown = gf_realloc(c->urls, (size_t)(c->n_urls + 1) * sizeof(*grown));
        if (!grown || !(grown[c->n_urls] = gf_strdup(tok)))
            err = -ENOMEM;
        if (grown)
            c->urls = grown;
        if (!err)
            c->n_urls++;
    }
    gf_free(copy);
    return err ? err : c->n_urls ? 0 : -EINVAL;
}

/* Frees what c holds besides its lock and itself. */
static void free_resources(gd_etcd_t *c)
{
    for (int i = 0; i < c->n_urls; i++)
        gf_free(c->urls[i]);
    gf_free(c->urls);
    gf_free(c->mem);
    gf_free(c->urls_text);
    curl_slist_free_all(c->headers);
    if (c->multi)
        curl_multi_cleanup(c->multi);
}

static void free_shell(gd_etcd_t *c)
{
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->idle);
    gf_free(c);
}

/* The headers of every request: JSON, no "Expect: 100-continue" round trip, and
 * etcd's require-leader flag, so a member cut off from the others refuses (and
 * ends watches) instead of answering stale. 0 or -ENOMEM. */
static int make_headers(gd_etcd_t *c)
{
    static const char *const lines[] = {"Content-Type: application/json",
                                        "Expect:", "Grpc-Metadata-hasleader: true"};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct curl_slist *l = curl_slist_append(c->headers, lines[i]);
        if (!l)
            return -ENOMEM;
        c->headers = l;
    }
    return 0;
}

static int make_multi(gd_etcd_t *c)
{
    c->multi = curl_multi_init();
    if (!c->multi)
        return -ENOMEM;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    return 0;
}

int gd_etcd_new(const char *urls, gf_event_pool_t *events, gf_timer_wheel_t *timers,
                const gd_etcd_opts_t *opts, gd_etcd_t **out)
{
    gd_etcd_t *c;
    int err;
    if (!urls || !events || !timers || !out)
        return -EINVAL;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return -ENOMEM;
    c = gf_calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->idle, NULL);
    c->refs = 1;
    c->events = events;
    c->timers = timers;
    c->curl_due = c->timer_due = NEVER;
    c->deadline_ms = opts && opts->deadline_ms ? opts->deadline_ms : DEFAULT_DEADLINE_MS;
    c->attempt_ms = opts && opts->attempt_ms ? opts->attempt_ms : DEFAULT_ATTEMPT_MS;
    c->rand = (gf_time_ms() << 16) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)c;
    c->urls_text = gf_strdup(urls);
    err = c->urls_text ? parse_urls(c, urls) : -ENOMEM;
    if (!err && !(c->mem = gf_calloc((size_t)c->n_urls, sizeof(*c->mem))))
        err = -ENOMEM;
    if (!err)
        c->current = (int)((opts ? opts->first_member : 0) % (unsigned)c->n_urls);
    if (!err)
        err = make_headers(c);
    if (!err)
        err = make_multi(c);
    if (err) {
        free_resources(c);
        free_shell(c);
        return err;
    }
    *out = c;
    return 0;
}

/* Frees every request and watch of c, registered sockets included. Called once
 * nothing drives c any more. */
static void drop_everything(gd_etcd_t *c)
{
    gd_etcd_watch_t *lists[] = {c->watches, c->cancelled};
    for (req_t *r = c->incoming, *next; r; r = next) {
        next = r->next;
        if (r->watch)
            r->watch->req = NULL;
        req_free(r);
    }
    for (int i = 0; i < 2; i++) {
        for (gd_etcd_watch_t *w = lists[i], *next; w; w = next) {
            next = w->next;
            drop_watch(c, w);
        }
    }
    while (c->active.head) {
        req_t *r = c->active.head;
        req_detach(c, r);
        req_free(r);
    }
    while (c->waiting.head) {
        req_t *r = c->waiting.head;
        req_detach(c, r);
        req_free(r);
    }
    while (c->socks)
        sock_drop(c, c->socks);
}

void gd_etcd_destroy(gd_etcd_t *c)
{
    int last;
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->closing = 1;
    while (c->busy)
        pthread_cond_wait(&c->idle, &c->mu);
    pthread_mutex_unlock(&c->mu);
    if (c->timer)
        gf_timer_cancel(c->timers, c->timer);
    c->timer = NULL;
    drop_everything(c);
    free_resources(c);
    pthread_mutex_lock(&c->mu);
    last = --c->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        free_shell(c); /* else the last kick_task still queued frees it */
}

const char *gd_etcd_urls(gd_etcd_t *c)
{
    return c->urls_text;
}

uint64_t gd_etcd_requests(gd_etcd_t *c)
{
    return __atomic_load_n(&c->requests, __ATOMIC_RELAXED);
}

/*
 * Requests.
 */

/* Queues a request with body (taken over; NULL means encoding ran out of memory). */
static int queue(gd_etcd_t *c, gd_etcd_kind_t kind, char *body, gd_etcd_cb_t cb, void *cookie)
{
    req_t *r;
    if (!body)
        return -ENOMEM;
    r = req_new(c, kind, body, cb, cookie);
    if (!r)
        return -ENOMEM;
    submit(c, r);
    return 0;
}

int gd_etcd_put(gd_etcd_t *c, const char *key, const char *value, size_t len, int64_t lease,
                gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !key || !*key || (!value && len) || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_PUT, gd_etcd_enc_put(key, value ? value : "", len, lease), cb, cookie);
}

int gd_etcd_range(gd_etcd_t *c, const char *key, int prefix, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !key || (!*key && !prefix) || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_RANGE, gd_etcd_enc_range(key, prefix), cb, cookie);
}

int gd_etcd_delete(gd_etcd_t *c, const char *key, int prefix, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !key || (!*key && !prefix) || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_DELETE, gd_etcd_enc_delete(key, prefix), cb, cookie);
}

/* Whether every key of the txn is set and every enum in range. */
static int txn_valid(const gd_etcd_txn_t *t)
{
    const gd_etcd_op_t *branches[] = {t->success, t->failure};
    int counts[] = {t->n_success, t->n_failure};
    for (int i = 0; i < t->n_cmps; i++) {
        const gd_etcd_cmp_t *cmp = &t->cmps[i];
        if (!cmp->key || cmp->target > GD_ETCD_VALUE || cmp->result > GD_ETCD_LESS ||
            (cmp->target == GD_ETCD_VALUE && !cmp->value && cmp->value_len))
            return 0;
    }
    for (int b = 0; b < 2; b++) {
        for (int i = 0; i < counts[b]; i++) {
            const gd_etcd_op_t *op = &branches[b][i];
            if (!op->key || op->type > GD_ETCD_OP_RANGE ||
                (op->type == GD_ETCD_OP_PUT && !op->value && op->value_len))
                return 0;
        }
    }
    return 1;
}

int gd_etcd_txn(gd_etcd_t *c, const gd_etcd_txn_t *txn, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !txn || !cb || !txn_valid(txn))
        return -EINVAL;
    return queue(c, GD_ETCD_TXN, gd_etcd_enc_txn(txn), cb, cookie);
}

int gd_etcd_lease_grant(gd_etcd_t *c, int64_t ttl_s, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || ttl_s <= 0 || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_GRANT, gd_etcd_enc_grant(ttl_s), cb, cookie);
}

int gd_etcd_lease_keepalive(gd_etcd_t *c, int64_t id, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !id || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_KEEPALIVE, gd_etcd_enc_lease_id(id), cb, cookie);
}

int gd_etcd_lease_revoke(gd_etcd_t *c, int64_t id, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !id || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_REVOKE, gd_etcd_enc_lease_id(id), cb, cookie);
}

int gd_etcd_campaign(gd_etcd_t *c, const char *name, int64_t lease, const char *value,
                     gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !name || !*name || !lease || !value || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_CAMPAIGN, gd_etcd_enc_campaign(name, lease, value), cb, cookie);
}

int gd_etcd_leader(gd_etcd_t *c, const char *name, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !name || !*name || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_LEADER, gd_etcd_enc_leader(name), cb, cookie);
}

int gd_etcd_resign(gd_etcd_t *c, const gd_etcd_leader_t *l, gd_etcd_cb_t cb, void *cookie)
{
    if (!c || !l || !l->name || !l->key || !cb)
        return -EINVAL;
    return queue(c, GD_ETCD_RESIGN, gd_etcd_enc_resign(l), cb, cookie);
}

int gd_etcd_watch(gd_etcd_t *c, const char *key, int prefix, int64_t start_rev,
                  gd_etcd_watch_cb_t cb, void *cookie, gd_etcd_watch_t **out)
{
    gd_etcd_watch_t *w;
    req_t *r;
    if (!c || !key || (!*key && !prefix) || start_rev < 0 || !cb || !out)
        return -EINVAL;
    w = gf_calloc(1, sizeof(*w));
    r = req_new(c, GD_ETCD_WATCH, NULL, NULL, NULL);
    if (!w || !r || !(w->key = gf_strdup(key))) {
        gf_free(w);
        if (r)
            req_free(r);
        return -ENOMEM;
    }
    *w = (gd_etcd_watch_t){.c = c,
                           .key = w->key,
                           .prefix = prefix,
                           .next_rev = start_rev,
                           .pause_ms = FIRST_PAUSE_MS,
                           .req = r,
                           .cb = cb,
                           .cookie = cookie};
    r->watch = w;
    pthread_mutex_lock(&c->mu);
    w->next = c->watches;
    c->watches = w;
    pthread_mutex_unlock(&c->mu);
    submit(c, r);
    *out = w;
    return 0;
}

void gd_etcd_watch_cancel(gd_etcd_watch_t *w)
{
    gd_etcd_t *c;
    if (!w)
        return;
    c = w->c;
    pthread_mutex_lock(&c->mu);
    for (gd_etcd_watch_t **pp = &c->watches; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    w->cancelled = 1;
    w->next = c->cancelled;
    c->cancelled = w;
    kick_locked(c);
    while (c->in_watch_cb == w && !pthread_equal(c->cb_thread, pthread_self()))
        pthread_cond_wait(&c->idle, &c->mu);
    pthread_mutex_unlock(&c->mu);
}

gd_etcd_leader_t *gd_etcd_leader_dup(const gd_etcd_leader_t *l)
{
    gd_etcd_leader_t *d = gf_calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    *d = (gd_etcd_leader_t){
        .name = gf_strdup(l->name), .key = gf_strdup(l->key), .rev = l->rev, .lease = l->lease};
    if (!d->name || !d->key) {
        gd_etcd_leader_free(d);
        return NULL;
    }
    return d;
}

void gd_etcd_leader_free(gd_etcd_leader_t *l)
{
    if (!l)
        return;
    gf_free(l->name);
    gf_free(l->key);
    gf_free(l);
}
