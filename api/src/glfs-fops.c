/*
 * The file operations of the API: open and create, reads and writes, stat,
 * directories (mkdir, rmdir, listing) and unlink. Each resolves its path (see
 * glfs-resolve.c), fills the fop's arguments and runs the fop through the graph
 * with glfs_sync_call, copying what it needs out of the reply in the callback.
 *
 * New objects get a gfid chosen here (xdata "gfid-req") and their inode is
 * linked into the table under their name as soon as the reply arrives. Reads
 * and writes travel in chunks of at most GLFS_IO_CHUNK bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "glfs-internal.h"
#include "glusterfs/buf.h"
#include "glusterfs/dict.h"
#include "glusterfs/mem.h"

/* Sets errno from a negative errno and returns -1 (or NULL below). */
static int fail(int err)
{
    errno = -err;
    return -1;
}

static void *fail_null(int err)
{
    errno = -err;
    return NULL;
}

/* 0 when fs is initialized and can run fops, else -EINVAL or -ENOTCONN. */
static int fs_ready(glfs_t *fs)
{
    if (!fs)
        return -EINVAL;
    return fs->ready ? 0 : -ENOTCONN;
}

static int copy_stat(const gf_reply_t *rsp, void *out)
{
    *(gf_iatt_t *)out = rsp->stat;
    return 0;
}

/* ---- fds ----------------------------------------------------------------------------- */

/* A glfs_fd_t over a new gf_fd_t on inode, not yet registered. NULL on ENOMEM. */
static glfs_fd_t *fd_new(glfs_t *fs, gf_inode_t *inode, int flags, bool is_dir)
{
    glfs_fd_t *gfd = gf_calloc(1, sizeof(*gfd));

    if (!gfd)
        return NULL;
    gfd->fd = gf_fd_create(inode, flags, getpid());
    if (!gfd->fd) {
        gf_free(gfd);
        return NULL;
    }
    gfd->fs = fs;
    gfd->is_dir = is_dir;
    pthread_mutex_init(&gfd->lock, NULL);
    return gfd;
}

/* Adds an opened fd to fs's list. */
static void fd_register(glfs_fd_t *gfd)
{
    glfs_t *fs = gfd->fs;

    pthread_mutex_lock(&fs->lock);
    gfd->next = fs->fds;
    if (fs->fds)
        fs->fds->prev = gfd;
    fs->fds = gfd;
    gfd->registered = true;
    pthread_mutex_unlock(&fs->lock);
}

/* Contract in glfs-internal.h. */
void glfs_fd_free(glfs_fd_t *gfd)
{
    glfs_t *fs = gfd->fs;

    pthread_mutex_lock(&fs->lock);
    if (gfd->registered) {
        if (gfd->prev)
            gfd->prev->next = gfd->next;
        else
            fs->fds = gfd->next;
        if (gfd->next)
            gfd->next->prev = gfd->prev;
    }
    pthread_mutex_unlock(&fs->lock);
    gf_fd_unref(gfd->fd); /* the last reference: translators release what they opened */
    gf_free(gfd->ents);
    pthread_mutex_destroy(&gfd->lock);
    gf_free(gfd);
}

/* ---- open and create ----------------------------------------------------------------- */

