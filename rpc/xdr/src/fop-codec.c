/*
 * The FOP program's XDR glue, once for both sides (see fop-codec.h). Each fop has
 * up to four small conversions below; the table at the end binds them to the fop
 * numbers of fops.def. Request and response shapes follow the GlusterFS 4.x
 * "gfx" structures of fops.x; which response shape a fop uses is a protocol fact
 * (doc/protocol.md).
 *
 * Where the fields of gf_args_t do not say it themselves, a fop's inputs are:
 *   access: flags = the access(2) mask; fsync, fsyncdir: flags != 0 = data only;
 *   setxattr, fsetxattr: xattr, flags = XATTR_CREATE / XATTR_REPLACE;
 *   getxattr, fgetxattr, removexattr, fremovexattr: name (NULL: every attribute);
 *   xattrop, fxattrop: xattr, flags = GF_XATTROP_*; reply in gf_reply_t.xattr;
 *   fallocate: flags = fallocate(2) mode, offset, size; discard, zerofill: offset, size;
 *   seek: offset, flags = SEEK_DATA or SEEK_HOLE; reply in gf_reply_t.offset;
 *   lk, inodelk, finodelk: cmd = F_GETLK / F_SETLK / F_SETLKW, flock (host lock
 *     types), volume = the domain (inodelk); lk's reply in gf_reply_t.flock;
 *   entrylk, fentrylk: cmd = GF_ENTRYLK_LOCK / _UNLOCK / _LOCK_NB, flags =
 *     GF_ENTRYLK_RDLCK / _WRLCK, name (NULL: the whole directory), volume.
 * The lock owner of every lock fop is the caller's (gf_call_root_t.lk_owner).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dict-xdr.h"
#include "fop-codec.h"
#include "fops-xdr.h"
#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/mem.h"

/* ---- shared pieces ---------------------------------------------------------- */

/* The gfid a request names: the loc's, else the fd's inode's. */
static void req_gfid(const gf_args_t *a, char out[16])
{
    if (!uuid_is_null(a->loc.gfid))
        memcpy(out, a->loc.gfid, 16);
    else if (a->loc.inode)
        gf_inode_gfid(a->loc.inode, (unsigned char *)out);
    else if (a->fd && a->fd->inode)
        gf_inode_gfid(a->fd->inode, (unsigned char *)out);
    else
        memset(out, 0, 16);
}

static char *str(const char *s)
{
    return (char *)(s ? s : "");
}

/* Decoded wire dict -> new dict reference in *out (NULL when absent). */
static int dict_in(const gfx_dict *x, gf_dict_t **out)
{
    return gf_dict_from_gfx(x, out);
}

/* Common response head: op_ret, op_errno, xdata. */
#define RSP_HEAD_TO(rsp, reply)                                                            \
    do {                                                                                   \
        (rsp)->op_ret = (reply)->op_ret;                                                   \
        (rsp)->op_errno = (reply)->op_errno;                                               \
        if (gf_dict_to_gfx((reply)->xdata, &(rsp)->xdata))                                 \
            return -ENOMEM;                                                                \
    } while (0)

#define RSP_HEAD_FROM(rsp, reply)                                                          \
    do {                                                                                   \
        (reply)->op_ret = (rsp)->op_ret;                                                   \
        (reply)->op_errno = (rsp)->op_errno;                                               \
        if (dict_in(&(rsp)->xdata, &(reply)->xdata))                                       \
            return -EBADMSG;                                                               \
    } while (0)

/* ---- response shapes shared by many fops ----------------------------------- */

static int common_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_common_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    return 0;
}

static int common_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_common_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    return 0;
}

static int iatt_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_common_iatt_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->stat, &r->stat);
    return 0;
}

static int iatt_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_common_iatt_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->stat);
    return 0;
}

/* Data fops: prestat/poststat of the object. */
static int iatt2_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_common_2iatt_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->prestat, &r->prestat);
    gf_iatt_to_gfx(&rsp->poststat, &r->poststat);
    return 0;
}

static int iatt2_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_common_2iatt_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->prestat, &rsp->prestat);
    gf_iatt_from_gfx(&r->poststat, &rsp->poststat);
    r->stat = r->poststat;
    return 0;
}

/* unlink/rmdir: the 2-iatt shape carries the parent before and after. */
static int parent2_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_common_2iatt_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->prestat, &r->preparent);
    gf_iatt_to_gfx(&rsp->poststat, &r->postparent);
    return 0;
}

static int parent2_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_common_2iatt_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->preparent, &rsp->prestat);
    gf_iatt_from_gfx(&r->postparent, &rsp->poststat);
    return 0;
}

/* lookup: the 2-iatt shape carries the object and its parent after. */
static int lookup_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_common_2iatt_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->prestat, &r->stat);
    gf_iatt_to_gfx(&rsp->poststat, &r->postparent);
    return 0;
}

static int lookup_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_common_2iatt_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->prestat);
    gf_iatt_from_gfx(&r->postparent, &rsp->poststat);
    return 0;
}

/* Entry creation (mkdir, mknod, symlink, link): object, parent before and after. */
static int iatt3_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_common_3iatt_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->stat, &r->stat);
    gf_iatt_to_gfx(&rsp->preparent, &r->preparent);
    gf_iatt_to_gfx(&rsp->postparent, &r->postparent);
    return 0;
}

static int iatt3_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_common_3iatt_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->stat);
    gf_iatt_from_gfx(&r->preparent, &rsp->preparent);
    gf_iatt_from_gfx(&r->postparent, &rsp->postparent);
    return 0;
}

static int dict_rsp_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_common_dict_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    if (gf_dict_to_gfx(r->xattr, &rsp->dict))
        return -ENOMEM;
    gf_iatt_to_gfx(&rsp->prestat, &r->prestat);
    gf_iatt_to_gfx(&rsp->poststat, &r->poststat);
    return 0;
}

static int dict_rsp_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_common_dict_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    if (dict_in(&rsp->dict, &r->xattr))
        return -EBADMSG;
    gf_iatt_from_gfx(&r->prestat, &rsp->prestat);
    gf_iatt_from_gfx(&r->poststat, &rsp->poststat);
    return 0;
}

