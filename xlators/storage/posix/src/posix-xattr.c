/*
 * storage/posix extended attributes: getxattr, setxattr, removexattr on the
 * object a loc names and their f* forms on an open fd, xattrop (atomic
 * arithmetic on counters kept in xattrs), and the filling of the xattrs a
 * request's xdata asks for (lookup, readdirp entries, xattrop).
 *
 * Names pass to the file system as they are (user.*, and trusted.* which
 * translators above use for their own metadata), except the two that posix
 * itself owns, trusted.gfid and trusted.glusterfs.volume-id, which clients may
 * read by name but never change (EPERM) and which listings leave out, as
 * GlusterFS bricks do.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "glusterfs/dict.h"
#include "posix-handle.h"
#include "posix.h"

/* Values of an xattrop's flags (GF_XATTROP_* of the wire). */
enum {
    XATTROP_ADD_ARRAY = 0,
    XATTROP_ADD_ARRAY64 = 1,
    XATTROP_GET_AND_SET = 4,
    XATTROP_ADD_ARRAY_WITH_DEFAULT = 5,
    XATTROP_ADD_ARRAY64_WITH_DEFAULT = 6,
};

/* The largest xattr value a lookup's content request or an xattrop handles. */
#define XATTR_VALUE_MAX (64u << 10)

static bool is_protected(const char *name)
{
    return !strcmp(name, POSIX_GFID_XATTR) || !strcmp(name, POSIX_VOLID_XATTR);
}

/* ---- xattr calls on a path or an fd ------------------------------------------------------- */

ssize_t posix_xget(const posix_xtarget_t *t, const char *name, void *buf, size_t size)
{
    return t->path ? lgetxattr(t->path, name, buf, size) : fgetxattr(t->fd, name, buf, size);
}

int posix_xset(const posix_xtarget_t *t, const char *name, const void *buf, size_t size, int flags)
{
    return t->path ? lsetxattr(t->path, name, buf, size, flags)
                   : fsetxattr(t->fd, name, buf, size, flags);
}

ssize_t posix_xlist(const posix_xtarget_t *t, char *buf, size_t size)
{
    return t->path ? llistxattr(t->path, buf, size) : flistxattr(t->fd, buf, size);
}

static int xremove(const posix_xtarget_t *t, const char *name)
{
    return t->path ? lremovexattr(t->path, name) : fremovexattr(t->fd, name);
}

/* Reads xattr name of t into dict. The value's length, or -errno. */
static ssize_t read_xattr(const posix_xtarget_t *t, const char *name, gf_dict_t *dict)
{
    ssize_t n = posix_xget(t, name, NULL, 0);
    char *value;
    int ret;

    if (n < 0)
        return -errno;
    value = gf_malloc(n + 1);
    if (!value)
        return -ENOMEM;
    n = posix_xget(t, name, value, n);
    ret = n < 0 ? -errno : gf_dict_set_bin(dict, name, value, n);
    gf_free(value);
    return ret ? ret : n;
}

/* The names of t's xattrs (NUL-separated) in a new buffer *names (gf_free it).
 * Their total length (0: none, *names NULL), or -errno. */
static ssize_t list_names(const posix_xtarget_t *t, char **names)
{
    ssize_t n;

    *names = NULL;
    for (;;) {
        n = posix_xlist(t, NULL, 0);
        if (n <= 0)
            return n < 0 ? -errno : 0;
        *names = gf_malloc(n);
        if (!*names)
            return -ENOMEM;
        n = posix_xlist(t, *names, n);
        if (n >= 0 || errno != ERANGE) /* ERANGE: one was added meanwhile */
            break;
        gf_free(*names);
    }
    if (n < 0) {
        n = -errno;
        gf_free(*names);
        *names = NULL;
    }
    return n;
}

/* Reads every xattr of t but posix's own into dict. Their total length, or -errno. */
static ssize_t read_all_xattrs(const posix_xtarget_t *t, gf_dict_t *dict)
{
    ssize_t n, total = 0, got, err = 0;
    char *names, *name;

    n = list_names(t, &names);
    if (n < 0)
        return n;
    for (name = names; name && name < names + n; name += strlen(name) + 1) {
        if (is_protected(name))
            continue;
        got = read_xattr(t, name, dict);
        if (got == -ENODATA) /* removed meanwhile */
            continue;
        if (got < 0) {
            err = got;
            break;
        }
        total += got;
    }
    gf_free(names);
    return err ? err : total;
}

/* ---- getxattr ---------------------------------------------------------------------------- */

