/*
 * Brick status reports (contract in bstatus.h): their text in the store, reading
 * a volume's reports, and waiting for the reports of a change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "bstatus.h"
#include "glusterd.h"
#include "mirror.h"

static const char *const state_words[] = {"offline", "online", "failed"};

void
gd_bstatus_key(const char *vol, int idx, char *key, size_t len)
{
    snprintf(key, len, GD_STATUS_PREFIX "%s/%d", vol, idx);
}

char *
gd_bstatus_value(const gd_bstatus_t *st)
{
    char *v = NULL;
    if (gf_asprintf(&v, "gen=%llu\nstate=%s\nport=%d\npid=%d\nserver=%s\nerror=%s\n",
                    (unsigned long long)st->gen, state_words[st->state], st->port, st->pid,
                    st->server, st->error) < 0)
        return NULL;
    for (char *p = strstr(v, "error=") + 6; *p && p[1]; p++)
        if (*p == '\n')
            *p = ' '; /* a message on one line */
    return v;
}

/* Copies field name of text into buf ("" when absent). */
static void
copy_field(const char *text, const char *name, char *buf, size_t len)
{
    char *v = gd_field(text, name);
    snprintf(buf, len, "%s", v ? v : "");
    gf_free(v);
}

/* Parses one report into st (unknown words leave it offline). */
static void
parse(const char *text, gd_bstatus_t *st)
{
    char word[32];

    copy_field(text, "gen", word, sizeof(word));
    st->gen = strtoull(word, NULL, 10);
    copy_field(text, "state", word, sizeof(word));
    for (int i = 0; i < 3; i++)
        if (strcmp(word, state_words[i]) == 0)
            st->state = (gd_bs_state_t)i;
    copy_field(text, "port", word, sizeof(word));
    st->port = atoi(word);
    copy_field(text, "pid", word, sizeof(word));
    st->pid = atoi(word);
    copy_field(text, "server", st->server, sizeof(st->server));
    copy_field(text, "error", st->error, sizeof(st->error));
}

/* The reports of bricks 0..n_bricks-1 in kvs (a listing of prefix status/VOL/),
 * allocated (gf_free); NULL on ENOMEM. */
static gd_bstatus_t *
from_kvs(const char *prefix, const gd_kv_t *kvs, int n, int n_bricks)
{
    gd_bstatus_t *sts = gf_calloc((size_t)n_bricks + 1, sizeof(*sts));
    size_t plen = strlen(prefix);

    for (int i = 0; sts && i < n; i++) {
        char *end;
        long idx = strtol(kvs[i].key + plen, &end, 10);
        if (*end == '\0' && idx >= 0 && idx < n_bricks)
            parse(kvs[i].value, &sts[idx]);
    }
    return sts;
}

/* --- reading --- */

typedef struct loading {
    gd_bstatus_cb_t cb;
    void *cookie;
    int n;
    char prefix[GD_STORE_KEY_MAX];
} loading_t;

static void
listed(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    loading_t *l = cookie;
    gd_bstatus_t *sts = err ? NULL : from_kvs(l->prefix, kvs, n, l->n);
    char msg[512] = "";

    if (!err && !sts)
        err = -ENOMEM;
    if (err)
        gd_store_strerror(gd.store, err, msg, sizeof(msg));
    l->cb(err, msg, err ? NULL : sts, err ? 0 : l->n, l->cookie);
    gf_free(sts);
    gf_free(l);
}

void
gd_bstatus_load(const char *vol, int n_bricks, gd_bstatus_cb_t cb, void *cookie)
{
    loading_t *l = gf_calloc(1, sizeof(*l));

    if (!l) {
        cb(-ENOMEM, "glusterd is out of memory", NULL, 0, cookie);
        return;
    }
    l->cb = cb;
    l->cookie = cookie;
    l->n = n_bricks;
    snprintf(l->prefix, sizeof(l->prefix), GD_STATUS_PREFIX "%s/", vol);
    gd_store_list(gd.store, l->prefix, listed, l);
}

/* --- the summary --- */

#define SHOWN 5            /* bricks named per kind of problem */
#define REASON_MAX 400     /* a failed brick's line is shortened to this */
#define NAME_MAX_LEN 160   /* a silent brick's HOST:PATH is shortened to this */
#define NAMES_MAX 1024     /* the line naming the silent bricks */

/* Appends line to buf (GD_BSTATUS_MSG_MAX bytes) as a line of its own, shortened to
 * max bytes (ending in "...") when longer; dropped when buf has no room left. */
static void
add_line(char *buf, const char *line, size_t max)
{
    size_t len = strlen(buf), n = strlen(line), room;

    if (len + 5 >= GD_BSTATUS_MSG_MAX)
        return;
    room = GD_BSTATUS_MSG_MAX - len - 2;
    if (max > room)
        max = room;
    if (len)
        buf[len++] = '\n';
    if (n <= max) {
        memcpy(buf + len, line, n + 1);
        return;
    }
    memcpy(buf + len, line, max - 3);
    memcpy(buf + len + max - 3, "...", 4);
}