static int open_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_open_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    rsp->fd = fd ? fd->fd : -1;
    return 0;
}

static int open_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_open_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    fd->fd = rsp->fd;
    return 0;
}

/* ---- requests that name one object by gfid ---------------------------------- */

#define GFID_REQ(name, type)                                                               \
    static int name##_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)         \
    {                                                                                      \
        type *req = p;                                                                     \
        req_gfid(a, req->gfid);                                                            \
        return gf_dict_to_gfx(a->xdata, &req->xdata);                                      \
    }                                                                                      \
    static int name##_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)                   \
    {                                                                                      \
        type *req = p;                                                                     \
        memcpy(a->loc.gfid, req->gfid, 16);                                                \
        return dict_in(&req->xdata, &a->xdata);                                            \
    }

/* Same, with an fd number. */
#define FD_REQ(name, type)                                                                 \
    static int name##_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)         \
    {                                                                                      \
        type *req = p;                                                                     \
        req_gfid(a, req->gfid);                                                            \
        req->fd = fd ? fd->fd : -1;                                                        \
        return gf_dict_to_gfx(a->xdata, &req->xdata);                                      \
    }                                                                                      \
    static int name##_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)                   \
    {                                                                                      \
        type *req = p;                                                                     \
        memcpy(a->loc.gfid, req->gfid, 16);                                                \
        fd->fd = req->fd;                                                                  \
        return dict_in(&req->xdata, &a->xdata);                                            \
    }

GFID_REQ(stat, gfx_stat_req)
GFID_REQ(statfs, gfx_statfs_req)
GFID_REQ(opendir, gfx_opendir_req)
FD_REQ(fstat, gfx_fstat_req)
FD_REQ(flush, gfx_flush_req)
FD_REQ(release, gfx_release_req)
FD_REQ(releasedir, gfx_releasedir_req)

/* ---- per-fop requests with more fields -------------------------------------- */

static int lookup_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_lookup_req *req = p;

    memcpy(req->gfid, a->loc.gfid, 16);
    memcpy(req->pargfid, a->loc.pargfid, 16);
    req->flags = a->flags;
    req->bname = str(a->loc.name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int lookup_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_lookup_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    memcpy(a->loc.pargfid, req->pargfid, 16);
    a->flags = req->flags;
    a->loc.name = req->bname && req->bname[0] ? req->bname : NULL;
    return dict_in(&req->xdata, &a->xdata);
}

static int mkdir_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_mkdir_req *req = p;

    memcpy(req->pargfid, a->loc.pargfid, 16);
    req->mode = a->mode;
    req->umask = a->umask;
    req->bname = str(a->loc.name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int mkdir_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_mkdir_req *req = p;

    memcpy(a->loc.pargfid, req->pargfid, 16);
    a->mode = req->mode;
    a->umask = req->umask;
    a->loc.name = req->bname;
    return dict_in(&req->xdata, &a->xdata);
}

static int mknod_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_mknod_req *req = p;

    memcpy(req->pargfid, a->loc.pargfid, 16);
    req->dev = a->rdev;
    req->mode = a->mode;
    req->umask = a->umask;
    req->bname = str(a->loc.name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int mknod_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_mknod_req *req = p;

    memcpy(a->loc.pargfid, req->pargfid, 16);
    a->rdev = req->dev;
    a->mode = req->mode;
    a->umask = req->umask;
    a->loc.name = req->bname;
    return dict_in(&req->xdata, &a->xdata);
}

static int create_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_create_req *req = p;

    memcpy(req->pargfid, a->loc.pargfid, 16);
    req->flags = a->flags;
    req->mode = a->mode;
    req->umask = a->umask;
    req->bname = str(a->loc.name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int create_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_create_req *req = p;

    memcpy(a->loc.pargfid, req->pargfid, 16);
    a->flags = req->flags;
    a->mode = req->mode;
    a->umask = req->umask;
    a->loc.name = req->bname;
    return dict_in(&req->xdata, &a->xdata);
}

static int create_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_create_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->stat, &r->stat);
    rsp->fd = (uint64_t)(fd ? fd->fd : -1);
    gf_iatt_to_gfx(&rsp->preparent, &r->preparent);
    gf_iatt_to_gfx(&rsp->postparent, &r->postparent);
    return 0;
}

static int create_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_create_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->stat);
    fd->fd = (int64_t)rsp->fd;
    gf_iatt_from_gfx(&r->preparent, &rsp->preparent);
    gf_iatt_from_gfx(&r->postparent, &rsp->postparent);
    return 0;
}

static int unlink_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_unlink_req *req = p;

    memcpy(req->pargfid, a->loc.pargfid, 16);
    req->bname = str(a->loc.name);
    req->xflags = a->flags;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int unlink_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_unlink_req *req = p;

    memcpy(a->loc.pargfid, req->pargfid, 16);
    a->loc.name = req->bname;
    a->flags = req->xflags;
    return dict_in(&req->xdata, &a->xdata);
}

static int rmdir_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_rmdir_req *req = p;

    memcpy(req->pargfid, a->loc.pargfid, 16);
    req->xflags = a->flags;
    req->bname = str(a->loc.name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int rmdir_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_rmdir_req *req = p;

    memcpy(a->loc.pargfid, req->pargfid, 16);
    a->flags = req->xflags;
    a->loc.name = req->bname;
    return dict_in(&req->xdata, &a->xdata);
}

static int symlink_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_symlink_req *req = p;

    memcpy(req->pargfid, a->loc.pargfid, 16);
    req->bname = str(a->loc.name);
    req->umask = a->umask;
    req->linkname = str(a->linkname);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int symlink_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_symlink_req *req = p;

    memcpy(a->loc.pargfid, req->pargfid, 16);
    a->loc.name = req->bname;
    a->umask = req->umask;
    a->linkname = req->linkname;
    return dict_in(&req->xdata, &a->xdata);
}

static int readlink_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_readlink_req *req = p;

    req_gfid(a, req->gfid);
    req->size = a->size;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int readlink_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_readlink_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->size = req->size;
    return dict_in(&req->xdata, &a->xdata);
}