/* Replies name of t (NULL: all of them) in rsp.xattr, op_ret = their total length. */
static int get_xattrs(gf_frame_t *frame, const posix_xtarget_t *t, const char *name)
{
    gf_reply_t rsp = {0};
    gf_dict_t *dict = gf_dict_new();
    ssize_t n;

    if (!dict)
        return gf_unwind_error(frame, ENOMEM);
    n = name ? read_xattr(t, name, dict) : read_all_xattrs(t, dict);
    if (n < 0) {
        gf_dict_unref(dict);
        return posix_fail(frame, (int)n);
    }
    rsp.op_ret = (int32_t)n;
    rsp.xattr = dict;
    gf_unwind(frame, &rsp);
    gf_dict_unref(dict);
    return 0;
}

/* args->name: the xattr to read, or NULL for all. */
int posix_getxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    char path[PATH_MAX];
    posix_xtarget_t t = {.path = path};
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    return get_xattrs(frame, &t, args->name);
}

int posix_fgetxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    posix_xtarget_t t = {0};
    posix_fd_t *pfd;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    t.fd = pfd->fd;
    return get_xattrs(frame, &t, args->name);
}

/* ---- setxattr and removexattr -------------------------------------------------------------- */

typedef struct {
    const posix_xtarget_t *t;
    int flags; /* XATTR_CREATE / XATTR_REPLACE */
} set_ctx_t;

/* gf_dict_foreach callback: sets one pair as an xattr; -errno stops the walk. */
static int set_one(gf_dict_t *dict, const char *key, const gf_data_t *value, void *arg)
{
    const set_ctx_t *c = arg;

    if (is_protected(key))
        return -EPERM;
    if (value->type == GF_DATA_TYPE_INT || value->type == GF_DATA_TYPE_UINT ||
        value->type == GF_DATA_TYPE_DOUBLE)
        return -EINVAL; /* xattr values are bytes */
    if (posix_xset(c->t, key, value->v.bytes, value->len, c->flags) != 0)
        return -errno;
    return 0;
}

static int set_xattrs(gf_frame_t *frame, const posix_xtarget_t *t, const gf_args_t *args)
{
    set_ctx_t c = {.t = t, .flags = args->flags & (XATTR_CREATE | XATTR_REPLACE)};
    gf_reply_t rsp = {0};
    int ret;

    if (!args->xattr)
        return gf_unwind_error(frame, EINVAL);
    ret = gf_dict_foreach(args->xattr, set_one, &c);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/* args->xattr: the pairs to set; args->flags: XATTR_CREATE or XATTR_REPLACE. */
int posix_setxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    char path[PATH_MAX];
    posix_xtarget_t t = {.path = path};
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    return set_xattrs(frame, &t, args);
}

int posix_fsetxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    posix_xtarget_t t = {0};
    posix_fd_t *pfd;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    t.fd = pfd->fd;
    return set_xattrs(frame, &t, args);
}

static int remove_xattr(gf_frame_t *frame, const posix_xtarget_t *t, const char *name)
{
    gf_reply_t rsp = {0};

    if (!name)
        return gf_unwind_error(frame, EINVAL);
    if (is_protected(name))
        return gf_unwind_error(frame, EPERM);
    if (xremove(t, name) != 0)
        return gf_unwind_error(frame, errno);
    return gf_unwind(frame, &rsp);
}

/* args->name: the xattr to remove. */
int posix_removexattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    char path[PATH_MAX];
    posix_xtarget_t t = {.path = path};
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    return remove_xattr(frame, &t, args->name);
}

int posix_fremovexattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    posix_xtarget_t t = {0};
    posix_fd_t *pfd;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    t.fd = pfd->fd;
    return remove_xattr(frame, &t, args->name);
}

/* ---- xattrs asked for in xdata ------------------------------------------------------------ */

/* Keys of a request's xdata that are meant for other translators (locks,
 * protocol/server, distribute), never xattr names. */
static bool fill_ignores(const char *key)
{
    static const char *const keys[] = {
        "gfid-req",
        "glusterfs-internal-fop",
        "glusterfs.inodelk-count",
        "glusterfs.entrylk-count",
        "glusterfs.posixlk-count",
        "glusterfs.parent-entrylk",
        "gfidless-lookup",
        "glusterfs.inodelk-dom-count",
        "glusterfs.open-fd-count",
        NULL,
    };
    int i;

    for (i = 0; keys[i]; i++)
        if (!strcmp(key, keys[i]))
            return true;
    return false;
}

