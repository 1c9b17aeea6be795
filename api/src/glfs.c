/*
 * Setting up and tearing down a glfs_t: where the volfile comes from, logging,
 * and glfs_init, which fetches the client volfile from glusterd (handshake
 * GETSPEC), builds the translator graph, makes the inode table, starts the
 * graph and waits until its top reports CHILD_UP, then looks up the root.
 *
 * The process context (event threads, timers, workers) is shared by every
 * glfs_t of the process: the first glfs_init creates it unless the application
 * made one, and the last glfs_fini of a glfs_t that used it destroys what the
 * library created.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "glfs-internal.h"
#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/volfile.h"
#include "handshake-xdr.h"
#include "rpc-clnt.h"

_Static_assert(GLFS_LOG_TRACE == (int)GF_LOG_TRACE && GLFS_LOG_NONE == (int)GF_LOG_NONE,
               "glfs.h log levels must be those of glusterfs/log.h");

#define CTX_EVENT_THREADS 2
#define CTX_MAX_WORKERS   8

/* ---- the shared process context ------------------------------------------------------ */

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctx_users; /* glfs_t holding a use of gf_ctx */
static bool ctx_ours; /* gf_ctx was created here */

/* Takes a use of the process context, creating it when there is none. 0 or -errno. */
static int ctx_get(void)
{
    int ret = 0;

    pthread_mutex_lock(&ctx_lock);
    if (!gf_ctx) {
        ret = gf_ctx_init("gfapi", CTX_EVENT_THREADS, CTX_MAX_WORKERS);
        ctx_ours = ret == 0;
    }
    if (!ret)
        ctx_users++;
    pthread_mutex_unlock(&ctx_lock);
    return ret;
}

/* Drops a use; the last one destroys the context if the library created it. */
static void ctx_put(void)
{
    pthread_mutex_lock(&ctx_lock);
    if (--ctx_users == 0 && ctx_ours) {
        gf_ctx_fini();
        ctx_ours = false;
    }
    pthread_mutex_unlock(&ctx_lock);
}

/* ---- errors -------------------------------------------------------------------------- */

/* Records why glfs_init fails in fs->err, logs it, and returns ret. */
__attribute__((format(printf, 3, 4))) static int say(glfs_t *fs, int ret, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(fs->err, sizeof(fs->err), fmt, ap);
    va_end(ap);
    gf_log(GF_LOG_ERROR, "%s", fs->err);
    return ret;
}

/* Sets errno from a negative errno and returns -1. */
static int fail(int err)
{
    errno = -err;
    return -1;
}

const char *glfs_error(glfs_t *fs)
{
    return fs ? fs->err : "no volume handle (glfs_new failed)";
}

/* ---- configuration ------------------------------------------------------------------- */

glfs_t *glfs_new(const char *volname)
{
    pthread_condattr_t attr;
    glfs_t *fs;

    if (!volname || !*volname) {
        errno = EINVAL;
        return NULL;
    }
    fs = gf_calloc(1, sizeof(*fs));
    if (!fs || !(fs->volname = gf_strdup(volname))) {
        gf_free(fs);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&fs->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&fs->cond, &attr);
    pthread_condattr_destroy(&attr);
    return fs;
}

int glfs_set_volfile_server(glfs_t *fs, const char *transport, const char *host, int port)
{
    bool tcp = transport && (!strcmp(transport, "tcp") || !strcmp(transport, "socket"));
    bool unix_ = transport && !strcmp(transport, "unix");
    char *spec = NULL, *name = NULL;

    if (!fs || !host || !*host || (!tcp && !unix_) || port < 0 || port > 65535)
        return fail(-EINVAL);
    if (unix_) {
        gf_asprintf(&spec, "unix:%s", host);
        name = gf_strdup(host);
    } else {
        bool v6 = strchr(host, ':') != NULL;

        port = port ? port : GLFS_DEFAULT_PORT;
        gf_asprintf(&name, v6 ? "[%s]:%d" : "%s:%d", host, port);
        if (name)
            gf_asprintf(&spec, "tcp:%s", name);
    }
    if (!spec || !name) {
        gf_free(spec);
        gf_free(name);
        return fail(-ENOMEM);
    }
    gf_free(fs->server_spec);
    gf_free(fs->server_name);
    fs->server_spec = spec;
    fs->server_name = name;
    return 0;
}