static int readlink_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_readlink_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->buf, &r->stat);
    rsp->path = str(r->linkname);
    return 0;
}

static int readlink_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_readlink_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->buf);
    r->linkname = rsp->path;
    return 0;
}

/* rename/link: loc is the old object (by gfid for link, by parent+name for rename),
 * loc2 the new name. */
static int rename_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_rename_req *req = p;

    memcpy(req->oldgfid, a->loc.pargfid, 16);
    memcpy(req->newgfid, a->loc2.pargfid, 16);
    req->oldbname = str(a->loc.name);
    req->newbname = str(a->loc2.name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int rename_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_rename_req *req = p;

    memcpy(a->loc.pargfid, req->oldgfid, 16);
    memcpy(a->loc2.pargfid, req->newgfid, 16);
    a->loc.name = req->oldbname;
    a->loc2.name = req->newbname;
    return dict_in(&req->xdata, &a->xdata);
}

static int rename_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_rename_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->stat, &r->stat);
    gf_iatt_to_gfx(&rsp->preoldparent, &r->preparent);
    gf_iatt_to_gfx(&rsp->postoldparent, &r->postparent);
    gf_iatt_to_gfx(&rsp->prenewparent, &r->preparent2);
    gf_iatt_to_gfx(&rsp->postnewparent, &r->postparent2);
    return 0;
}

static int rename_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_rename_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->stat);
    gf_iatt_from_gfx(&r->preparent, &rsp->preoldparent);
    gf_iatt_from_gfx(&r->postparent, &rsp->postoldparent);
    gf_iatt_from_gfx(&r->preparent2, &rsp->prenewparent);
    gf_iatt_from_gfx(&r->postparent2, &rsp->postnewparent);
    return 0;
}

static int link_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_link_req *req = p;

    req_gfid(a, req->oldgfid);
    memcpy(req->newgfid, a->loc2.pargfid, 16);
    req->newbname = str(a->loc2.name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int link_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_link_req *req = p;

    memcpy(a->loc.gfid, req->oldgfid, 16);
    memcpy(a->loc2.pargfid, req->newgfid, 16);
    a->loc2.name = req->newbname;
    return dict_in(&req->xdata, &a->xdata);
}

static int truncate_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_truncate_req *req = p;

    req_gfid(a, req->gfid);
    req->offset = a->offset;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int truncate_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_truncate_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->offset = req->offset;
    return dict_in(&req->xdata, &a->xdata);
}

static int ftruncate_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_ftruncate_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->offset = a->offset;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int ftruncate_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_ftruncate_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->offset = req->offset;
    return dict_in(&req->xdata, &a->xdata);
}

static int open_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_open_req *req = p;

    req_gfid(a, req->gfid);
    req->flags = a->flags;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int open_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_open_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->flags = req->flags;
    return dict_in(&req->xdata, &a->xdata);
}

/* readv/writev: the data itself travels as trailing payload. */
static int read_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_read_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->offset = a->offset;
    req->size = a->size;
    req->flag = a->flags;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int read_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_read_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->offset = req->offset;
    a->size = req->size;
    a->flags = req->flag;
    return dict_in(&req->xdata, &a->xdata);
}

static int read_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_read_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->stat, &r->stat);
    rsp->size = r->op_ret > 0 ? r->op_ret : 0;
    return 0;
}

static int read_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_read_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->stat);
    return 0;
}

static int write_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_write_req *req = p;
    size_t len = 0;
    int i;

    for (i = 0; i < a->count; i++)
        len += a->vector[i].iov_len;
    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->offset = a->offset;
    req->size = len;
    req->flag = a->flags;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int write_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_write_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->offset = req->offset;
    a->size = req->size;
    a->flags = req->flag;
    return dict_in(&req->xdata, &a->xdata);
}

static int fsync_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fsync_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->data = a->flags;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fsync_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fsync_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->flags = req->data;
    return dict_in(&req->xdata, &a->xdata);
}

static int access_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_access_req *req = p;

    req_gfid(a, req->gfid);
    req->mask = a->flags;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int access_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_access_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->flags = req->mask;
    return dict_in(&req->xdata, &a->xdata);
}

static int statfs_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_statfs_rsp *rsp = p;
    const struct statvfs *s = &r->statfs;

    RSP_HEAD_TO(rsp, r);
    rsp->statfs.bsize = s->f_bsize;
    rsp->statfs.frsize = s->f_frsize;
    rsp->statfs.blocks = s->f_blocks;
    rsp->statfs.bfree = s->f_bfree;
    rsp->statfs.bavail = s->f_bavail;
    rsp->statfs.files = s->f_files;
    rsp->statfs.ffree = s->f_ffree;
    rsp->statfs.favail = s->f_favail;
    rsp->statfs.fsid = s->f_fsid;
    rsp->statfs.flag = s->f_flag;
    rsp->statfs.namemax = s->f_namemax;
    return 0;
}

static int statfs_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_statfs_rsp *rsp = p;
    struct statvfs *s = &r->statfs;

    RSP_HEAD_FROM(rsp, r);
    s->f_bsize = rsp->statfs.bsize;
    s->f_frsize = rsp->statfs.frsize;
    s->f_blocks = rsp->statfs.blocks;
    s->f_bfree = rsp->statfs.bfree;
    s->f_bavail = rsp->statfs.bavail;
    s->f_files = rsp->statfs.files;
    s->f_ffree = rsp->statfs.ffree;
    s->f_favail = rsp->statfs.favail;
    s->f_fsid = rsp->statfs.fsid;
    s->f_flag = rsp->statfs.flag;
    s->f_namemax = rsp->statfs.namemax;
    return 0;
}

static int setattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_setattr_req *req = p;

    req_gfid(a, req->gfid);
    gf_iatt_to_gfx(&req->stbuf, &a->stat);
    req->valid = a->valid;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int setattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_setattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    gf_iatt_from_gfx(&a->stat, &req->stbuf);
    a->valid = req->valid;
    return dict_in(&req->xdata, &a->xdata);
}

