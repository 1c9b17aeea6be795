/*
 * storage/posix directory listing: opendir, readdir and readdirp; and fsyncdir.
 *
 * opendir keeps a DIR stream in the fd ctx. A listing call starts where the
 * previous one stopped: args->offset is the d_off of the last entry the client
 * received (0 for the start), which seekdir accepts back on Linux. A call returns
 * as many entries as fit args->size bytes of reply (at least one), and none at
 * the end. The handle directory .glusterfs is never listed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "posix-handle.h"
#include "posix.h"

/* Reply bytes an entry takes on the wire, besides its name: readdir's
 * ino/off/type/length words, readdirp's attributes and dict on top. */
#define DIRENT_WIRE       32
#define DIRENTP_WIRE      200
/* Reply size used when the client gives none. */
#define LIST_DEFAULT_SIZE (128u << 10)

int posix_opendir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    uuid_t gfid;
    DIR *dir;
    int fd, ret;

    if (!args->fd)
        return gf_unwind_error(frame, EINVAL);
    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return gf_unwind_error(frame, errno);
    dir = fdopendir(fd);
    if (!dir) {
        ret = -errno;
        close(fd);
        return posix_fail(frame, ret);
    }
    if (!uuid_is_null(args->loc.gfid))
        uuid_copy(gfid, args->loc.gfid);
    else if (posix_gfid_get(path, gfid) != 0)
        uuid_clear(gfid);
    ret = posix_fd_attach(this, args->fd, fd, dir, gfid);
    if (ret) {
        closedir(dir);
        return posix_fail(frame, ret);
    }
    rsp.fd = args->fd;
    return gf_unwind(frame, &rsp);
}

/* Entries gathered for one reply. */
typedef struct {
    gf_dirent_t *v;
    size_t n, cap;
    size_t bytes; /* estimated reply size so far */
} list_t;

static void list_free(list_t *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        gf_free(l->v[i].d_name);
        gf_dict_unref(l->v[i].dict);
    }
    gf_free(l->v);
}

/* Appends d to l. 0 or -ENOMEM. */
static int list_push(list_t *l, const struct dirent *d)
{
    gf_dirent_t *e;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        gf_dirent_t *v = gf_realloc(l->v, cap * sizeof(*v));

        if (!v)
            return -ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    e = &l->v[l->n];
    memset(e, 0, sizeof(*e));
    e->d_name = gf_strdup(d->d_name);
    if (!e->d_name)
        return -ENOMEM;
    e->d_ino = d->d_ino;
    e->d_off = d->d_off;
    e->d_type = d->d_type;
    l->n++;
    return 0;
}

/* Whether the directory of pfd must not show name (the handle tree, at the root). */
static bool hidden(const posix_fd_t *pfd, const char *name)
{
    return posix_gfid_is_root(pfd->gfid) && strcmp(name, POSIX_HANDLE_DIR) == 0;
}

/* Reads entries from offset until limit reply bytes (per: overhead of each). */
static int list_fill(posix_fd_t *pfd, int64_t offset, size_t limit, size_t per, list_t *l)
{
    struct dirent *d;
    size_t size;
    int ret = 0;

    pthread_mutex_lock(&pfd->lock);
    if (offset)
        seekdir(pfd->dir, offset);
    else
        rewinddir(pfd->dir);
    for (;;) {
        errno = 0;
        d = readdir(pfd->dir);
        if (!d) {
            ret = -errno;
            break;
        }
        if (hidden(pfd, d->d_name))
            continue;
        size = per + strlen(d->d_name) + 1;
        if (l->n && l->bytes + size > limit)
            break;
        ret = list_push(l, d);
        if (ret)
            break;
        l->bytes += size;
    }
    pthread_mutex_unlock(&pfd->lock);
    return ret;
}

/*
 * Fills the attributes and gfid of one readdirp entry of the directory at
 * dirpath, and its dict with the xattrs xdata asks for (posix_xattr_fill). The
 * brick root's ".." is shown as the root itself, so nothing outside the brick
 * shows through.
 */
static void stat_entry(posix_fd_t *pfd, const char *dirpath, gf_dirent_t *e, gf_dict_t *xdata)
{
    posix_xtarget_t t;
    bool root_parent = posix_gfid_is_root(pfd->gfid) && !strcmp(e->d_name, "..");
    const char *name = root_parent ? "." : e->d_name;
    char path[PATH_MAX];
    struct stat st;
    uuid_t gfid;

    if (fstatat(pfd->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return; /* removed since it was listed: the client looks it up again */
    gf_iatt_from_stat(&e->d_stat, &st);
    if (!dirpath || snprintf(path, sizeof(path), "%s/%s", dirpath, name) >= PATH_MAX)
        return;
    if (posix_gfid_get(path, gfid) == 0) {
        posix_iatt_set_gfid(&e->d_stat, gfid);
        posix_iatt_names_only(&e->d_stat);
        e->d_ino = e->d_stat.ia_ino;
    }
    t = (posix_xtarget_t){.path = path};
    e->dict = posix_xattr_fill(&t, &e->d_stat, xdata);
}

/* readdir and readdirp: lists, then (plus) stats every entry, and unwinds. */
static int list_dir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args, bool plus)
{
    size_t limit = args->size ? args->size : LIST_DEFAULT_SIZE;
    posix_fd_t *pfd = NULL;
    char dirpath[PATH_MAX];
    gf_reply_t rsp = {0};
    list_t l = {0};
    bool have_path;
    size_t i;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    if (!pfd->dir)
        return gf_unwind_error(frame, ENOTDIR);
    ret = list_fill(pfd, args->offset, limit, plus ? DIRENTP_WIRE : DIRENT_WIRE, &l);
    if (ret) {
        list_free(&l);
        return posix_fail(frame, ret);
    }
    have_path =
        plus && posix_gfid_path(posix_brick(this), pfd->gfid, dirpath, sizeof(dirpath)) == 0;
    for (i = 0; plus && i < l.n; i++)
        stat_entry(pfd, have_path ? dirpath : NULL, &l.v[i], args->xdata);
    rsp.op_ret = (int32_t)l.n;
    rsp.entries = l.v;
    rsp.n_entries = l.n;
    gf_unwind(frame, &rsp);
    list_free(&l);
    return 0;
}

/* args->offset: cookie (d_off of the last entry received); args->size: reply bytes. */
int posix_readdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return list_dir(frame, this, args, false);
}

/* As readdir, each entry with its attributes and gfid in d_stat, and in its
 * dict the xattrs args->xdata asks for (distribute asks for its link-file
 * xattr, to leave link files out of listings). */
int posix_readdirp(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return list_dir(frame, this, args, true);
}

/* args->flags non-zero: data only. */
int posix_fsyncdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    posix_fd_t *pfd;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    if ((args->flags ? fdatasync(pfd->fd) : fsync(pfd->fd)) != 0)
        return gf_unwind_error(frame, errno);
    return gf_unwind(frame, &rsp);
}