/* The line of failed brick b with report st. */
static void
add_failed(char *buf, const gd_brick_t *b, const gd_bstatus_t *st)
{
    char line[sizeof(st->error) + 256];

    if (st->error[0])
        snprintf(line, sizeof(line), "%s", st->error);
    else
        snprintf(line, sizeof(line), "brick %s:%s failed (no reason given)", b->host, b->path);
    add_line(buf, line, REASON_MAX);
}

/* Appends HOST:PATH of b to names (NAMES_MAX bytes), shortened to NAME_MAX_LEN. */
static void
add_name(char *names, const gd_brick_t *b)
{
    char name[NAME_MAX_LEN + 1];
    size_t len = strlen(names);
    int n = snprintf(name, sizeof(name), "%s:%s", b->host, b->path);

    if (n >= (int)sizeof(name))
        memcpy(name + sizeof(name) - 4, "...", 4);
    snprintf(names + len, NAMES_MAX - len, "%s%s", len ? ", " : "", name);
}

/* The line counting (and naming the first of) the n_silent bricks flagged in
 * silent. */
static void
add_silent(char *buf, const gd_volume_t *vol, const int *silent, int n_silent, int n_waited,
           unsigned wait_s)
{
    char names[NAMES_MAX] = "", line[NAMES_MAX + 256];
    int shown = 0;

    for (int i = 0; i < vol->n_bricks && shown < SHOWN; i++)
        if (silent[i]) {
            add_name(names, &vol->bricks[i]);
            shown++;
        }
    if (shown < n_silent)
        snprintf(line, sizeof(line), "%d of %d bricks have not reported within %u s (first: "
                 "%s, and %d more)", n_silent, n_waited, wait_s, names, n_silent - shown);
    else
        snprintf(line, sizeof(line), "%d of %d brick%s %s not reported within %u s (%s)",
                 n_silent, n_waited, n_waited == 1 ? "" : "s", n_silent == 1 ? "has" : "have",
                 wait_s, names);
    add_line(buf, line, sizeof(line));
}

char *
gd_bstatus_summary(const gd_volume_t *vol, const gd_bstatus_t *sts, const int *failed,
                   const int *silent, int n_waited, unsigned wait_s)
{
    char *buf = gf_calloc(1, GD_BSTATUS_MSG_MAX);
    char line[256];
    int n_failed = 0, n_silent = 0, shown = 0;

    if (!buf)
        return NULL;
    for (int i = 0; i < vol->n_bricks; i++) {
        n_failed += failed[i] != 0;
        n_silent += silent[i] != 0;
    }
    if (n_failed > 1 || (n_failed && n_silent)) {
        snprintf(line, sizeof(line), "%d of %d bricks failed:", n_failed, n_waited);
        add_line(buf, line, sizeof(line));
    }
    for (int i = 0; i < vol->n_bricks && shown < SHOWN; i++)
        if (failed[i]) {
            add_failed(buf, &vol->bricks[i], &sts[i]);
            shown++;
        }
    if (shown < n_failed) {
        snprintf(line, sizeof(line), "and %d more failed bricks: see `gluster volume status %s`",
                 n_failed - shown, vol->name);
        add_line(buf, line, sizeof(line));
    }
    if (n_silent)
        add_silent(buf, vol, silent, n_silent, n_waited, wait_s);
    return buf;
}

/* --- waiting --- */

typedef struct waiting waiting_t;

/* The timeout timer's data; outlives the wait when the timer fires meanwhile. */
typedef struct token {
    waiting_t *w; /* NULL once the wait ended */
} token_t;

struct waiting {
    gd_volume_t *vol;
    uint64_t gen;
    int online;
    int *skip;
    gd_bstatus_wait_cb_t cb;
    void *cookie;
    char prefix[GD_STORE_KEY_MAX];
    gd_mirror_t *mirror; /* of the volume's reports */
    gf_timer_t *timer;
    token_t *token;
    int timed_out;
    int n_waited;     /* bricks not skipped */
    unsigned wait_ms; /* how long */
};

static void
wait_end(waiting_t *w, int err, const char *msg)
{
    if (w->timer && gf_timer_cancel(gf_ctx->timers, w->timer) == 0)
        gf_free(w->token);
    else if (w->token)
        w->token->w = NULL; /* the timer fired: its task frees the token */
    gd_mirror_free(w->mirror);
    w->cb(err, msg, w->cookie);
    gd_vol_free(w->vol);
    gf_free(w->skip);
    gf_free(w);
}