static int fsetattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fsetattr_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    gf_iatt_to_gfx(&req->stbuf, &a->stat);
    req->valid = a->valid;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fsetattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fsetattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    gf_iatt_from_gfx(&a->stat, &req->stbuf);
    a->valid = req->valid;
    return dict_in(&req->xdata, &a->xdata);
}

static int setxattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_setxattr_req *req = p;

    req_gfid(a, req->gfid);
    req->flags = a->flags;
    if (gf_dict_to_gfx(a->xattr, &req->dict))
        return -ENOMEM;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int setxattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_setxattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->flags = req->flags;
    if (dict_in(&req->dict, &a->xattr))
        return -EBADMSG;
    return dict_in(&req->xdata, &a->xdata);
}

static int getxattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_getxattr_req *req = p;

    req_gfid(a, req->gfid);
    req->name = str(a->name);
    req->namelen = a->name ? strlen(a->name) : 0;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int getxattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_getxattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->name = req->name && req->name[0] ? req->name : NULL;
    return dict_in(&req->xdata, &a->xdata);
}

static int removexattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_removexattr_req *req = p;

    req_gfid(a, req->gfid);
    req->name = str(a->name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int removexattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_removexattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->name = req->name;
    return dict_in(&req->xdata, &a->xdata);
}

/* ---- directory listings --------------------------------------------------------- */

static int readdir_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_readdirp_req *req = p; /* readdir and readdirp requests have one shape */

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->offset = a->offset;
    req->size = a->size;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int readdir_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_readdirp_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->offset = req->offset;
    a->size = req->size;
    return dict_in(&req->xdata, &a->xdata);
}

static int readdirp_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_readdirp_rsp *rsp = p;
    gfx_dirplist **tail = &rsp->reply;
    size_t i;

    RSP_HEAD_TO(rsp, r);
    for (i = 0; r->op_ret > 0 && i < r->n_entries; i++) {
        const gf_dirent_t *e = &r->entries[i];
        gfx_dirplist *x = gf_calloc(1, sizeof(*x));

        if (!x)
            return -ENOMEM;
        *tail = x;
        tail = &x->nextentry;
        x->d_ino = e->d_ino;
        x->d_off = e->d_off;
        x->d_len = strlen(e->d_name);
        x->d_type = e->d_type;
        x->name = e->d_name;
        gf_iatt_to_gfx(&x->stat, &e->d_stat);
        if (gf_dict_to_gfx(e->dict, &x->dict))
            return -ENOMEM;
    }
    return 0;
}

static void readdirp_rsp_free(void *p)
{
    gfx_readdirp_rsp *rsp = p;
    gfx_dirplist *x = rsp->reply, *next;

    for (; x; x = next) {
        next = x->nextentry;
        gf_gfx_dict_free(&x->dict);
        gf_free(x);
    }
    rsp->reply = NULL;
}

static int readdirp_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_readdirp_rsp *rsp = p;
    const gfx_dirplist *x;
    size_t n = 0;

    RSP_HEAD_FROM(rsp, r);
    for (x = rsp->reply; x; x = x->nextentry)
        n++;
    r->entries = n ? gf_calloc(n, sizeof(*r->entries)) : NULL;
    if (n && !r->entries)
        return -ENOMEM;
    for (x = rsp->reply; x; x = x->nextentry) {
        gf_dirent_t *e = &r->entries[r->n_entries++];

        e->d_ino = x->d_ino;
        e->d_off = x->d_off;
        e->d_type = x->d_type;
        e->d_name = x->name;
        gf_iatt_from_gfx(&e->d_stat, &x->stat);
        if (dict_in(&x->dict, &e->dict))
            return -EBADMSG;
    }
    return 0;
}

static int readdir_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_readdir_rsp *rsp = p;
    gfx_dirlist **tail = &rsp->reply;
    size_t i;

    RSP_HEAD_TO(rsp, r);
    for (i = 0; r->op_ret > 0 && i < r->n_entries; i++) {
        const gf_dirent_t *e = &r->entries[i];
        gfx_dirlist *x = gf_calloc(1, sizeof(*x));

        if (!x)
            return -ENOMEM;
        *tail = x;
        tail = &x->nextentry;
        x->d_ino = e->d_ino;
        x->d_off = e->d_off;
        x->d_len = strlen(e->d_name);
        x->d_type = e->d_type;
        x->name = e->d_name;
    }
    return 0;
}

static void readdir_rsp_free(void *p)
{
    gfx_readdir_rsp *rsp = p;
    gfx_dirlist *x = rsp->reply, *next;

    for (; x; x = next) {
        next = x->nextentry;
        gf_free(x);
    }
    rsp->reply = NULL;
}

static int readdir_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_readdir_rsp *rsp = p;
    const gfx_dirlist *x;
    size_t n = 0;

    RSP_HEAD_FROM(rsp, r);
    for (x = rsp->reply; x; x = x->nextentry)
        n++;
    r->entries = n ? gf_calloc(n, sizeof(*r->entries)) : NULL;
    if (n && !r->entries)
        return -ENOMEM;
    for (x = rsp->reply; x; x = x->nextentry) {
        gf_dirent_t *e = &r->entries[r->n_entries++];

        e->d_ino = x->d_ino;
        e->d_off = x->d_off;
        e->d_type = x->d_type;
        e->d_name = x->name;
    }
    return 0;
}

/* ---- fd fops on attributes and xattrs ------------------------------------------------- */

static int fsyncdir_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fsyncdir_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->data = a->flags;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fsyncdir_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fsyncdir_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->flags = req->data;
    return dict_in(&req->xdata, &a->xdata);
}

static int fgetxattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fgetxattr_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->name = str(a->name);
    req->namelen = a->name ? strlen(a->name) : 0;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fgetxattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fgetxattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->name = req->name && req->name[0] ? req->name : NULL;
    return dict_in(&req->xdata, &a->xdata);
}

static int fsetxattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fsetxattr_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->flags = a->flags;
    if (gf_dict_to_gfx(a->xattr, &req->dict))
        return -ENOMEM;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fsetxattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fsetxattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->flags = req->flags;
    if (dict_in(&req->dict, &a->xattr))
        return -EBADMSG;
    return dict_in(&req->xdata, &a->xdata);
}

