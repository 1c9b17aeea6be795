/*
 * The bricks of a brick process (contract in bricks.h).
 *
 * The process's protocol/server is a graph of its own, made of that one
 * translator; each brick is another graph, built from its volfile below the
 * brick's name and handed to protocol/server through the functions it exports
 * (server-mux.h), which publish, graft, initialize, and later drain and free
 * it. This file checks volfiles, counts the bricks (to know when the process
 * is left without any), keeps the figures of the last detached bricks for
 * STATUS, and signs bricks in and out with glusterd.
 *
 * An operation in progress is a job: it holds the process's bricks object
 * (counted in `jobs`, which gfsd_bricks_destroy waits for) until its part that
 * needs it is over; the end of a job (the reply after glusterd answered a
 * SIGNIN or SIGNOUT) touches only the job itself.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bricks.h"
#include "glusterfs/ctx.h"
#include "glusterfs/graph.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/options.h"
#include "server-mux.h"

#define DETACHED_MAX 16 /* detached bricks whose figures STATUS shows */
#define ERR_MAX      1024

/* What remained of a detached brick. */
typedef struct detached {
    char *name;
    gf_mem_acct_t left;
} detached_t;

struct gfsd_bricks {
    gf_graph_t *server_graph; /* protocol/server alone */
    gf_xlator_t *server;
    const server_mux_t *mux;
    gfsd_mgmt_t *mgmt;         /* NULL: no glusterd */
    pthread_mutex_t lock;      /* guards the fields below */
    pthread_cond_t cond;       /* signalled when jobs drops to 0 */
    int jobs;                  /* operations that may still touch this object */
    int bricks;                /* attached, or being attached */
    bool exiting;              /* left without a brick once armed */
    gfsd_bricks_empty_t empty; /* set by gfsd_bricks_arm */
    void *empty_arg;
    detached_t detached[DETACHED_MAX]; /* newest first */
    int n_detached;
    uint64_t detach_leaks;
};

/* One asynchronous operation. */
typedef struct job {
    gfsd_bricks_t *b;
    gfsd_bricks_done_t done;
    void *arg;
    gf_dict_t *output;
    gfsd_bricks_empty_t empty; /* set when the process is left without a brick */
    void *empty_arg;
    char *name;
    char *volfile_id; /* NULL: none */
    char *volfile;
    size_t len;
    char err[ERR_MAX];
} job_t;

/* ---- jobs -------------------------------------------------------------------- */

static void job_free(job_t *j)
{
    gf_dict_unref(j->output);
    gf_free(j->name);
    gf_free(j->volfile_id);
    gf_free(j->volfile);
    gf_free(j);
}

/* A job for name (copied; may be NULL) with an empty output dict, counted in
 * b->jobs. NULL on ENOMEM (done has then been called). */
static job_t *job_new(gfsd_bricks_t *b, const char *name, gfsd_bricks_done_t done, void *arg)
{
    job_t *j = gf_calloc(1, sizeof(*j));
    if (j) {
        j->b = b;
        j->done = done;
        j->arg = arg;
        j->output = gf_dict_new();
        j->name = gf_strdup(name ? name : "");
    }
    if (!j || !j->output || !j->name) {
        if (j)
            job_free(j);
        done(ENOMEM, "out of memory in the brick process", NULL, arg);
        return NULL;
    }
    pthread_mutex_lock(&b->lock);
    b->jobs++;
    pthread_mutex_unlock(&b->lock);
    return j;
}