int glfs_set_volfile(glfs_t *fs, const char *path)
{
    char *copy;

    if (!fs || !path || !*path)
        return fail(-EINVAL);
    copy = gf_strdup(path);
    if (!copy)
        return fail(-ENOMEM);
    gf_free(fs->volfile);
    fs->volfile = copy;
    return 0;
}

int glfs_set_logging(glfs_t *fs, const char *path, int level)
{
    int ret;

    if (!fs || level < GLFS_LOG_NONE || level > GLFS_LOG_TRACE)
        return fail(-EINVAL);
    ret = gf_log_init(path, "gfapi");
    if (ret)
        return fail(ret);
    gf_log_set_level((gf_loglevel_t)level);
    return 0;
}

/* ---- the volfile --------------------------------------------------------------------- */

/* The AUTH_GLUSTERFS_v2 credential of this process, as stock clients send it. */
static void process_auth(struct rpc_auth *auth)
{
    uint32_t pid = (uint32_t)getpid();

    memset(auth, 0, sizeof(*auth));
    auth->flavor = GF_AUTH_GLUSTERFS_V2;
    auth->pid = (int32_t)pid;
    auth->uid = (uint32_t)geteuid();
    auth->gid = (uint32_t)getegid();
    auth->lk_owner_len = 4;
    for (int i = 0; i < 4; i++)
        auth->lk_owner[i] = (char)(pid >> (8 * i));
}

/* Says why the GETSPEC call itself failed (status < 0); returns the errno. */
static int getspec_call_error(glfs_t *fs, int status)
{
    if (status == -ENOTCONN)
        return say(fs, -ENOTCONN,
                   "cannot reach glusterd at %s to fetch the volfile of volume %s (is "
                   "glusterd running there, on that port? the log says why)",
                   fs->server_name, fs->volname);
    if (status == -ETIMEDOUT)
        return say(fs, -ENOTCONN, "glusterd at %s did not answer GETSPEC of volume %s within %d s",
                   fs->server_name, fs->volname, GLFS_INIT_TIMEOUT_MS / 1000);
    return say(fs, status, "GETSPEC of volume %s from glusterd at %s failed: %s", fs->volname,
               fs->server_name, strerror(-status));
}

/* Parses a GETSPEC reply's volfile into *vf. 0 or -errno with fs->err set. */
static int getspec_parse(glfs_t *fs, const gf_getspec_rsp *rsp, gf_volfile_t **vf)
{
    char err[512] = "";
    int e = rsp->op_errno > 0 ? rsp->op_errno : EIO;

    if (rsp->op_ret < 0 && e == ENOENT)
        return say(fs, -ENOENT,
                   "volume %s does not exist on glusterd at %s (gluster volume list shows "
                   "the volumes there)",
                   fs->volname, fs->server_name);
    if (rsp->op_ret < 0)
        return say(fs, -e, "glusterd at %s refused the volfile of volume %s: %s", fs->server_name,
                   fs->volname, strerror(e));
    if (!rsp->spec || strlen(rsp->spec) < (size_t)rsp->op_ret)
        return say(fs, -EPROTO,
                   "glusterd at %s sent a volfile for volume %s shorter than the %d bytes "
                   "it announced",
                   fs->server_name, fs->volname, rsp->op_ret);
    if (gf_volfile_parse(rsp->spec, (size_t)rsp->op_ret, vf, err, sizeof(err)) != 0)
        return say(fs, -EINVAL, "the volfile of volume %s from glusterd at %s is invalid: %s",
                   fs->volname, fs->server_name, err);
    return 0;
}