static int fremovexattr_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fremovexattr_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->name = str(a->name);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fremovexattr_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fremovexattr_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->name = req->name;
    return dict_in(&req->xdata, &a->xdata);
}

/* xattrop and fxattrop: args->flags is the GF_XATTROP_* operation. */
static int xattrop_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_xattrop_req *req = p;

    req_gfid(a, req->gfid);
    req->flags = a->flags;
    if (gf_dict_to_gfx(a->xattr, &req->dict))
        return -ENOMEM;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int xattrop_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_xattrop_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->flags = req->flags;
    if (dict_in(&req->dict, &a->xattr))
        return -EBADMSG;
    return dict_in(&req->xdata, &a->xdata);
}

static int fxattrop_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fxattrop_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->flags = a->flags;
    if (gf_dict_to_gfx(a->xattr, &req->dict))
        return -ENOMEM;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fxattrop_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fxattrop_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->flags = req->flags;
    if (dict_in(&req->dict, &a->xattr))
        return -EBADMSG;
    return dict_in(&req->xdata, &a->xdata);
}

/* ---- space: fallocate, discard, zerofill, seek ------------------------------------------ */

static int fallocate_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fallocate_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->flags = a->flags;
    req->offset = a->offset;
    req->size = a->size;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fallocate_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fallocate_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->flags = req->flags;
    a->offset = req->offset;
    a->size = req->size;
    return dict_in(&req->xdata, &a->xdata);
}

/* discard and zerofill: offset and size on an fd; one shape for both. */
static int range_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_discard_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->offset = a->offset;
    req->size = a->size;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int range_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_discard_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->offset = req->offset;
    a->size = req->size;
    return dict_in(&req->xdata, &a->xdata);
}

_Static_assert(sizeof(gfx_discard_req) == sizeof(gfx_zerofill_req) &&
                   offsetof(gfx_discard_req, xdata) == offsetof(gfx_zerofill_req, xdata),
               "discard and zerofill requests must share one shape");

/* seek: args->flags is SEEK_DATA or SEEK_HOLE; GF_SEEK_* on the wire. */
static int seek_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_seek_req *req = p;

    if (a->flags != SEEK_DATA && a->flags != SEEK_HOLE)
        return -EINVAL;
    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->offset = a->offset;
    req->what = a->flags == SEEK_DATA ? GF_SEEK_DATA : GF_SEEK_HOLE;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

/* An unknown `what` becomes -1, which the brick refuses (EINVAL). */
static int seek_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_seek_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->offset = req->offset;
    a->flags = req->what == GF_SEEK_DATA ? SEEK_DATA : req->what == GF_SEEK_HOLE ? SEEK_HOLE : -1;
    return dict_in(&req->xdata, &a->xdata);
}

static int seek_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_seek_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    rsp->offset = r->op_ret >= 0 ? (uint64_t)r->offset : 0;
    return 0;
}

static int seek_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_seek_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    r->offset = (int64_t)rsp->offset;
    return 0;
}

/*
 * ---- locks -----------------------------------------------------------------------------
 *
 * Inside the program lock commands and types are the host's (F_GETLK, F_SETLK,
 * F_SETLKW; F_RDLCK, F_WRLCK, F_UNLCK); on the wire they are GF_LK_*. The type
 * travels twice, in the request's `type` and in its flock; readers take `type`,
 * as the stock server does. Commands we do not serve (lock reservation,
 * GETLK_FD) decode to cmd -1, which the locks translator refuses.
 */

static int lk_cmd_to_wire(int32_t cmd, u_int *out)
{
    switch (cmd) {
    case F_GETLK:
        *out = GF_LK_GETLK;
        return 0;
    case F_SETLK:
        *out = GF_LK_SETLK;
        return 0;
    case F_SETLKW:
        *out = GF_LK_SETLKW;
        return 0;
    default:
        return -EINVAL;
    }
}

static int32_t lk_cmd_from_wire(u_int cmd)
{
    switch (cmd) {
    case GF_LK_GETLK:
        return F_GETLK;
    case GF_LK_SETLK:
        return F_SETLK;
    case GF_LK_SETLKW:
        return F_SETLKW;
    default:
        return -1;
    }
}

static u_int lk_type_to_wire(int16_t type)
{
    return type == F_RDLCK ? GF_LK_F_RDLCK : type == F_WRLCK ? GF_LK_F_WRLCK : GF_LK_F_UNLCK;
}

/* An unknown type becomes -1, which the locks translator refuses. */
static int16_t lk_type_from_wire(u_int type)
{
    return type == GF_LK_F_RDLCK   ? F_RDLCK
           : type == GF_LK_F_WRLCK ? F_WRLCK
           : type == GF_LK_F_UNLCK ? F_UNLCK
                                   : -1;
}

/* Points the wire flock at f (the owner bytes are not copied: f must outlive
 * the encoding). */
static void flock_to_wire(const gf_flock_t *f, gf_proto_flock *p)
{
    p->type = lk_type_to_wire(f->l_type);
    p->whence = f->l_whence;
    p->start = (u_quad_t)f->l_start;
    p->len = (u_quad_t)f->l_len;
    p->pid = f->l_pid;
    p->lk_owner.lk_owner_len = f->owner_len < sizeof(f->owner) ? f->owner_len : sizeof(f->owner);
    p->lk_owner.lk_owner_val = (char *)f->owner;
}

/* Copies a decoded wire flock into f, its type as `type` says. -EBADMSG for an
 * owner longer than a lock owner may be. */
static int flock_from_wire(const gf_proto_flock *p, u_int type, gf_flock_t *f)
{
    if (p->lk_owner.lk_owner_len > sizeof(f->owner))
        return -EBADMSG;
    f->l_type = lk_type_from_wire(type);
    f->l_whence = (int16_t)p->whence;
    f->l_start = (int64_t)p->start;
    f->l_len = (int64_t)p->len;
    f->l_pid = (int32_t)p->pid;
    f->owner_len = p->lk_owner.lk_owner_len;
    if (f->owner_len)
        memcpy(f->owner, p->lk_owner.lk_owner_val, f->owner_len);
    return 0;
}