/* Whether report st ends the wait for its brick. */
static int
final(const waiting_t *w, const gd_bstatus_t *st)
{
    if (st->gen < w->gen)
        return 0;
    return st->state == GD_BS_FAILED || (int)(st->state == GD_BS_ONLINE) == w->online;
}

unsigned
gd_bstatus_wait_ms(int n_bricks)
{
    unsigned long long ms = GD_BSTATUS_WAIT_S * 1000ULL +
                            (unsigned long long)(n_bricks > 0 ? n_bricks : 0) *
                                GD_BSTATUS_WAIT_BRICK_MS;

    return ms > GD_BSTATUS_WAIT_MAX_S * 1000ULL ? GD_BSTATUS_WAIT_MAX_S * 1000U : (unsigned)ms;
}

/* Ends w with the summary of the bricks that failed or are still pending. */
static void
wait_fail(waiting_t *w, const gd_bstatus_t *sts)
{
    int n = w->vol->n_bricks, n_failed = 0;
    int *failed = gf_calloc((size_t)n + 1, sizeof(int));
    int *silent = gf_calloc((size_t)n + 1, sizeof(int));
    char *msg = NULL;

    for (int i = 0; failed && silent && i < n; i++) {
        if (w->skip[i])
            continue;
        failed[i] = final(w, &sts[i]) && sts[i].state == GD_BS_FAILED;
        silent[i] = !final(w, &sts[i]);
        n_failed += failed[i];
    }
    if (failed && silent)
        msg = gd_bstatus_summary(w->vol, sts, failed, silent, w->n_waited,
                                 (w->wait_ms + 500) / 1000);
    gf_free(failed);
    gf_free(silent);
    if (!msg)
        wait_end(w, -ENOMEM, "glusterd is out of memory");
    else
        wait_end(w, n_failed ? -EIO : -ETIMEDOUT, msg);
    gf_free(msg);
}

/* Ends w when every brick has reported (or the wait timed out). */
static void
evaluate(waiting_t *w)
{
    const gd_kv_t *kvs;
    gd_bstatus_t *sts;
    int n, pending = 0, failed = 0;

    kvs = gd_mirror_kvs(w->mirror, &n);
    if (!gd_mirror_ready(w->mirror) && !w->timed_out)
        return;
    if (!(sts = from_kvs(w->prefix, kvs, n, w->vol->n_bricks))) {
        wait_end(w, -ENOMEM, "glusterd is out of memory");
        return;
    }
    for (int i = 0; i < w->vol->n_bricks; i++) {
        if (w->skip[i])
            continue;
        pending += !final(w, &sts[i]);
        failed += final(w, &sts[i]) && sts[i].state == GD_BS_FAILED;
    }
    if (!pending && !failed)
        wait_end(w, 0, NULL);
    else if (!pending || w->timed_out)
        wait_fail(w, sts);
    gf_free(sts);
}

static void
mirrored(gd_mirror_t *m, void *cookie)
{
    evaluate(cookie);
}

static void
timeout_task(void *data)
{
    token_t *t = data;
    waiting_t *w = t->w;

    gf_free(t);
    if (!w)
        return;
    w->token = NULL;
    w->timer = NULL;
    w->timed_out = 1;
    evaluate(w);
}

static void
timeout_cb(void *data)
{
    if (gf_event_post(gf_ctx->events, timeout_task, data) != 0)
        gf_log(GF_LOG_ERROR, "cannot post a wait's timeout to the event loop");
}

void
gd_bstatus_wait(const gd_volume_t *vol, uint64_t gen, int online, const int *skip,
                gd_bstatus_wait_cb_t cb, void *cookie)
{
    waiting_t *w = gf_calloc(1, sizeof(*w));

    if (!w || !(w->vol = gd_vol_copy(vol)) ||
        !(w->skip = gf_calloc((size_t)vol->n_bricks + 1, sizeof(int))) ||
        !(w->token = gf_calloc(1, sizeof(*w->token)))) {
        if (w) {
            gd_vol_free(w->vol);
            gf_free(w->skip);
            gf_free(w);
        }
        cb(-ENOMEM, "glusterd is out of memory", cookie);
        return;
    }
    for (int i = 0; i < vol->n_bricks; i++) {
        w->skip[i] = skip && skip[i];
        w->n_waited += !w->skip[i];
    }
    w->wait_ms = gd_bstatus_wait_ms(w->n_waited);
    w->gen = gen;
    w->online = online;
    w->cb = cb;
    w->cookie = cookie;
    w->token->w = w;
    snprintf(w->prefix, sizeof(w->prefix), GD_STATUS_PREFIX "%s/", vol->name);
    w->timer = gf_timer_add(gf_ctx->timers, w->wait_ms, timeout_cb, w->token);
    if (!w->timer || gd_mirror_new(w->prefix, mirrored, w, &w->mirror) != 0)
        wait_end(w, -ENOMEM, "cannot watch the brick reports (out of memory)");
}
