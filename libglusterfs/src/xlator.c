/*
 * Asynchronous calls through a translator graph: frames, gf_wind/gf_unwind, the
 * one default pass-through that serves every fop a translator leaves out, event
 * propagation, and copies of fop arguments for translators that defer a call.
 */
#include <errno.h>
#include <string.h>

#include "glusterfs/buf.h"
#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/xlator.h"

static const char *const fop_names[GF_FOP_MAXVALUE] = {
    [GF_FOP_NULL] = "null",
#define GF_FOP(ENUM, name, num) [GF_FOP_##ENUM] = #name,
#include "glusterfs/fops.def"
#undef GF_FOP
};

const char *gf_fop_name(gf_fop_t op)
{
    if (op < 0 || op >= GF_FOP_MAXVALUE || !fop_names[op])
        return "unknown";
    return fop_names[op];
}

/* A root frame and its call identity live in one allocation. */
typedef struct {
    gf_call_root_t root;
    gf_frame_t frame;
} root_frame_t;

static uint64_t next_unique;

gf_frame_t *gf_frame_root_new(gf_xlator_t *this)
{
    root_frame_t *rf = gf_calloc(1, sizeof(*rf));

    if (!rf)
        return NULL;
    rf->root.unique = __atomic_add_fetch(&next_unique, 1, __ATOMIC_RELAXED);
    rf->root.pid = 0;
    rf->frame.root = &rf->root;
    rf->frame.this = this;
    return &rf->frame;
}

void gf_frame_root_destroy(gf_frame_t *frame)
{
    if (!frame)
        return;
    gf_free((char *)frame - offsetof(root_frame_t, frame));
}

/* Calls cbk in frame with a failure, for a wind that could not even start. */
static int wind_fail(gf_frame_t *frame, gf_fop_cbk_t cbk, void *cookie, int err)
{
    gf_reply_t rsp = {.op_ret = -1, .op_errno = err};
    gf_xlator_t *saved = gf_this;

    gf_this = frame->this;
    cbk(frame, cookie, frame->this, &rsp);
    gf_this = saved;
    return 0;
}

int gf_wind(gf_frame_t *frame, gf_xlator_t *child, gf_fop_t op, gf_args_t *args,
            gf_fop_cbk_t cbk, void *cookie)
{
    gf_xlator_t *saved = gf_this;
    gf_fop_fn_t fn;
    gf_frame_t *f;

    if (op <= GF_FOP_NULL || op >= GF_FOP_MAXVALUE || !child)
        return wind_fail(frame, cbk, cookie, EINVAL);
    f = gf_calloc(1, sizeof(*f));
    if (!f)
        return wind_fail(frame, cbk, cookie, ENOMEM);
    f->root = frame->root;
    f->parent = frame;
    f->this = child;
    f->ret = cbk;
    f->cookie = cookie;
    f->op = op;

    fn = child->desc && child->desc->fops[op] ? child->desc->fops[op] : gf_default_fop;
    gf_this = child;
    fn(f, child, args);
    gf_this = saved;
    return 0;
}

int gf_unwind(gf_frame_t *frame, gf_reply_t *rsp)
{
    gf_xlator_t *saved = gf_this;
    gf_frame_t *parent = frame->parent;
    gf_fop_cbk_t fn = frame->ret;
    void *cookie = frame->cookie;

    if (!parent || !fn) {
        gf_log(GF_LOG_CRITICAL, "unwind of a root frame (%s): a translator bug",
               gf_fop_name(frame->op));
        return -EINVAL;
    }
    gf_free(frame);
    gf_this = parent->this;
    fn(parent, cookie, parent->this, rsp);
    gf_this = saved;
    return 0;
}

int gf_unwind_error(gf_frame_t *frame, int err)
{
    gf_reply_t rsp = {.op_ret = -1, .op_errno = err};

    return gf_unwind(frame, &rsp);
}

int gf_default_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    return gf_unwind(frame, rsp);
}

int gf_default_fop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    if (this->n_children < 1)
        return gf_unwind_error(frame, ENOSYS);
    return gf_wind(frame, this->children[0], frame->op, args, gf_default_cbk, NULL);
}