/* The lock fields shared by lk, inodelk and finodelk requests. */
typedef struct {
    u_int *cmd, *type;
    gf_proto_flock *flock;
} lock_fields_t;

static int lock_to(const gf_args_t *a, lock_fields_t l)
{
    int ret = lk_cmd_to_wire(a->cmd, l.cmd);

    if (ret)
        return ret;
    flock_to_wire(&a->flock, l.flock);
    *l.type = l.flock->type;
    return 0;
}

static int lock_from(gf_args_t *a, lock_fields_t l)
{
    a->cmd = lk_cmd_from_wire(*l.cmd);
    return flock_from_wire(l.flock, *l.type, &a->flock);
}

#define LOCK_FIELDS(req) ((lock_fields_t){&(req)->cmd, &(req)->type, &(req)->flock})

static int lk_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_lk_req *req = p;
    int ret = lock_to(a, LOCK_FIELDS(req));

    if (ret)
        return ret;
    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int lk_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_lk_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    if (lock_from(a, LOCK_FIELDS(req)))
        return -EBADMSG;
    return dict_in(&req->xdata, &a->xdata);
}

/* lk's reply carries the lock found (GETLK) or set; on failure an empty one. */
static int lk_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_lk_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    if (r->op_ret >= 0)
        flock_to_wire(&r->flock, &rsp->flock);
    return 0;
}

static int lk_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_lk_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    if (rsp->op_ret >= 0 && flock_from_wire(&rsp->flock, rsp->flock.type, &r->flock))
        return -EBADMSG;
    return 0;
}

/* inodelk and finodelk: args->volume is the lock domain. */
static int inodelk_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_inodelk_req *req = p;
    int ret = lock_to(a, LOCK_FIELDS(req));

    if (ret)
        return ret;
    req_gfid(a, req->gfid);
    req->volume = str(a->volume);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int inodelk_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_inodelk_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    a->volume = req->volume;
    if (lock_from(a, LOCK_FIELDS(req)))
        return -EBADMSG;
    return dict_in(&req->xdata, &a->xdata);
}

static int finodelk_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_finodelk_req *req = p;
    int ret = lock_to(a, LOCK_FIELDS(req));

    if (ret)
        return ret;
    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    req->volume = str(a->volume);
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int finodelk_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_finodelk_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    a->volume = req->volume;
    if (lock_from(a, LOCK_FIELDS(req)))
        return -EBADMSG;
    return dict_in(&req->xdata, &a->xdata);
}

/*
 * entrylk and fentrylk: args->cmd is GF_ENTRYLK_LOCK, _UNLOCK or _LOCK_NB,
 * args->flags GF_ENTRYLK_RDLCK or _WRLCK, args->name the entry (NULL: the
 * whole directory), args->volume the domain. A name travels with namelen 1,
 * as the stock client sends it; namelen 0 means "no name" whatever the string.
 */
typedef struct {
    u_int *cmd, *type;
    u_quad_t *namelen;
    char **name, **volume;
} entry_fields_t;

#define ENTRY_FIELDS(req)                                                                  \
    ((entry_fields_t){&(req)->cmd, &(req)->type, &(req)->namelen, &(req)->name, &(req)->volume})

static void entrylk_to(const gf_args_t *a, entry_fields_t e)
{
    *e.cmd = (u_int)a->cmd;
    *e.type = (u_int)a->flags;
    *e.namelen = a->name ? 1 : 0;
    *e.name = str(a->name);
    *e.volume = str(a->volume);
}

static void entrylk_from(gf_args_t *a, entry_fields_t e)
{
    a->cmd = (int32_t)*e.cmd;
    a->flags = (int32_t)*e.type;
    a->name = *e.namelen && *e.name ? *e.name : NULL;
    a->volume = *e.volume;
}

static int entrylk_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_entrylk_req *req = p;

    req_gfid(a, req->gfid);
    entrylk_to(a, ENTRY_FIELDS(req));
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int entrylk_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_entrylk_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    entrylk_from(a, ENTRY_FIELDS(req));
    return dict_in(&req->xdata, &a->xdata);
}

static int fentrylk_req_to(const gf_args_t *a, const gf_codec_fd_t *fd, void *p)
{
    gfx_fentrylk_req *req = p;

    req_gfid(a, req->gfid);
    req->fd = fd ? fd->fd : -1;
    entrylk_to(a, ENTRY_FIELDS(req));
    return gf_dict_to_gfx(a->xdata, &req->xdata);
}

static int fentrylk_req_from(void *p, gf_args_t *a, gf_codec_fd_t *fd)
{
    gfx_fentrylk_req *req = p;

    memcpy(a->loc.gfid, req->gfid, 16);
    fd->fd = req->fd;
    entrylk_from(a, ENTRY_FIELDS(req));
    return dict_in(&req->xdata, &a->xdata);
}

/* ---- the table -------------------------------------------------------------------- */

/* Where a struct keeps its gfx_dict fields, so that one function frees what the
 * encoders allocated; 0 ends the list (no dict lives at offset 0). */
typedef struct {
    gf_fop_codec_t c;
    size_t req_dicts[3];
    size_t rsp_dicts[3];
    void (*rsp_extra_free)(void *rsp);
} codec_row_t;

#define XDATA(T) offsetof(T, xdata)

#define CODEC(REQ, RSP, reqto, reqfrom, rspto, rspfrom)                                   \
    .c = {(xdrproc_t)xdr_##REQ, (xdrproc_t)xdr_##RSP, sizeof(REQ), sizeof(RSP), reqto,       \
          reqfrom, rspto, rspfrom}
/* The usual row: xdata is the only dict on either side. */
#define ROW(REQ, RSP, reqto, reqfrom, rspto, rspfrom)                                     \
    CODEC(REQ, RSP, reqto, reqfrom, rspto, rspfrom), .req_dicts = {XDATA(REQ)},             \
    .rsp_dicts = {XDATA(RSP)}

