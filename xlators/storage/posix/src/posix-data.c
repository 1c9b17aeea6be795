/*
 * storage/posix fops on file contents and open files: open, readv, writev,
 * flush, fsync, fstat, ftruncate, fsetattr, and the fops on a file's space:
 * fallocate, discard (punching holes), zerofill and seek (SEEK_DATA/SEEK_HOLE),
 * so that sparse files stay sparse. The real descriptor lives in the
 * fd's ctx (posix_fd_t) from open or create until the fd's last reference goes
 * (posix_release).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include "glusterfs/buf.h"
#include "posix-handle.h"
#include "posix.h"

/* The most one readv returns; a larger request gets a short read. */
#define POSIX_READ_MAX (16u << 20)

/* args->flags: open(2) flags (O_CREAT and O_EXCL are ignored); reply fd is args->fd. */
int posix_open(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    uuid_t gfid;
    int fd, ret;

    if (!args->fd)
        return gf_unwind_error(frame, EINVAL);
    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    fd = open(path, (args->flags & ~(O_CREAT | O_EXCL | O_NOCTTY)) | O_CLOEXEC);
    if (fd < 0)
        return gf_unwind_error(frame, errno);
    if (!uuid_is_null(args->loc.gfid))
        uuid_copy(gfid, args->loc.gfid);
    else if (posix_gfid_get(path, gfid) != 0)
        uuid_clear(gfid);
    ret = posix_fd_attach(this, args->fd, fd, NULL, gfid);
    if (ret) {
        close(fd);
        return posix_fail(frame, ret);
    }
    rsp.fd = args->fd;
    return gf_unwind(frame, &rsp);
}

/* args->offset, args->size; replies op_ret = bytes read (short at end of file),
 * the data in rsp.vector backed by rsp.buf, and the file's stat. */
int posix_readv(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    posix_fd_t *pfd;
    size_t size = args->size < POSIX_READ_MAX ? args->size : POSIX_READ_MAX;
    gf_reply_t rsp = {0};
    struct iovec iov;
    gf_buf_t *buf;
    ssize_t n;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    buf = gf_buf_new(size ? size : 1);
    if (!buf)
        return gf_unwind_error(frame, ENOMEM);
    n = pread(pfd->fd, buf->data, size, args->offset);
    ret = n < 0 ? -errno : posix_iatt_fd(pfd, &rsp.stat);
    if (ret) {
        gf_buf_unref(buf);
        return posix_fail(frame, ret);
    }
    iov = (struct iovec){.iov_base = buf->data, .iov_len = (size_t)n};
    rsp.op_ret = (int32_t)n;
    rsp.vector = &iov;
    rsp.count = n > 0 ? 1 : 0;
    rsp.buf = buf;
    gf_unwind(frame, &rsp);
    gf_buf_unref(buf);
    return 0;
}

/* args->vector/count at args->offset; replies op_ret = bytes written. */
int posix_writev(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    posix_fd_t *pfd;
    gf_reply_t rsp = {0};
    ssize_t n;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    ret = posix_iatt_fd(pfd, &rsp.prestat);
    if (ret)
        return posix_fail(frame, ret);
    n = pwritev(pfd->fd, args->vector, args->count, args->offset);
    if (n < 0)
        return gf_unwind_error(frame, errno);
    ret = posix_iatt_fd(pfd, &rsp.poststat);
    if (ret)
        return posix_fail(frame, ret);
    rsp.op_ret = (int32_t)n;
    return gf_unwind(frame, &rsp);
}

