/*
 * storage/posix extended attributes: getxattr, setxattr and removexattr on the
 * object a loc names. Names pass to the file system as they are (user.*, and
 * trusted.* which translators above use for their own metadata), except the two
 * that posix itself owns, trusted.gfid and trusted.glusterfs.volume-id, which
 * clients may read but never change (EPERM). Listing (getxattr without a name)
 * shows user.* attributes only.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/xattr.h>

#include "glusterfs/dict.h"
#include "posix-handle.h"
#include "posix.h"

static bool is_protected(const char *name)
{
    return !strcmp(name, POSIX_GFID_XATTR) || !strcmp(name, POSIX_VOLID_XATTR);
}

/* Reads xattr name of path into dict. The value's length, or -errno. */
static ssize_t read_xattr(const char *path, const char *name, gf_dict_t *dict)
{
    ssize_t n = lgetxattr(path, name, NULL, 0);
    char *value;
    int ret;

    if (n < 0)
        return -errno;
    value = gf_malloc(n + 1);
    if (!value)
        return -ENOMEM;
    n = lgetxattr(path, name, value, n);
    ret = n < 0 ? -errno : gf_dict_set_bin(dict, name, value, n);
    gf_free(value);
    return ret ? ret : n;
}

/* Reads every user.* xattr of path into dict. Their total length, or -errno. */
static ssize_t read_user_xattrs(const char *path, gf_dict_t *dict)
{
    ssize_t n = llistxattr(path, NULL, 0), total = 0, got;
    char *names, *name;

    if (n <= 0)
        return n < 0 ? -errno : 0;
    names = gf_malloc(n);
    if (!names)
        return -ENOMEM;
    n = llistxattr(path, names, n);
    if (n < 0)
        total = -errno;
    for (name = names; n > 0 && name < names + n; name += strlen(name) + 1) {
        if (strncmp(name, "user.", 5) != 0)
            continue;
        got = read_xattr(path, name, dict);
        if (got == -ENODATA) /* removed meanwhile */
            continue;
        if (got < 0) {
            total = got;
            break;
        }
        total += got;
    }
    gf_free(names);
    return total;
}

/* args->name: the xattr to read, or NULL for all user.* ones. Replies them in
 * rsp.xattr, op_ret = their total length. */
int posix_getxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    gf_dict_t *dict;
    ssize_t n;
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    dict = gf_dict_new();
    if (!dict)
        return gf_unwind_error(frame, ENOMEM);
    n = args->name ? read_xattr(path, args->name, dict) : read_user_xattrs(path, dict);
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

typedef struct {
    const char *path;
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
    if (lsetxattr(c->path, key, value->v.bytes, value->len, c->flags) != 0)
        return -errno;
    return 0;
}

/* args->xattr: the pairs to set; args->flags: XATTR_CREATE or XATTR_REPLACE. */
int posix_setxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    set_ctx_t c = {.path = path, .flags = args->flags & (XATTR_CREATE | XATTR_REPLACE)};
    int ret;

    if (!args->xattr)
        return gf_unwind_error(frame, EINVAL);
    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (!ret)
        ret = gf_dict_foreach(args->xattr, set_one, &c);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/* args->name: the xattr to remove. */
int posix_removexattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    int ret;

    if (!args->name)
        return gf_unwind_error(frame, EINVAL);
    if (is_protected(args->name))
        return gf_unwind_error(frame, EPERM);
    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (!ret && lremovexattr(path, args->name) != 0)
        ret = -errno;
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}