/* Opens the existing object of loc (OPEN, or OPENDIR when is_dir). 0 with *out, or -errno. */
static int open_loc(glfs_t *fs, const glfs_loc_t *loc, int flags, bool is_dir, glfs_fd_t **out)
{
    gf_args_t args = {0};
    glfs_fd_t *gfd;
    int ret;

    if (is_dir && !S_ISDIR(loc->stat.ia_mode))
        return -ENOTDIR;
    if (!is_dir && S_ISDIR(loc->stat.ia_mode) && (flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    gfd = fd_new(fs, loc->inode, flags, is_dir);
    if (!gfd)
        return -ENOMEM;
    glfs_loc_fill(loc, &args.loc);
    args.fd = gfd->fd;
    args.flags = flags;
    ret = glfs_sync_call(fs, is_dir ? GF_FOP_OPENDIR : GF_FOP_OPEN, &args, NULL, NULL);
    if (ret < 0) {
        glfs_fd_free(gfd);
        return ret;
    }
    fd_register(gfd);
    *out = gfd;
    return 0;
}

/* An xdata dict asking for a new random gfid ("gfid-req"), or NULL on ENOMEM. */
static gf_dict_t *gfid_req_new(void)
{
    gf_dict_t *xdata = gf_dict_new();
    uuid_t gfid;

    uuid_generate(gfid);
    if (xdata && gf_dict_set_gfuuid(xdata, "gfid-req", gfid) != 0) {
        gf_dict_unref(xdata);
        return NULL;
    }
    return xdata;
}

/*
 * Makes the absent entry of loc with op (CREATE with fd, or MKDIR when fd is
 * NULL) on a fresh inode and a new gfid, and links the result. 0 or -errno.
 */
static int make_entry(glfs_t *fs, const glfs_loc_t *loc, gf_fop_t op, gf_inode_t *fresh,
                      gf_fd_t *fd, int flags, mode_t mode)
{
    gf_args_t args = {0};
    gf_inode_t *linked;
    gf_iatt_t ia;
    int ret;

    args.xdata = gfid_req_new();
    if (!args.xdata)
        return -ENOMEM;
    glfs_loc_fill(loc, &args.loc);
    args.loc.inode = fresh;
    args.fd = fd;
    args.flags = flags;
    args.mode = mode;
    ret = glfs_sync_call(fs, op, &args, copy_stat, &ia);
    gf_dict_unref(args.xdata);
    if (ret < 0)
        return ret;
    linked = glfs_link(fresh, loc->parent, loc->name, &ia);
    gf_inode_unref(linked);
    return linked ? 0 : -EIO;
}

/* CREATE of the absent file of loc. 0 with *out, or -errno. */
static int create_loc(glfs_t *fs, const glfs_loc_t *loc, int flags, mode_t mode, glfs_fd_t **out)
{
    gf_inode_t *fresh = gf_inode_new(fs->itable);
    glfs_fd_t *gfd = fresh ? fd_new(fs, fresh, flags, false) : NULL;
    int ret;

    gf_inode_unref(fresh); /* the fd holds it */
    if (!gfd)
        return -ENOMEM;
    ret = make_entry(fs, loc, GF_FOP_CREATE, gfd->fd->inode, gfd->fd, flags, mode);
    if (ret) {
        glfs_fd_free(gfd);
        return ret;
    }
    fd_register(gfd);
    *out = gfd;
    return 0;
}

/* Whether an entry fop's error may come from a stale cached directory. */
static bool stale(int ret, const glfs_loc_t *loc)
{
    return (ret == -ENOENT || ret == -ESTALE) && loc->cached;
}

typedef int (*entry_fn)(glfs_t *fs, const glfs_loc_t *loc, void *arg);

/*
 * Resolves path, whose last component may be absent, and runs fn on it. When fn
 * fails with ENOENT or ESTALE after cached directories were used (one of them
 * may be stale), resolves again without the cache and runs fn once more.
 * Returns fn's result, or the resolution's error.
 */
static int at_entry(glfs_t *fs, const char *path, entry_fn fn, void *arg)
{
    int flags = GLFS_RESOLVE_ABSENT_OK;
    glfs_loc_t loc;
    bool again;
    int ret;

    do {
        ret = glfs_resolve(fs, path, flags, &loc);
        if (ret)
            return ret;
        ret = fn(fs, &loc, arg);
        again = stale(ret, &loc);
        glfs_loc_release(&loc);
        flags |= GLFS_RESOLVE_NOCACHE;
    } while (again);
    return ret;
}

/* What glfs_creat asks of at_entry, and gets back. */
typedef struct {
    int flags;
    mode_t mode;
    glfs_fd_t *gfd;
} creat_t;

/* glfs_creat on the resolved loc: CREATE when absent, else OPEN. */
static int creat_loc(glfs_t *fs, const glfs_loc_t *loc, void *arg)
{
    creat_t *c = arg;

    if (!loc->inode)
        return create_loc(fs, loc, c->flags | O_CREAT, c->mode, &c->gfd);
    if (c->flags & O_EXCL)
        return -EEXIST;
    return open_loc(fs, loc, c->flags & ~(O_CREAT | O_EXCL), false, &c->gfd);
}

glfs_fd_t *glfs_creat(glfs_t *fs, const char *path, int flags, mode_t mode)
{
    creat_t c = {.flags = flags, .mode = mode};
    int ret = fs_ready(fs);

    if (!ret)
        ret = at_entry(fs, path, creat_loc, &c);
    return ret ? fail_null(ret) : c.gfd;
}

/* Resolves path and opens it (as a directory when is_dir). */
static glfs_fd_t *open_path(glfs_t *fs, const char *path, int flags, bool is_dir)
{
    glfs_fd_t *gfd = NULL;
    glfs_loc_t loc;
    int ret = fs_ready(fs);

    if (!ret)
        ret = glfs_resolve(fs, path, 0, &loc);
    if (!ret) {
        ret = open_loc(fs, &loc, flags, is_dir, &gfd);
        glfs_loc_release(&loc);
    }
    return ret ? fail_null(ret) : gfd;
}

glfs_fd_t *glfs_open(glfs_t *fs, const char *path, int flags)
{
    if (flags & O_CREAT)
        return fail_null(-EINVAL);
    return open_path(fs, path, flags, false);
}

glfs_fd_t *glfs_opendir(glfs_t *fs, const char *path)
{
    return open_path(fs, path, O_RDONLY | O_DIRECTORY, true);
}

int glfs_close(glfs_fd_t *fd)
{
    gf_args_t args = {0};
    int ret;

    if (!fd)
        return fail(-EBADF);
    args.fd = fd->fd;
    ret = glfs_sync_call(fd->fs, GF_FOP_FLUSH, &args, NULL, NULL);
    glfs_fd_free(fd);
    return ret < 0 ? fail(ret) : 0;
}

int glfs_closedir(glfs_fd_t *fd)
{
    if (!fd)
        return fail(-EBADF);
    glfs_fd_free(fd);
    return 0;
}

/* ---- reads and writes ---------------------------------------------------------------- */

/* Where a read's data goes. */
typedef struct {
    char *dst;
    size_t cap;
    size_t got;
} read_out_t;

static int copy_data(const gf_reply_t *rsp, void *out)
{
    read_out_t *r = out;

    for (int i = 0; i < rsp->count && r->got < r->cap; i++) {
        size_t len = rsp->vector[i].iov_len;

        if (len > r->cap - r->got)
            len = r->cap - r->got;
        memcpy(r->dst + r->got, rsp->vector[i].iov_base, len);
        r->got += len;
    }
    return 0;
}

/* One READV of at most GLFS_IO_CHUNK bytes. Bytes read or -errno. */
static ssize_t read_chunk(glfs_fd_t *fd, char *buf, size_t size, off_t offset)
{
    read_out_t r = {.dst = buf, .cap = size};
    gf_args_t args = {0};
    int ret;

    args.fd = fd->fd;
    args.size = size;
    args.offset = offset;
    args.flags = fd->fd->flags;
    ret = glfs_sync_call(fd->fs, GF_FOP_READ, &args, copy_data, &r);
    return ret < 0 ? ret : (ssize_t)r.got;
}

/* One WRITEV of at most GLFS_IO_CHUNK bytes, from a buffer of its own so that
 * translators may keep the data (args->buf) past the call. Bytes written or
 * -errno. */
static ssize_t write_chunk(glfs_fd_t *fd, const char *data, size_t size, off_t offset)
{
    gf_buf_t *buf = gf_buf_new(size);
    gf_args_t args = {0};
    struct iovec iov;
    int ret;

    if (!buf)
        return -ENOMEM;
    memcpy(buf->data, data, size);
    iov = (struct iovec){.iov_base = buf->data, .iov_len = size};
    args.fd = fd->fd;
    args.vector = &iov;
    args.count = 1;
    args.buf = buf;
    args.size = size;
    args.offset = offset;
    args.flags = fd->fd->flags;
    ret = glfs_sync_call(fd->fs, GF_FOP_WRITE, &args, NULL, NULL);
    gf_buf_unref(buf);
    return ret;
}

typedef ssize_t (*chunk_fn)(glfs_fd_t *fd, char *buf, size_t size, off_t offset);

/* Moves count bytes at offset in chunks with fn; stops at the first short
 * chunk. Bytes moved, or -1 with errno when the first chunk failed. */
static ssize_t transfer(glfs_fd_t *fd, char *buf, size_t count, off_t offset, chunk_fn fn)
{
    size_t done = 0;

    if (!fd || fd->is_dir)
        return fail(-EBADF);
    if ((count && !buf) || offset < 0)
        return fail(-EINVAL);
    while (done < count) {
        size_t want = count - done < GLFS_IO_CHUNK ? count - done : GLFS_IO_CHUNK;
        ssize_t n = fn(fd, buf + done, want, offset + (off_t)done);

        if (n < 0)
            return done ? (ssize_t)done : fail((int)n);
        done += (size_t)n;
        if ((size_t)n < want)
            break;
    }
    return (ssize_t)done;
}

static ssize_t write_chunk_fn(glfs_fd_t *fd, char *buf, size_t size, off_t offset)
{
    return write_chunk(fd, buf, size, offset);
}

ssize_t glfs_pread(glfs_fd_t *fd, void *buf, size_t count, off_t offset)
{
    return transfer(fd, buf, count, offset, read_chunk);
}

ssize_t glfs_pwrite(glfs_fd_t *fd, const void *buf, size_t count, off_t offset)
{
    return transfer(fd, (char *)buf, count, offset, write_chunk_fn);
}

/* glfs_read/glfs_write: transfer at the fd's offset and advance it. */
static ssize_t transfer_at_offset(glfs_fd_t *fd, char *buf, size_t count, chunk_fn fn)
{
    ssize_t n;

    if (!fd)
        return fail(-EBADF);
    pthread_mutex_lock(&fd->lock);
    n = transfer(fd, buf, count, fd->offset, fn);
    if (n > 0)
        fd->offset += n;
    pthread_mutex_unlock(&fd->lock);
    return n;
}

ssize_t glfs_read(glfs_fd_t *fd, void *buf, size_t count)
{
    return transfer_at_offset(fd, buf, count, read_chunk);
}

ssize_t glfs_write(glfs_fd_t *fd, const void *buf, size_t count)
{
    return transfer_at_offset(fd, (char *)buf, count, write_chunk_fn);
}

/* ---- attributes ---------------------------------------------------------------------- */

int glfs_stat_gfid(glfs_t *fs, const char *path, struct stat *buf, unsigned char gfid[16])
{
    glfs_loc_t loc;
    int ret = fs_ready(fs);

    if (!ret && !buf)
        ret = -EINVAL;
    if (!ret)
        ret = glfs_resolve(fs, path, 0, &loc);
    if (ret)
        return fail(ret);
    glfs_iatt_to_stat(&loc.stat, buf);
    if (gfid)
        gf_inode_gfid(loc.inode, gfid);
    glfs_loc_release(&loc);
    return 0;
}

int glfs_stat(glfs_t *fs, const char *path, struct stat *buf)
{
    return glfs_stat_gfid(fs, path, buf, NULL);
}

int glfs_fstat(glfs_fd_t *fd, struct stat *buf)
{
    gf_args_t args = {0};
    gf_iatt_t ia;
    int ret;

    if (!fd)
        return fail(-EBADF);
    if (!buf)
        return fail(-EINVAL);
    args.fd = fd->fd;
    args.loc.inode = fd->fd->inode;
    gf_inode_gfid(fd->fd->inode, args.loc.gfid);
    ret = glfs_sync_call(fd->fs, GF_FOP_FSTAT, &args, copy_stat, &ia);
    if (ret < 0)
        return fail(ret);
    glfs_iatt_to_stat(&ia, buf);
    return 0;
}

/* ---- names --------------------------------------------------------------------------- */

/* glfs_mkdir on the resolved loc; arg points to the mode. */
static int mkdir_loc(glfs_t *fs, const glfs_loc_t *loc, void *arg)
{
    gf_inode_t *fresh;
    int ret;

    if (loc->inode)
        return -EEXIST;
    fresh = gf_inode_new(fs->itable);
    if (!fresh)
        return -ENOMEM;
    ret = make_entry(fs, loc, GF_FOP_MKDIR, fresh, NULL, 0, *(mode_t *)arg);
    gf_inode_unref(fresh);
    return ret;
}

int glfs_mkdir(glfs_t *fs, const char *path, mode_t mode)
{
    int ret = fs_ready(fs);

    if (!ret)
        ret = at_entry(fs, path, mkdir_loc, &mode);
    return ret ? fail(ret) : 0;
}

/* UNLINK or RMDIR of the existing object of loc; forgets its name on success. */
static int remove_loc(glfs_t *fs, const glfs_loc_t *loc, gf_fop_t op)
{
    bool is_dir = S_ISDIR(loc->stat.ia_mode);
    gf_args_t args = {0};
    int ret;

    if (!loc->parent)
        return op == GF_FOP_RMDIR ? -EBUSY : -EISDIR;
    if (op == GF_FOP_UNLINK && is_dir)
        return -EISDIR;
    if (op == GF_FOP_RMDIR && !is_dir)
        return -ENOTDIR;
    glfs_loc_fill(loc, &args.loc);
    ret = glfs_sync_call(fs, op, &args, NULL, NULL);
    if (ret < 0)
        return ret;
    gf_inode_unlink(loc->inode, loc->parent, loc->name);
    return 0;
}

static int remove_path(glfs_t *fs, const char *path, gf_fop_t op)
{
    glfs_loc_t loc;
    int ret = fs_ready(fs);

    if (!ret)
        ret = glfs_resolve(fs, path, 0, &loc);
    if (ret)
        return fail(ret);
    ret = remove_loc(fs, &loc, op);
    glfs_loc_release(&loc);
    return ret ? fail(ret) : 0;
}

int glfs_unlink(glfs_t *fs, const char *path)
{
    return remove_path(fs, path, GF_FOP_UNLINK);
}

int glfs_rmdir(glfs_t *fs, const char *path)
{
    return remove_path(fs, path, GF_FOP_RMDIR);
}

/* ---- listing ------------------------------------------------------------------------- */

/* Where a READDIRP reply's entries go. */
typedef struct {
    glfs_dent_t *ents; /* one allocation: the array, then the names */
    size_t n;
} batch_t;

static int copy_entries(const gf_reply_t *rsp, void *out)
{
    batch_t *b = out;
    size_t names = 0;
    char *p;

    if (rsp->n_entries == 0)
        return 0;
    for (size_t i = 0; i < rsp->n_entries; i++)
        names += strlen(rsp->entries[i].d_name) + 1;
    b->ents = gf_malloc(rsp->n_entries * sizeof(*b->ents) + names);
    if (!b->ents)
        return -ENOMEM;
    p = (char *)(b->ents + rsp->n_entries);
    for (size_t i = 0; i < rsp->n_entries; i++) {
        const gf_dirent_t *d = &rsp->entries[i];
        size_t len = strlen(d->d_name) + 1;

        memcpy(p, d->d_name, len);
        b->ents[i] = (glfs_dent_t){
            .name = p,
            .ino = d->d_ino,
            .off = d->d_off,
            .type = d->d_type ? (unsigned char)d->d_type : IFTODT(d->d_stat.ia_mode),
        };
        p += len;
    }
    b->n = rsp->n_entries;
    return 0;
}

/* Fetches the next batch of fd's directory (caller holds fd->lock). 0 or -errno. */
static int fetch_batch(glfs_fd_t *fd)
{
    gf_args_t args = {0};
    batch_t b = {0};
    int ret;

    args.fd = fd->fd;
    args.size = GLFS_IO_CHUNK;
    args.offset = (int64_t)fd->next_off;
    ret = glfs_sync_call(fd->fs, GF_FOP_READDIRP, &args, copy_entries, &b);
    if (ret < 0) {
        gf_free(b.ents);
        return ret;
    }
    gf_free(fd->ents);
    fd->ents = b.ents;
    fd->n_ents = b.n;
    fd->pos = 0;
    fd->eof = b.n == 0;
    return 0;
}

/* The next entry into fd->de (caller holds fd->lock). 1, 0 at the end, or -errno. */
static int next_entry(glfs_fd_t *fd)
{
    const glfs_dent_t *e;
    int ret;

    if (fd->pos == fd->n_ents && !fd->eof && (ret = fetch_batch(fd)) != 0)
        return ret;
    if (fd->pos == fd->n_ents)
        return 0;
    e = &fd->ents[fd->pos++];
    fd->next_off = e->off;
    memset(&fd->de, 0, sizeof(fd->de));
    fd->de.d_ino = e->ino;
    fd->de.d_off = (off_t)e->off;
    fd->de.d_reclen = sizeof(fd->de);
    fd->de.d_type = e->type;
    snprintf(fd->de.d_name, sizeof(fd->de.d_name), "%s", e->name);
    return 1;
}

struct dirent *glfs_readdir(glfs_fd_t *fd)
{
    int ret;

    if (!fd || !fd->is_dir)
        return fail_null(-EBADF);
    pthread_mutex_lock(&fd->lock);
    ret = next_entry(fd);
    pthread_mutex_unlock(&fd->lock);
    if (ret < 0)
        return fail_null(ret);
    return ret ? &fd->de : NULL;
}