typedef struct {
    const posix_xtarget_t *t;
    const gf_iatt_t *ia;
    char *names; /* the object's xattr names */
    ssize_t n;
    gf_dict_t *out;
} fill_t;

/* "glusterfs.content": the whole file when it is no larger than asked. */
static void fill_content(fill_t *f, const char *key, gf_dict_t *xdata)
{
    uint64_t max = 0;
    char *buf;
    ssize_t n;
    int fd;

    if (!f->ia || !S_ISREG(f->ia->ia_mode) || !f->t->path ||
        gf_dict_get_uint64(xdata, key, &max) != 0 || max < f->ia->ia_size ||
        f->ia->ia_size > XATTR_VALUE_MAX)
        return;
    fd = open(f->t->path, O_RDONLY | O_CLOEXEC);
    buf = fd >= 0 ? gf_malloc(f->ia->ia_size + 1) : NULL;
    n = buf ? pread(fd, buf, f->ia->ia_size, 0) : -1;
    if (n == (ssize_t)f->ia->ia_size)
        gf_dict_set_bin(f->out, key, buf, (size_t)n);
    gf_free(buf);
    if (fd >= 0)
        close(fd);
}

/* gf_dict_foreach callback over the request's xdata. */
static int fill_one(gf_dict_t *xdata, const char *key, const gf_data_t *value, void *arg)
{
    fill_t *f = arg;
    const char *name;

    if (fill_ignores(key))
        return 0;
    if (!strcmp(key, "glusterfs.content")) {
        fill_content(f, key, xdata);
        return 0;
    }
    for (name = f->names; f->n > 0 && name < f->names + f->n; name += strlen(name) + 1)
        if (!is_protected(name) && fnmatch(key, name, 0) == 0)
            read_xattr(f->t, name, f->out); /* a failure leaves the key out */
    return 0;
}

gf_dict_t *posix_xattr_fill(const posix_xtarget_t *t, const gf_iatt_t *ia, gf_dict_t *xdata)
{
    fill_t f = {.t = t, .ia = ia};

    if (!xdata || gf_dict_count(xdata) == 0)
        return NULL;
    f.out = gf_dict_new();
    if (!f.out)
        return NULL;
    f.n = list_names(t, &f.names);
    gf_dict_foreach(xdata, fill_one, &f);
    gf_free(f.names);
    if (gf_dict_count(f.out) == 0) {
        gf_dict_unref(f.out);
        return NULL;
    }
    return f.out;
}

/* ---- xattrop --------------------------------------------------------------------------------- */

/*
 * How GlusterFS bricks combine a value v (len bytes) with the stored value d of
 * the same length (zeros when absent): ADD_ARRAY adds big-endian 32-bit
 * numbers element by element, ADD_ARRAY64 64-bit ones; the _WITH_DEFAULT forms
 * carry twice as many numbers, the second half being defaults: an element of d
 * that is 0 becomes value + default instead. GET_AND_SET stores v and answers
 * the old value. Additions wrap around.
 */
static void add32(unsigned char *d, const unsigned char *v, size_t count, bool with_default)
{
    uint32_t a, b, def;
    size_t i;

    for (i = 0; i < count; i++) {
        memcpy(&a, d + 4 * i, 4);
        memcpy(&b, v + 4 * i, 4);
        a = be32toh(a);
        b = be32toh(b);
        if (with_default && a == 0) {
            memcpy(&def, v + 4 * (count + i), 4);
            a = be32toh(def);
        }
        a = htobe32(a + b);
        memcpy(d + 4 * i, &a, 4);
    }
}

static void add64(unsigned char *d, const unsigned char *v, size_t count, bool with_default)
{
    uint64_t a, b, def;
    size_t i;

    for (i = 0; i < count; i++) {
        memcpy(&a, d + 8 * i, 8);
        memcpy(&b, v + 8 * i, 8);
        a = be64toh(a);
        b = be64toh(b);
        if (with_default && a == 0) {
            memcpy(&def, v + 8 * (count + i), 8);
            a = be64toh(def);
        }
        a = htobe64(a + b);
        memcpy(d + 8 * i, &a, 8);
    }
}

typedef struct {
    const posix_xtarget_t *t;
    int op;
    gf_dict_t *out; /* the values after the operation */
} xop_t;