int gf_default_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    int i;

    switch (event) {
    case GF_EVENT_PARENT_UP:
    case GF_EVENT_PARENT_DOWN:
    case GF_EVENT_CLEANUP:
        for (i = 0; i < this->n_children; i++)
            gf_xlator_notify(this->children[i], event, this);
        break;
    default:
        for (i = 0; i < this->n_parents; i++)
            gf_xlator_notify(this->parents[i], event, this);
        break;
    }
    return 0;
}

int gf_xlator_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    gf_xlator_t *saved = gf_this;
    int ret;

    gf_this = this;
    if (this->desc && this->desc->notify)
        ret = this->desc->notify(this, event, data);
    else
        ret = gf_default_notify(this, event, data);
    gf_this = saved;
    return ret;
}

int gf_loc_copy(gf_loc_t *dst, const gf_loc_t *src)
{
    memset(dst, 0, sizeof(*dst));
    uuid_copy(dst->gfid, src->gfid);
    uuid_copy(dst->pargfid, src->pargfid);
    if ((src->path && !(dst->path = gf_strdup(src->path))) ||
        (src->name && !(dst->name = gf_strdup(src->name)))) {
        gf_loc_wipe(dst);
        return -ENOMEM;
    }
    if (src->inode)
        dst->inode = gf_inode_ref(src->inode);
    if (src->parent)
        dst->parent = gf_inode_ref(src->parent);
    return 0;
}

void gf_loc_wipe(gf_loc_t *loc)
{
    gf_free((char *)loc->path);
    gf_free((char *)loc->name);
    if (loc->inode)
        gf_inode_unref(loc->inode);
    if (loc->parent)
        gf_inode_unref(loc->parent);
    memset(loc, 0, sizeof(*loc));
}

/* Copies the caller-owned parts of args that a plain struct copy would share. */
static int args_dup_owned(gf_args_t *dst, const gf_args_t *src)
{
    if (gf_loc_copy(&dst->loc, &src->loc) || gf_loc_copy(&dst->loc2, &src->loc2))
        return -ENOMEM;
    if ((src->linkname && !(dst->linkname = gf_strdup(src->linkname))) ||
        (src->name && !(dst->name = gf_strdup(src->name))) ||
        (src->volume && !(dst->volume = gf_strdup(src->volume))))
        return -ENOMEM;
    if (src->count > 0) {
        dst->vector = gf_malloc(sizeof(*dst->vector) * src->count);
        if (!dst->vector)
            return -ENOMEM;
        memcpy(dst->vector, src->vector, sizeof(*dst->vector) * src->count);
    }
    return 0;
}

gf_args_t *gf_args_dup(const gf_args_t *args)
{
    gf_args_t *dup = gf_calloc(1, sizeof(*dup));

    if (!dup)
        return NULL;
    *dup = *args;
    memset(&dup->loc, 0, sizeof(dup->loc));
    memset(&dup->loc2, 0, sizeof(dup->loc2));
    dup->linkname = dup->name = dup->volume = NULL;
    dup->vector = NULL;
    dup->fd = args->fd ? gf_fd_ref(args->fd) : NULL;
    dup->buf = args->buf ? gf_buf_ref(args->buf) : NULL;
    dup->xattr = args->xattr ? gf_dict_ref(args->xattr) : NULL;
    dup->xdata = args->xdata ? gf_dict_ref(args->xdata) : NULL;
    if (args_dup_owned(dup, args)) {
        gf_args_free(dup);
        return NULL;
    }
    return dup;
}

void gf_args_free(gf_args_t *args)
{
    if (!args)
        return;
    gf_loc_wipe(&args->loc);
    gf_loc_wipe(&args->loc2);
    gf_free((char *)args->linkname);
    gf_free((char *)args->name);
    gf_free((char *)args->volume);
    gf_free(args->vector);
    if (args->fd)
        gf_fd_unref(args->fd);
    if (args->buf)
        gf_buf_unref(args->buf);
    if (args->xattr)
        gf_dict_unref(args->xattr);
    if (args->xdata)
        gf_dict_unref(args->xdata);
    gf_free(args);
}