/* Nothing is buffered here: succeeds for any fd posix can use. */
int posix_flush(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    posix_fd_t *pfd;
    int ret = posix_fd_get(this, args->fd, &pfd);

    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/*
 * The shape of every fop that changes an open file: stat it, apply change, stat it
 * again, and unwind the two stats as prestat/poststat (or the error).
 */
static int fd_change(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args,
                     int (*change)(posix_fd_t *pfd, const gf_args_t *args))
{
    gf_reply_t rsp = {0};
    posix_fd_t *pfd;
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (!ret)
        ret = posix_iatt_fd(pfd, &rsp.prestat);
    if (!ret)
        ret = change(pfd, args);
    if (!ret)
        ret = posix_iatt_fd(pfd, &rsp.poststat);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/* args->flags non-zero: data only (fdatasync). */
static int do_fsync(posix_fd_t *pfd, const gf_args_t *args)
{
    return (args->flags ? fdatasync(pfd->fd) : fsync(pfd->fd)) != 0 ? -errno : 0;
}

int posix_fsync(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return fd_change(frame, this, args, do_fsync);
}

int posix_fstat(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    posix_fd_t *pfd;
    gf_reply_t rsp = {0};
    int ret;

    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    ret = posix_iatt_fd(pfd, &rsp.stat);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/* args->offset: the new size. */
static int do_ftruncate(posix_fd_t *pfd, const gf_args_t *args)
{
    return ftruncate(pfd->fd, args->offset) != 0 ? -errno : 0;
}

int posix_ftruncate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return fd_change(frame, this, args, do_ftruncate);
}

/* args->stat and args->valid, as setattr. */
static int do_fsetattr(posix_fd_t *pfd, const gf_args_t *args)
{
    return posix_apply_attrs(pfd->fd, NULL, false, &args->stat, args->valid);
}

int posix_fsetattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return fd_change(frame, this, args, do_fsetattr);
}

/* ---- space: fallocate, discard, zerofill, seek ---------------------------------------------- */

/* fallocate(2) with mode over [args->offset, +args->size). */
static int falloc(posix_fd_t *pfd, const gf_args_t *args, int mode)
{
    return fallocate(pfd->fd, mode, args->offset, (off_t)args->size) != 0 ? -errno : 0;
}

/* args->flags non-zero keeps the size (FALLOC_FL_KEEP_SIZE), as GlusterFS
 * bricks read it; the range is args->offset, args->size. */
static int do_allocate(posix_fd_t *pfd, const gf_args_t *args)
{
    return falloc(pfd, args, args->flags ? FALLOC_FL_KEEP_SIZE : 0);
}

int posix_allocate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return fd_change(frame, this, args, do_allocate);
}

/* Punches a hole: the range reads as zeros and gives its blocks back. */
static int do_discard(posix_fd_t *pfd, const gf_args_t *args)
{
    return falloc(pfd, args, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
}

int posix_discard(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return fd_change(frame, this, args, do_discard);
}

/* Writes zeros over [offset, offset + len) of fd, in chunks. 0 or -errno. */
static int write_zeros(int fd, off_t offset, off_t len)
{
    static const char zeros[64 << 10];
    ssize_t n;

    while (len > 0) {
        n = pwrite(fd, zeros, len < (off_t)sizeof(zeros) ? (size_t)len : sizeof(zeros), offset);
        if (n < 0)
            return -errno;
        offset += n;
        len -= n;
    }
    return 0;
}

/* The range reads as zeros afterwards, the file growing when it ends beyond
 * its end; fallocate's ZERO_RANGE when the file system has it, else writes. */
static int do_zerofill(posix_fd_t *pfd, const gf_args_t *args)
{
    int ret = falloc(pfd, args, FALLOC_FL_ZERO_RANGE);

    if (ret == -EOPNOTSUPP || ret == -ENOSYS)
        ret = write_zeros(pfd->fd, args->offset, (off_t)args->size);
    return ret;
}

int posix_zerofill(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return fd_change(frame, this, args, do_zerofill);
}

/* args->flags: SEEK_DATA or SEEK_HOLE from args->offset; replies the offset
 * found in rsp.offset (ENXIO past the end, as lseek(2) says). */
int posix_seek(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    posix_fd_t *pfd;
    off_t off;
    int ret;

    if (args->flags != SEEK_DATA && args->flags != SEEK_HOLE)
        return gf_unwind_error(frame, EINVAL);
    ret = posix_fd_get(this, args->fd, &pfd);
    if (ret)
        return posix_fail(frame, ret);
    off = lseek(pfd->fd, args->offset, args->flags);
    if (off < 0)
        return gf_unwind_error(frame, errno);
    rsp.offset = off;
    return gf_unwind(frame, &rsp);
}