static const codec_row_t rows[GF_FOP_MAXVALUE] = {
    [GF_FOP_STAT] = {ROW(gfx_stat_req, gfx_common_iatt_rsp, stat_req_to, stat_req_from, iatt_to,
                         iatt_from)},
    [GF_FOP_READLINK] = {ROW(gfx_readlink_req, gfx_readlink_rsp, readlink_req_to,
                             readlink_req_from, readlink_to, readlink_from)},
    [GF_FOP_MKNOD] = {ROW(gfx_mknod_req, gfx_common_3iatt_rsp, mknod_req_to, mknod_req_from,
                          iatt3_to, iatt3_from)},
    [GF_FOP_MKDIR] = {ROW(gfx_mkdir_req, gfx_common_3iatt_rsp, mkdir_req_to, mkdir_req_from,
                          iatt3_to, iatt3_from)},
    [GF_FOP_UNLINK] = {ROW(gfx_unlink_req, gfx_common_2iatt_rsp, unlink_req_to, unlink_req_from,
                           parent2_to, parent2_from)},
    [GF_FOP_RMDIR] = {ROW(gfx_rmdir_req, gfx_common_2iatt_rsp, rmdir_req_to, rmdir_req_from,
                          parent2_to, parent2_from)},
    [GF_FOP_SYMLINK] = {ROW(gfx_symlink_req, gfx_common_3iatt_rsp, symlink_req_to,
                            symlink_req_from, iatt3_to, iatt3_from)},
    [GF_FOP_RENAME] = {ROW(gfx_rename_req, gfx_rename_rsp, rename_req_to, rename_req_from,
                           rename_to, rename_from)},
    [GF_FOP_LINK] = {ROW(gfx_link_req, gfx_common_3iatt_rsp, link_req_to, link_req_from,
                         iatt3_to, iatt3_from)},
    [GF_FOP_TRUNCATE] = {ROW(gfx_truncate_req, gfx_common_2iatt_rsp, truncate_req_to,
                             truncate_req_from, iatt2_to, iatt2_from)},
    [GF_FOP_OPEN] = {ROW(gfx_open_req, gfx_open_rsp, open_req_to, open_req_from, open_to,
                         open_from)},
    [GF_FOP_READ] = {ROW(gfx_read_req, gfx_read_rsp, read_req_to, read_req_from, read_to,
                         read_from)},
    [GF_FOP_WRITE] = {ROW(gfx_write_req, gfx_common_2iatt_rsp, write_req_to, write_req_from,
                          iatt2_to, iatt2_from)},
    [GF_FOP_STATFS] = {ROW(gfx_statfs_req, gfx_statfs_rsp, statfs_req_to, statfs_req_from,
                           statfs_to, statfs_from)},
    [GF_FOP_FLUSH] = {ROW(gfx_flush_req, gfx_common_rsp, flush_req_to, flush_req_from,
                          common_to, common_from)},
    [GF_FOP_FSYNC] = {ROW(gfx_fsync_req, gfx_common_2iatt_rsp, fsync_req_to, fsync_req_from,
                          iatt2_to, iatt2_from)},
    [GF_FOP_SETXATTR] = {CODEC(gfx_setxattr_req, gfx_common_rsp, setxattr_req_to,
                               setxattr_req_from, common_to, common_from),
                         .rsp_dicts = {XDATA(gfx_common_rsp)},
                         .req_dicts = {offsetof(gfx_setxattr_req, dict),
                                       XDATA(gfx_setxattr_req)}},
    [GF_FOP_GETXATTR] = {CODEC(gfx_getxattr_req, gfx_common_dict_rsp, getxattr_req_to,
                               getxattr_req_from, dict_rsp_to, dict_rsp_from),
                         .req_dicts = {XDATA(gfx_getxattr_req)},
                         .rsp_dicts = {offsetof(gfx_common_dict_rsp, dict),
                                       XDATA(gfx_common_dict_rsp)}},
    [GF_FOP_REMOVEXATTR] = {ROW(gfx_removexattr_req, gfx_common_rsp, removexattr_req_to,
                                removexattr_req_from, common_to, common_from)},
    [GF_FOP_OPENDIR] = {ROW(gfx_opendir_req, gfx_open_rsp, opendir_req_to, opendir_req_from,
                            open_to, open_from)},
    [GF_FOP_ACCESS] = {ROW(gfx_access_req, gfx_common_rsp, access_req_to, access_req_from,
                           common_to, common_from)},
    [GF_FOP_CREATE] = {ROW(gfx_create_req, gfx_create_rsp, create_req_to, create_req_from,
                           create_to, create_from)},
    [GF_FOP_FTRUNCATE] = {ROW(gfx_ftruncate_req, gfx_common_2iatt_rsp, ftruncate_req_to,
                              ftruncate_req_from, iatt2_to, iatt2_from)},
    [GF_FOP_FSTAT] = {ROW(gfx_fstat_req, gfx_common_iatt_rsp, fstat_req_to, fstat_req_from,
                          iatt_to, iatt_from)},
    [GF_FOP_LOOKUP] = {ROW(gfx_lookup_req, gfx_common_2iatt_rsp, lookup_req_to,
                           lookup_req_from, lookup_to, lookup_from)},
    [GF_FOP_READDIR] = {ROW(gfx_readdir_req, gfx_readdir_rsp, readdir_req_to, readdir_req_from,
                            readdir_to, readdir_from),
                        .rsp_extra_free = readdir_rsp_free},
    [GF_FOP_SETATTR] = {ROW(gfx_setattr_req, gfx_common_2iatt_rsp, setattr_req_to,
                            setattr_req_from, iatt2_to, iatt2_from)},
    [GF_FOP_FSETATTR] = {ROW(gfx_fsetattr_req, gfx_common_2iatt_rsp, fsetattr_req_to,
                             fsetattr_req_from, iatt2_to, iatt2_from)},
    [GF_FOP_READDIRP] = {ROW(gfx_readdirp_req, gfx_readdirp_rsp, readdir_req_to,
                             readdir_req_from, readdirp_to, readdirp_from),
                         .rsp_extra_free = readdirp_rsp_free},
    [GF_FOP_RELEASE] = {ROW(gfx_release_req, gfx_common_rsp, release_req_to, release_req_from,
                            common_to, common_from)},
    [GF_FOP_RELEASEDIR] = {ROW(gfx_releasedir_req, gfx_common_rsp, releasedir_req_to,
                               releasedir_req_from, common_to, common_from)},
    [GF_FOP_FSYNCDIR] = {ROW(gfx_fsyncdir_req, gfx_common_rsp, fsyncdir_req_to,
                             fsyncdir_req_from, common_to, common_from)},
    [GF_FOP_LK] = {ROW(gfx_lk_req, gfx_lk_rsp, lk_req_to, lk_req_from, lk_to, lk_from)},
    [GF_FOP_INODELK] = {ROW(gfx_inodelk_req, gfx_common_rsp, inodelk_req_to, inodelk_req_from,
                            common_to, common_from)},
    [GF_FOP_FINODELK] = {ROW(gfx_finodelk_req, gfx_common_rsp, finodelk_req_to,
                             finodelk_req_from, common_to, common_from)},
    [GF_FOP_ENTRYLK] = {ROW(gfx_entrylk_req, gfx_common_rsp, entrylk_req_to, entrylk_req_from,
                            common_to, common_from)},
    [GF_FOP_FENTRYLK] = {ROW(gfx_fentrylk_req, gfx_common_rsp, fentrylk_req_to,
                             fentrylk_req_from, common_to, common_from)},
    [GF_FOP_XATTROP] = {CODEC(gfx_xattrop_req, gfx_common_dict_rsp, xattrop_req_to,
                              xattrop_req_from, dict_rsp_to, dict_rsp_from),
                        .req_dicts = {offsetof(gfx_xattrop_req, dict), XDATA(gfx_xattrop_req)},
                        .rsp_dicts = {offsetof(gfx_common_dict_rsp, dict),
                                      XDATA(gfx_common_dict_rsp)}},
    [GF_FOP_FXATTROP] = {CODEC(gfx_fxattrop_req, gfx_common_dict_rsp, fxattrop_req_to,
                               fxattrop_req_from, dict_rsp_to, dict_rsp_from),
                         .req_dicts = {offsetof(gfx_fxattrop_req, dict),
                                       XDATA(gfx_fxattrop_req)},
                         .rsp_dicts = {offsetof(gfx_common_dict_rsp, dict),
                                       XDATA(gfx_common_dict_rsp)}},
    [GF_FOP_FGETXATTR] = {CODEC(gfx_fgetxattr_req, gfx_common_dict_rsp, fgetxattr_req_to,
                                fgetxattr_req_from, dict_rsp_to, dict_rsp_from),
                          .req_dicts = {XDATA(gfx_fgetxattr_req)},
                          .rsp_dicts = {offsetof(gfx_common_dict_rsp, dict),
                                        XDATA(gfx_common_dict_rsp)}},
    [GF_FOP_FSETXATTR] = {CODEC(gfx_fsetxattr_req, gfx_common_rsp, fsetxattr_req_to,
                                fsetxattr_req_from, common_to, common_from),
                          .req_dicts = {offsetof(gfx_fsetxattr_req, dict),
                                        XDATA(gfx_fsetxattr_req)},
                          .rsp_dicts = {XDATA(gfx_common_rsp)}},
    [GF_FOP_FREMOVEXATTR] = {ROW(gfx_fremovexattr_req, gfx_common_rsp, fremovexattr_req_to,
                                 fremovexattr_req_from, common_to, common_from)},
    [GF_FOP_FALLOCATE] = {ROW(gfx_fallocate_req, gfx_common_2iatt_rsp, fallocate_req_to,
                              fallocate_req_from, iatt2_to, iatt2_from)},
    [GF_FOP_DISCARD] = {ROW(gfx_discard_req, gfx_common_2iatt_rsp, range_req_to,
                            range_req_from, iatt2_to, iatt2_from)},
    [GF_FOP_ZEROFILL] = {ROW(gfx_zerofill_req, gfx_common_2iatt_rsp, range_req_to,
                             range_req_from, iatt2_to, iatt2_from)},
    [GF_FOP_SEEK] = {ROW(gfx_seek_req, gfx_seek_rsp, seek_req_to, seek_req_from, seek_to,
                         seek_from)},
};