/* Fetches the client volfile of fs's volume from glusterd. 0 with *vf, or -errno. */
static int fetch_volfile(glfs_t *fs, gf_volfile_t **vf)
{
    rpc_clnt_opts_t opts = {.call_timeout_ms = GLFS_INIT_TIMEOUT_MS};
    gf_getspec_req req = {.flags = 0, .key = fs->volname};
    gf_getspec_rsp rsp = {0};
    struct rpc_auth auth;
    rpc_clnt_t *clnt;
    int ret;

    clnt = rpc_clnt_new(gf_ctx->events, gf_ctx->timers, fs->server_spec, &opts, NULL, NULL);
    if (!clnt) {
        int e = errno ? errno : ENOMEM;

        return say(fs, -e, "cannot use volfile server %s: %s", fs->server_name, strerror(e));
    }
    process_auth(&auth);
    ret = rpc_clnt_connect(clnt);
    if (!ret)
        ret = rpc_clnt_call_sync(clnt, GF_HNDSK_PROGRAM, GF_HNDSK_VERSION, GF_HNDSK_GETSPEC, &auth,
                                 (xdrproc_t)xdr_gf_getspec_req, &req, (xdrproc_t)xdr_gf_getspec_rsp,
                                 &rsp, GLFS_INIT_TIMEOUT_MS);
    rpc_clnt_destroy(clnt);
    if (ret)
        return getspec_call_error(fs, ret);
    ret = getspec_parse(fs, &rsp, vf);
    xdr_free((xdrproc_t)xdr_gf_getspec_rsp, (char *)&rsp);
    return ret;
}

/* The volfile: the local one when set, else glusterd's. 0 with *vf, or -errno. */
static int load_volfile(glfs_t *fs, gf_volfile_t **vf)
{
    char err[512] = "";
    int ret;

    if (fs->volfile) {
        ret = gf_volfile_from_file(fs->volfile, vf, err, sizeof(err));
        return ret ? say(fs, ret, "cannot load volfile %s: %s", fs->volfile, err) : 0;
    }
    if (!fs->server_spec)
        return say(fs, -EINVAL,
                   "no volfile server for volume %s: call "
                   "glfs_set_volfile_server before glfs_init",
                   fs->volname);
    return fetch_volfile(fs, vf);
}

/* ---- the library's observer translators ---------------------------------------------- */

/* CHILD_UP/CHILD_DOWN from the top (to `api`) or from a brick (to `watch`). */
static int observer_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    glfs_t *fs = this->priv;

    if (event != GF_EVENT_CHILD_UP && event != GF_EVENT_CHILD_DOWN)
        return 0;
    pthread_mutex_lock(&fs->lock);
    if (this == fs->api)
        fs->top_up = event == GF_EVENT_CHILD_UP;
    for (int i = 0; this == fs->watch && i < fs->n_bricks; i++)
        if (fs->bricks[i].xl == data)
            fs->bricks[i].state = event;
    pthread_cond_broadcast(&fs->cond);
    pthread_mutex_unlock(&fs->lock);
    return 0;
}

static const gf_xlator_desc_t observer_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "api/glfs",
    .notify = observer_notify,
};

/* A translator of the library named name, with fs as priv. NULL on ENOMEM. */
static gf_xlator_t *observer_new(glfs_t *fs, const char *name)
{
    gf_xlator_t *xl = gf_calloc(1, sizeof(*xl));

    if (!xl)
        return NULL;
    xl->name = gf_strdup(name);
    xl->type = gf_strdup(observer_desc.type);
    xl->desc = &observer_desc;
    xl->priv = fs;
    xl->graph = fs->graph;
    xl->itable = fs->itable;
    if (!xl->name || !xl->type) {
        gf_free(xl->name);
        gf_free(xl->type);
        gf_free(xl);
        return NULL;
    }
    return xl;
}

static void observer_free(gf_xlator_t *xl)
{
    if (!xl)
        return;
    if (xl->mem_acct.blocks)
        gf_log(GF_LOG_WARNING, "%s still holds %llu bytes after fini (a leak in the api)", xl->name,
               (unsigned long long)xl->mem_acct.bytes);
    gf_free(xl->name);
    gf_free(xl->type);
    gf_free(xl);
}