static bool all_zero(const unsigned char *p, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

/* Applies the operation to d (the stored value, len bytes) with v. 0 or -EINVAL
 * for an operation bricks do not serve (OR_ARRAY, AND_ARRAY, unknown). */
static int combine(int op, unsigned char *d, const unsigned char *v, size_t len)
{
    switch (op) {
    case XATTROP_ADD_ARRAY:
    case XATTROP_ADD_ARRAY_WITH_DEFAULT:
        add32(d, v, len / 4, op == XATTROP_ADD_ARRAY_WITH_DEFAULT);
        return 0;
    case XATTROP_ADD_ARRAY64:
    case XATTROP_ADD_ARRAY64_WITH_DEFAULT:
        add64(d, v, len / 8, op == XATTROP_ADD_ARRAY64_WITH_DEFAULT);
        return 0;
    default:
        return -EINVAL;
    }
}

/* Stores into x->out what the operation leaves in key; the stored value is
 * written back only when v is not all zeros (an absent key is not created).
 * GET_AND_SET answers the old value, and nothing when there was none. */
static int xattrop_value(xop_t *x, const char *key, const unsigned char *v, size_t vlen)
{
    bool with_default =
        x->op == XATTROP_ADD_ARRAY_WITH_DEFAULT || x->op == XATTROP_ADD_ARRAY64_WITH_DEFAULT;
    size_t len = with_default ? vlen / 2 : vlen;
    unsigned char d[XATTR_VALUE_MAX];
    ssize_t n;
    int ret;

    memset(d, 0, len);
    n = posix_xget(x->t, key, d, len);
    if (n < 0 && errno != ENODATA)
        return -errno;
    if (x->op == XATTROP_GET_AND_SET) {
        if (posix_xset(x->t, key, v, vlen, 0) != 0)
            return -errno;
        return n < 0 ? 0 : gf_dict_set_bin(x->out, key, d, len);
    }
    if (!all_zero(v, vlen)) {
        ret = combine(x->op, d, v, len);
        if (ret)
            return ret;
        if (posix_xset(x->t, key, d, len, 0) != 0)
            return -errno;
    }
    return gf_dict_set_bin(x->out, key, d, len);
}

/* gf_dict_foreach callback: one key of an xattrop; -errno stops the walk. */
static int xattrop_one(gf_dict_t *dict, const char *key, const gf_data_t *value, void *arg)
{
    if (is_protected(key))
        return -EPERM;
    if (value->type == GF_DATA_TYPE_INT || value->type == GF_DATA_TYPE_UINT ||
        value->type == GF_DATA_TYPE_DOUBLE || value->len > XATTR_VALUE_MAX)
        return -EINVAL;
    return xattrop_value(arg, key, value->v.bytes, value->len);
}

/*
 * Runs the xattrop of args on t (the object with that gfid) under the
 * object's lock, so that concurrent xattrops of one object never lose an
 * update, and unwinds the new values in rsp.xattr (plus what xdata asks for).
 */
static int do_xattrop(gf_frame_t *frame, gf_xlator_t *this, const posix_xtarget_t *t,
                      const uuid_t gfid, gf_args_t *args)
{
    posix_priv_t *priv = this->priv;
    pthread_mutex_t *lock = &priv->xattrop_locks[gfid[15] % POSIX_XATTROP_LOCKS];
    xop_t x = {.t = t, .op = args->flags};
    gf_reply_t rsp = {0};
    int ret;

    if (!args->xattr)
        return gf_unwind_error(frame, EINVAL);
    x.out = gf_dict_new();
    if (!x.out)
        return gf_unwind_error(frame, ENOMEM);
    pthread_mutex_lock(lock);
    ret = gf_dict_foreach(args->xattr, xattrop_one, &x);
    pthread_mutex_unlock(lock);
    if (ret) {
        gf_dict_unref(x.out);
        return posix_fail(frame, ret);
    }
    rsp.xattr = x.out;
    rsp.xdata = posix_xattr_fill(t, NULL, args->xdata);
    gf_unwind(frame, &rsp);
    gf_dict_unref(rsp.xdata);
    gf_dict_unref(x.out);
    return 0;
}

/* args->flags: the GF_XATTROP_* operation; args->xattr: key -> value to combine. */
int posix_xattrop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    char path[PATH_MAX];
    posix_xtarget_t t = {.path = path};
    uuid_t gfid;
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    if (!uuid_is_null(args->loc.gfid))
        uuid_copy(gfid, args->loc.gfid);
    else if (posix_gfid_get(path, gfid) != 0)
        uuid_clear(gfid);
    return do_xattrop(frame, this, &t, gfid, args);
}

int posix_fxattrop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    posix_xtarget_t t = {0};
    posix_fd_t *pfd;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    t.fd = pfd->fd;
    return do_xattrop(frame, this, &t, pfd->gfid, args);
}
