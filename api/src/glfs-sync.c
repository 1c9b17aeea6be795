/*
 * Synchronous calls for application threads. The graph only knows asynchronous
 * calls: a fop is wound from a root frame and its reply comes back through a
 * callback, on whatever thread the translator below answered from (an event
 * thread for a remote brick, the caller itself for an error found at once).
 * Here the application thread winds the call and sleeps on a condition variable
 * until the callback has run. The reply is only valid during the callback, so
 * the caller's copy function takes what it needs out of it there.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "glfs-internal.h"

/* One call in flight; lives on the waiting thread's stack. */
typedef struct sync_call {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int ret; /* op_ret or -errno */
    glfs_copy_fn copy;
    void *out;
} sync_call_t;

/* The reply arrived: copy what the caller wants, then wake it. After the
 * unlock the waiter may return and free c, so c is not touched again. */
static int sync_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    sync_call_t *c = cookie;
    int ret = rsp->op_ret;

    if (ret < 0)
        ret = -(rsp->op_errno > 0 ? rsp->op_errno : EIO);
    else if (c->copy) {
        int err = c->copy(rsp, c->out);

        if (err)
            ret = err;
    }
    pthread_mutex_lock(&c->lock);
    c->ret = ret;
    c->done = true;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* Puts the calling process's identity into a root frame. */
static void set_identity(gf_call_root_t *root)
{
    gid_t groups[sizeof(root->groups) / sizeof(root->groups[0])];
    int n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);

    root->uid = geteuid();
    root->gid = getegid();
    root->pid = getpid();
    /* More groups than a frame holds: send none rather than a cut list. */
    root->ngroups = n > 0 ? (uint32_t)n : 0;
    for (int i = 0; i < n; i++)
        root->groups[i] = groups[i];
}

int glfs_sync_call(glfs_t *fs, gf_fop_t op, gf_args_t *args, glfs_copy_fn copy, void *out)
{
    sync_call_t c = {.copy = copy, .out = out};
    gf_frame_t *frame = gf_frame_root_new(fs->api);

    if (!frame)
        return -ENOMEM;
    set_identity(frame->root);
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.cond, NULL);
    gf_wind(frame, fs->top, op, args, sync_cbk, &c);
    pthread_mutex_lock(&c.lock);
    while (!c.done)
        pthread_cond_wait(&c.cond, &c.lock);
    pthread_mutex_unlock(&c.lock);
    pthread_cond_destroy(&c.cond);
    pthread_mutex_destroy(&c.lock);
    gf_frame_root_destroy(frame);
    return c.ret;
}