/* Adds observer to child's parents. 0 or -ENOMEM. */
static int add_parent(gf_xlator_t *child, gf_xlator_t *observer)
{
    gf_xlator_t **parents = gf_realloc(child->parents, (child->n_parents + 1) * sizeof(*parents));

    if (!parents)
        return -ENOMEM;
    parents[child->n_parents++] = observer;
    child->parents = parents;
    return 0;
}

/* Makes `api` and `watch`, finds the bricks (protocol/client translators) and
 * hooks the observers into the graph. 0 or -ENOMEM. */
static int install_observers(glfs_t *fs)
{
    gf_graph_t *g = fs->graph;
    int ret;

    fs->api = observer_new(fs, "gfapi");
    fs->watch = observer_new(fs, "gfapi-watch");
    fs->bricks = gf_calloc(g->n, sizeof(*fs->bricks));
    if (!fs->api || !fs->watch || !fs->bricks)
        return -ENOMEM;
    ret = add_parent(fs->top, fs->api);
    for (int i = 0; !ret && i < g->n; i++) {
        if (strcmp(g->xlators[i]->type, "protocol/client") != 0)
            continue;
        fs->bricks[fs->n_bricks++].xl = g->xlators[i];
        ret = add_parent(g->xlators[i], fs->watch);
    }
    return ret;
}

/* ---- starting the graph -------------------------------------------------------------- */

/* Builds the graph of vf with its inode table and observers, and starts it. 0 or -errno. */
static int start_graph(glfs_t *fs, const gf_volfile_t *vf)
{
    char err[512] = "";
    int ret = gf_graph_construct(vf, NULL, NULL, &fs->graph, err, sizeof(err));

    if (ret)
        return say(fs, ret, "cannot build the graph of volume %s: %s", fs->volname, err);
    fs->top = gf_graph_top(fs->graph);
    fs->itable = gf_inode_table_new(GLFS_INODE_LRU, fs->top);
    if (!fs->itable || install_observers(fs) != 0)
        return say(fs, -ENOMEM, "out of memory starting volume %s", fs->volname);
    for (int i = 0; i < fs->graph->n; i++)
        fs->graph->xlators[i]->itable = fs->itable;
    fs->root = gf_inode_table_root(fs->itable);
    ret = gf_graph_init(fs->graph, err, sizeof(err));
    if (ret)
        return say(fs, ret, "cannot start the graph of volume %s: %s", fs->volname, err);
    return 0;
}

/* "HOST:/PATH" of a brick's client translator, into buf. */
static void brick_name(gf_xlator_t *xl, char *buf, size_t len)
{
    const char *host = "?", *path = "?";

    gf_dict_get_str(xl->options, "remote-host", &host);
    gf_dict_get_str(xl->options, "remote-subvolume", &path);
    snprintf(buf, len, "%s:%s", host, path);
}

/* Appends to buf (len bytes) the bricks that are not up (caller holds fs->lock). */
static void bricks_not_up_locked(glfs_t *fs, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; i < fs->n_bricks && used < len; i++) {
        char name[512];

        if (fs->bricks[i].state == GF_EVENT_CHILD_UP)
            continue;
        brick_name(fs->bricks[i].xl, name, sizeof(name));
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
    }
}

/* Whether the top is up and every brick has reported (caller holds fs->lock). */
static bool settled_locked(glfs_t *fs)
{
    for (int i = 0; i < fs->n_bricks; i++)
        if (!fs->bricks[i].state)
            return false;
    return fs->top_up;
}

/*
 * Waits up to GLFS_INIT_TIMEOUT_MS until the top is up and every brick has
 * reported. A graph without bricks (a local volfile) is up at once. Fails with
 * -ENOTCONN, naming the bricks that are not up, when the top is not up by
 * then; when it is, bricks still down are only logged.
 */