_Static_assert(offsetof(gfx_readdir_req, xdata) == offsetof(gfx_readdirp_req, xdata) &&
                   sizeof(gfx_readdir_req) == sizeof(gfx_readdirp_req),
               "readdir and readdirp requests must share one shape");

const gf_fop_codec_t *gf_fop_codec(gf_fop_t op)
{
    if (op <= GF_FOP_NULL || op >= GF_FOP_MAXVALUE)
        return NULL;
    return &rows[op].c;
}

static const codec_row_t *row_of(const gf_fop_codec_t *c)
{
    return (const codec_row_t *)((const char *)c - offsetof(codec_row_t, c));
}

static void free_dicts(void *s, const size_t offs[3])
{
    int i;

    for (i = 0; i < 3 && offs[i]; i++)
        gf_gfx_dict_free((gfx_dict *)((char *)s + offs[i]));
}

void gf_codec_req_free(const gf_fop_codec_t *c, void *req)
{
    free_dicts(req, row_of(c)->req_dicts);
}

void gf_codec_rsp_free(const gf_fop_codec_t *c, void *rsp)
{
    const codec_row_t *row = row_of(c);

    if (row->rsp_extra_free)
        row->rsp_extra_free(rsp);
    free_dicts(rsp, row->rsp_dicts);
}

void gf_codec_args_wipe(gf_args_t *args)
{
    if (args->xdata)
        gf_dict_unref(args->xdata);
    if (args->xattr)
        gf_dict_unref(args->xattr);
    args->xdata = args->xattr = NULL;
}

void gf_codec_reply_wipe(gf_reply_t *reply)
{
    size_t i;

    if (reply->xdata)
        gf_dict_unref(reply->xdata);
    if (reply->xattr)
        gf_dict_unref(reply->xattr);
    for (i = 0; i < reply->n_entries; i++)
        if (reply->entries[i].dict)
            gf_dict_unref(reply->entries[i].dict);
    gf_free(reply->entries);
    reply->xdata = reply->xattr = NULL;
    reply->entries = NULL;
    reply->n_entries = 0;
}