/* The job no longer touches b (its last touch of b). */
static void job_leave(gfsd_bricks_t *b)
{
    pthread_mutex_lock(&b->lock);
    if (--b->jobs == 0)
        pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

/* Reports the job's outcome (err a negative errno or 0; its message in
 * j->err), tells the process when it is left without a brick, frees j. */
static void job_end(job_t *j, int err)
{
    j->done(-err, err ? j->err : NULL, err ? NULL : j->output, j->arg);
    if (j->empty)
        j->empty(j->empty_arg);
    job_free(j);
}

/* Runs fn(j) on the worker pool; if that is impossible, ends j with ENOMEM. */
static void job_submit(job_t *j, gf_work_fn_t fn)
{
    if (gf_workpool_submit(gf_ctx->workers, fn, j) == 0)
        return;
    snprintf(j->err, sizeof(j->err), "out of memory in the brick process");
    job_leave(j->b);
    job_end(j, -ENOMEM);
}

/* gfsd_mgmt_cb: glusterd answered the job's SIGNIN or SIGNOUT (or could not):
 * the job is over, whatever the answer (it is logged, and a SIGNIN is sent
 * again on reconnection). */
static void job_signed(int status, void *arg)
{
    job_end(arg, 0);
}

/* ---- brick slots: knowing when the process is left without a brick ------------ */

/* Reserves a slot for a brick being attached. 0, or -ESHUTDOWN when exiting. */
static int slot_take(gfsd_bricks_t *b)
{
    pthread_mutex_lock(&b->lock);
    int ret = b->exiting ? -ESHUTDOWN : 0;
    if (!ret)
        b->bricks++;
    pthread_mutex_unlock(&b->lock);
    return ret;
}

/* Gives a slot back (a failed attach, a finished detach). When that leaves
 * the process without a brick once armed, the process is exiting and j (may
 * be NULL) gets the empty callback to call after its reply. Returns whether
 * it did. */
static bool slot_give(gfsd_bricks_t *b, job_t *j)
{
    pthread_mutex_lock(&b->lock);
    bool last = --b->bricks == 0 && b->empty && !b->exiting;
    if (last) {
        b->exiting = true;
        if (j) {
            j->empty = b->empty;
            j->empty_arg = b->empty_arg;
        }
    }
    pthread_mutex_unlock(&b->lock);
    return last;
}

/* ---- the process's protocol/server --------------------------------------------- */

/* The options of vol whose scope in desc's table is `process`, in a new dict. */
static gf_dict_t *process_options(const gf_xlator_desc_t *desc, gf_dict_t *options)
{
    gf_dict_t *d = gf_dict_new();
    for (const gf_option_t *opt = desc->options; d && opt && opt->key; opt++) {
        const char *value = NULL;
        if (opt->scope == GF_SCOPE_PROCESS && gf_dict_get_str(options, opt->key, &value) == 0 &&
            gf_dict_set_str(d, opt->key, value) != 0) {
            gf_dict_unref(d);
            return NULL;
        }
    }
    return d;
}

/* Builds protocol/server alone from vol's process-scoped options, finds what
 * it exports for attaching bricks, and starts it. 0 or -errno with err. */
static int start_server(gfsd_bricks_t *b, const gf_volfile_vol_t *vol, char *err, size_t errlen)
{
    const gf_xlator_desc_t *desc;
    int ret = gf_xlator_desc_load(vol->type, NULL, &desc, err, errlen);
    if (ret)
        return ret;
    gf_volfile_vol_t alone = {.name = vol->name, .type = vol->type, .line = vol->line};
    gf_volfile_t vf = {.vols = &alone, .n_vols = 1};
    alone.options = process_options(desc, vol->options);
    if (!alone.options) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    ret = gf_graph_construct(&vf, NULL, NULL, &b->server_graph, err, errlen);
    gf_dict_unref(alone.options);
    if (ret)
        return ret;
    b->server = gf_graph_top(b->server_graph);
    b->mux = dlsym(b->server->dl_handle, SERVER_MUX_SYMBOL);
    if (!b->mux) {
        snprintf(err, errlen,
                 "translator %s of volume %s exports no %s: it cannot serve attached "
                 "bricks (is it this version's protocol/server?)",
                 vol->type, vol->name, SERVER_MUX_SYMBOL);
        return -EINVAL;
    }
    return gf_graph_init(b->server_graph, err, errlen);
}

int gfsd_bricks_new(const gf_volfile_vol_t *server_vol, gfsd_mgmt_t *mgmt, gfsd_bricks_t **out,
                    char *err, size_t errlen)
{
    gfsd_bricks_t *b = gf_calloc(1, sizeof(*b));
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    b->mgmt = mgmt;
    int ret = start_server(b, server_vol, err, errlen);
    if (ret) {
        gfsd_bricks_destroy(b);
        return ret;
    }
    *out = b;
    return 0;
}

int gfsd_bricks_port(gfsd_bricks_t *b)
{
    return b->mux->port(b->server);
}

/* ---- attach ---------------------------------------------------------------------- */

/* Whether vol lists name among its subvolumes. */
static bool has_subvol(const gf_volfile_vol_t *vol, const char *name)
{
    for (int i = 0; i < vol->n_subvols; i++)
        if (strcmp(vol->subvols[i], name) == 0)
            return true;
    return false;
}

/* Checks that vf is a brick volfile serving name whose process-scoped server
 * options are the process's. Returns its server volume, or NULL with *ret
 * and err set. */
static const gf_volfile_vol_t *check_volfile(gfsd_bricks_t *b, const gf_volfile_t *vf,
                                             const char *name, int *ret, char *err, size_t errlen)
{
    const gf_volfile_vol_t *top = gf_volfile_top(vf);
    *ret = -EINVAL;
    if (!top || strcmp(top->type, b->server->type) != 0) {
        snprintf(err, errlen,
                 "the volfile's top volume %s is of type %s, but a brick volfile has %s at "
                 "the top",
                 top ? top->name : "(none)", top ? top->type : "(none)", b->server->type);
        return NULL;
    }
    if (!has_subvol(top, name)) {
        snprintf(err, errlen, "brick %s is not a subvolume of %s in the volfile", name, top->name);
        return NULL;
    }
    const gf_option_t *opt = gf_xlator_options_differ(b->server->desc, GF_SCOPE_PROCESS,
                                                      b->server->options, top->options);
    if (opt) {
        const char *mine = gf_xlator_option_value(opt, b->server->options);
        const char *theirs = gf_xlator_option_value(opt, top->options);
        snprintf(err, errlen,
                 "option %s is '%s' in the volfile of brick %s but '%s' in this process: "
                 "bricks sharing a process must agree on every process-scoped option, so "
                 "this brick needs another process",
                 opt->key, theirs ? theirs : "(unset)", name, mine ? mine : "(unset)");
        *ret = -EXDEV;
        return NULL;
    }
    *ret = 0;
    return top;
}

/* Checks vf, builds the graph below name and hands it to protocol/server.
 * 0 or -errno with err. */
static int attach_graph(gfsd_bricks_t *b, const gf_volfile_t *vf, const char *name,
                        const char *volfile_id, char *err, size_t errlen)
{
    int ret;
    const gf_volfile_vol_t *top = check_volfile(b, vf, name, &ret, err, errlen);
    if (!top)
        return ret;
    gf_graph_t *g = NULL;
    ret = gf_graph_construct_below(vf, name, NULL, name, &g, err, errlen);
    if (!ret)
        ret = b->mux->attach(b->server, g, volfile_id, top->options, err, errlen);
    return ret;
}

/*
 * The attach of every brick: takes a slot, attaches the graph, and signs the
 * brick in, cb(arg) (may be NULL) following glusterd's answer (at once
 * without glusterd). 0, or -errno with err (cb not called; the slot is given
 * back for j, see slot_give).
 */
static int attach_brick(gfsd_bricks_t *b, const gf_volfile_t *vf, const char *name,
                        const char *volfile_id, gfsd_mgmt_cb cb, job_t *j, char *err, size_t errlen)
{
    int ret = slot_take(b);
    if (ret) {
        snprintf(err, errlen,
                 "this brick process is exiting (its last brick was detached): start a new "
                 "process for brick %s",
                 name);
        return ret;
    }
    ret = attach_graph(b, vf, name, volfile_id, err, errlen);
    if (ret) {
        gf_log(GF_LOG_ERROR, "cannot attach brick %s: %s", name, err);
        slot_give(b, j);
        return ret;
    }
    gf_log(GF_LOG_INFO, "brick %s attached (volfile id %s)", name, volfile_id ? volfile_id : "-");
    if (!b->mgmt) {
        if (cb)
            cb(0, j);
    } else if (gfsd_mgmt_signin(b->mgmt, name, gfsd_bricks_port(b), cb, j) != 0) {
        gf_log(GF_LOG_ERROR, "out of memory: brick %s is served but not signed in", name);
        if (cb)
            cb(-ENOMEM, j);
    }
    return 0;
}

int gfsd_bricks_attach_sync(gfsd_bricks_t *b, const gf_volfile_t *vf, const char *name,
                            const char *volfile_id, char *err, size_t errlen)
{
    return attach_brick(b, vf, name, volfile_id, NULL, NULL, err, errlen);
}

/* Work item of ATTACH. */
static void attach_run(void *data)
{
    job_t *j = data;
    gfsd_bricks_t *b = j->b;
    gf_volfile_t *vf = NULL;
    char why[ERR_MAX / 2];
    int ret = gf_volfile_parse(j->volfile, j->len, &vf, why, sizeof(why));
    if (ret)
        snprintf(j->err, sizeof(j->err), "the volfile of brick %s does not parse: %s", j->name,
                 why);
    if (!ret) {
        gf_dict_set_int32(j->output, "port", gfsd_bricks_port(b));
        gf_dict_set_int32(j->output, "pid", (int32_t)getpid());
        ret = attach_brick(b, vf, j->name, j->volfile_id, job_signed, j, j->err, sizeof(j->err));
    }
    gf_volfile_free(vf);
    job_leave(b);
    if (ret)
        job_end(j, ret);
}

void gfsd_bricks_attach(gfsd_bricks_t *b, const char *name, const char *volfile_id,
                        const char *volfile, size_t len, gfsd_bricks_done_t done, void *arg)
{
    if (!name || !*name || !len) {
        done(EINVAL, "ATTACH needs a brick name and its volfile", NULL, arg);
        return;
    }
    job_t *j = job_new(b, name, done, arg);
    if (!j)
        return;
    j->volfile = gf_malloc(len);
    j->volfile_id = volfile_id && *volfile_id ? gf_strdup(volfile_id) : NULL;
    if (!j->volfile || (volfile_id && *volfile_id && !j->volfile_id)) {
        snprintf(j->err, sizeof(j->err), "out of memory in the brick process");
        job_leave(b);
        job_end(j, -ENOMEM);
        return;
    }
    memcpy(j->volfile, volfile, len);
    j->len = len;
    job_submit(j, attach_run);
}

/* ---- detach ------------------------------------------------------------------------ */

/* Keeps what remained of the detached brick name for STATUS. */
static void record_detached(gfsd_bricks_t *b, const char *name, const gf_mem_acct_t *left)
{
    char *copy = gf_strdup(name);
    pthread_mutex_lock(&b->lock);
    if (b->n_detached == DETACHED_MAX)
        gf_free(b->detached[--b->n_detached].name);
    memmove(&b->detached[1], &b->detached[0], (size_t)b->n_detached * sizeof(b->detached[0]));
    b->detached[0] = (detached_t){.name = copy, .left = *left};
    b->n_detached++;
    if (left->bytes || left->blocks)
        b->detach_leaks++;
    pthread_mutex_unlock(&b->lock);
}

/* server_detached_cb: the brick of job arg is freed. Signs it out; the job
 * ends when glusterd has answered. */
static void detached(const gf_mem_acct_t *left, void *arg)
{
    job_t *j = arg;
    gfsd_bricks_t *b = j->b;
    gf_log(left->bytes || left->blocks ? GF_LOG_WARNING : GF_LOG_INFO,
           "brick %s detached; its translators still hold %" PRIu64 " bytes in %" PRIu64
           " blocks%s",
           j->name, left->bytes, left->blocks, left->bytes || left->blocks ? " (a leak)" : "");
    record_detached(b, j->name, left);
    gf_dict_set_uint64(j->output, "mem-bytes", left->bytes);
    gf_dict_set_uint64(j->output, "mem-blocks", left->blocks);
    gf_dict_set_int32(j->output, "last", slot_give(b, j) ? 1 : 0);
    if (b->mgmt)
        gfsd_mgmt_signout(b->mgmt, j->name, job_signed, j);
    else
        job_end(j, 0);
    job_leave(b);
}

/* Work item of DETACH. */
static void detach_run(void *data)
{
    job_t *j = data;
    gfsd_bricks_t *b = j->b;
    int ret = b->mux->detach(b->server, j->name, detached, j);
    if (ret == -EBUSY)
        snprintf(j->err, sizeof(j->err),
                 "brick %s is still being attached: retry once its ATTACH has been answered",
                 j->name);
    else if (ret)
        snprintf(j->err, sizeof(j->err),
                 "this brick process does not serve brick %s (never attached, or detached "
                 "already)",
                 j->name);
    if (ret) {
        job_leave(b);
        job_end(j, ret);
    }
}

void gfsd_bricks_detach(gfsd_bricks_t *b, const char *name, gfsd_bricks_done_t done, void *arg)
{
    if (!name || !*name) {
        done(EINVAL, "DETACH needs a brick name", NULL, arg);
        return;
    }
    job_t *j = job_new(b, name, done, arg);
    if (j)
        job_submit(j, detach_run);
}

/* ---- status ------------------------------------------------------------------------ */

/* Entries of directory path ("." and ".." aside), or -1. */
static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Sets key PREFIX<n>.NAME to value in d. */
static void set_u64(gf_dict_t *d, const char *prefix, int n, const char *name, uint64_t value)
{
    char key[64];
    snprintf(key, sizeof(key), "%s%d.%s", prefix, n, name);
    gf_dict_set_uint64(d, key, value);
}

static void set_str(gf_dict_t *d, const char *prefix, int n, const char *name, const char *value)
{
    char key[64];
    snprintf(key, sizeof(key), "%s%d.%s", prefix, n, name);
    gf_dict_set_str(d, key, value);
}

/* Sets the keys of the clients listed in st under brick n:
 * brickN.clientK.hostname, .bytes-read, .bytes-written, .op-version. */
static void stat_clients(gf_dict_t *d, int n, const server_brick_stat_t *st)
{
    char prefix[32];

    snprintf(prefix, sizeof(prefix), "brick%d.client", n);
    for (size_t k = 0; k < st->listed; k++) {
        const server_client_stat_t *c = &st->client_list[k];
        set_str(d, prefix, (int)k + 1, "hostname", c->peer);
        set_u64(d, prefix, (int)k + 1, "bytes-read", c->bytes_read);
        set_u64(d, prefix, (int)k + 1, "bytes-written", c->bytes_written);
        set_u64(d, prefix, (int)k + 1, "op-version", c->op_version);
    }
}

/* What stat_one fills. */
struct status_ctx {
    gf_dict_t *d;
    int n;
};

/* server_stat_fn: the keys of one brick. */
static void stat_one(const server_brick_stat_t *st, void *arg)
{
    static const char *const states[] = {"starting", "ready", "down"};
    struct status_ctx *ctx = arg;
    int n = ++ctx->n;
    set_str(ctx->d, "brick", n, "name", st->name);
    set_str(ctx->d, "brick", n, "volfile-id", st->volfile_id);
    set_str(ctx->d, "brick", n, "state", states[st->state]);
    set_u64(ctx->d, "brick", n, "clients", st->clients);
    stat_clients(ctx->d, n, st);
    set_u64(ctx->d, "brick", n, "fds", st->fds);
    set_u64(ctx->d, "brick", n, "inodes", st->inodes);
    set_u64(ctx->d, "brick", n, "mem-bytes", st->mem.bytes);
    set_u64(ctx->d, "brick", n, "mem-blocks", st->mem.blocks);
}

/* The figures of the process and of its detached bricks. */
static void status_process(gfsd_bricks_t *b, gf_dict_t *d)
{
    int fds = count_entries("/proc/self/fd");
    gf_dict_set_int32(d, "pid", (int32_t)getpid());
    gf_dict_set_int32(d, "port", gfsd_bricks_port(b));
    gf_dict_set_int32(d, "threads", count_entries("/proc/self/task"));
    gf_dict_set_int32(d, "open-fds", fds > 0 ? fds - 1 : fds); /* opendir's own */
    pthread_mutex_lock(&b->lock);
    gf_dict_set_int32(d, "detached-count", b->n_detached);
    for (int i = 0; i < b->n_detached; i++) {
        set_str(d, "detached", i + 1, "name", b->detached[i].name);
        set_u64(d, "detached", i + 1, "mem-bytes", b->detached[i].left.bytes);
        set_u64(d, "detached", i + 1, "mem-blocks", b->detached[i].left.blocks);
    }
    gf_dict_set_uint64(d, "detach-leaks", b->detach_leaks);
    pthread_mutex_unlock(&b->lock);
}

/* Work item of STATUS. */
static void status_run(void *data)
{
    job_t *j = data;
    gfsd_bricks_t *b = j->b;
    struct status_ctx ctx = {.d = j->output};
    int ret = b->mux->stat(b->server, *j->name ? j->name : NULL, stat_one, &ctx);
    if (ret >= 0) {
        gf_dict_set_int32(j->output, "count", ctx.n);
        status_process(b, j->output);
    } else {
        snprintf(j->err, sizeof(j->err), "this brick process does not serve brick %s", j->name);
    }
    job_leave(b);
    job_end(j, ret < 0 ? ret : 0);
}

void gfsd_bricks_status(gfsd_bricks_t *b, const char *name, gfsd_bricks_done_t done, void *arg)
{
    job_t *j = job_new(b, name, done, arg);
    if (j)
        job_submit(j, status_run);
}

/* ---- life ---------------------------------------------------------------------------- */

void gfsd_bricks_arm(gfsd_bricks_t *b, gfsd_bricks_empty_t empty, void *arg)
{
    pthread_mutex_lock(&b->lock);
    b->empty = empty;
    b->empty_arg = arg;
    pthread_mutex_unlock(&b->lock);
}

void gfsd_bricks_destroy(gfsd_bricks_t *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    while (b->jobs > 0)
        pthread_cond_wait(&b->cond, &b->lock);
    pthread_mutex_unlock(&b->lock);
    gf_graph_fini(b->server_graph);
    for (int i = 0; i < b->n_detached; i++)
        gf_free(b->detached[i].name);
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->lock);
    gf_free(b);
}