static int wait_up(glfs_t *fs)
{
    char down[768];
    struct timespec deadline;
    bool up;

    if (fs->n_bricks == 0)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += GLFS_INIT_TIMEOUT_MS / 1000;
    pthread_mutex_lock(&fs->lock);
    while (!settled_locked(fs) &&
           pthread_cond_timedwait(&fs->cond, &fs->lock, &deadline) != ETIMEDOUT)
        ;
    up = fs->top_up;
    bricks_not_up_locked(fs, down, sizeof(down));
    pthread_mutex_unlock(&fs->lock);
    if (!up)
        return say(fs, -ENOTCONN,
                   "volume %s is not reachable: no connection within %d s to brick(s) %s "
                   "(is the volume started? gluster volume status %s shows its bricks)",
                   fs->volname, GLFS_INIT_TIMEOUT_MS / 1000, down, fs->volname);
    if (down[0])
        gf_log(GF_LOG_WARNING, "volume %s: brick(s) %s not connected; working without them",
               fs->volname, down);
    return 0;
}

/* Looks the root up: the first fop, which also lets the graph set the root up. */
static int first_lookup(glfs_t *fs)
{
    glfs_loc_t loc;
    int ret = glfs_resolve(fs, "/", 0, &loc);

    if (ret)
        return say(fs, ret, "volume %s: lookup of its root directory failed: %s", fs->volname,
                   strerror(-ret));
    glfs_loc_release(&loc);
    return 0;
}

int glfs_init(glfs_t *fs)
{
    gf_volfile_t *vf = NULL;
    int ret;

    if (!fs)
        return fail(-EINVAL);
    if (fs->init_called)
        return fail(-EALREADY);
    fs->init_called = true;
    fs->err[0] = '\0';
    ret = ctx_get();
    if (ret)
        return fail(say(fs, ret, "cannot start the client's threads: %s", strerror(-ret)));
    fs->ctx_held = true;
    ret = load_volfile(fs, &vf);
    if (!ret)
        ret = start_graph(fs, vf);
    gf_volfile_free(vf);
    if (!ret)
        ret = wait_up(fs);
    if (!ret)
        ret = first_lookup(fs);
    if (ret)
        return fail(ret);
    fs->ready = true;
    gf_log(GF_LOG_INFO, "volume %s is up", fs->volname);
    return 0;
}

/* ---- teardown ------------------------------------------------------------------------ */

/*
 * Finishes the bricks' client translators ahead of the rest of the graph. Their
 * fini closes the connections and returns only once no reply callback runs any
 * more. A translator may drop references (an fd or inode kept in its per-call
 * state) after it has unwound a reply, so only then is the inode table free of
 * references that the graph still holds, and may be destroyed.
 */
static void quiesce_bricks(glfs_t *fs)
{
    gf_xlator_t *saved = gf_this;

    for (int i = 0; i < fs->n_bricks; i++) {
        gf_xlator_t *xl = fs->bricks[i].xl;

        if (!xl->initialized)
            continue;
        gf_this = xl;
        if (xl->desc->fini)
            xl->desc->fini(xl);
        xl->initialized = false; /* gf_graph_fini will not finish it again */
    }
    gf_this = saved;
}

/* Stops the graph and frees what glfs_init built, in reverse order. */
static void stop_graph(glfs_t *fs)
{
    while (fs->fds) {
        gf_log(GF_LOG_WARNING, "volume %s: closing an fd the application left open", fs->volname);
        glfs_fd_free(fs->fds);
    }
    gf_inode_unref(fs->root);
    quiesce_bricks(fs);
    if (fs->itable)
        gf_inode_table_destroy(fs->itable);
    gf_graph_fini(fs->graph);
    observer_free(fs->api);
    observer_free(fs->watch);
    gf_free(fs->bricks);
}

int glfs_fini(glfs_t *fs)
{
    if (!fs)
        return 0;
    stop_graph(fs);
    if (fs->ctx_held)
        ctx_put();
    pthread_cond_destroy(&fs->cond);
    pthread_mutex_destroy(&fs->lock);
    gf_free(fs->volname);
    gf_free(fs->server_spec);
    gf_free(fs->server_name);
    gf_free(fs->volfile);
    gf_free(fs);
    return 0;
}
