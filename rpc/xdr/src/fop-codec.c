/*
 * The FOP program's XDR glue, once for both sides (see fop-codec.h). The fields of
 * each request and response are declared once, in fop-codec.def; this file turns
 * that table into conversions (one inclusion per direction), free functions and
 * the codec rows bound to the fop numbers of fops.def. What is written here by
 * hand is what a table cannot say: the shared helpers, lock commands and types,
 * and the responses of read, seek, lk, readdir and readdirp. Request and response
 * shapes follow the GlusterFS 4.x "gfx" structures of fops.x; which response shape
 * a fop uses is a protocol fact (doc/protocol.md).
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

/* The gfid a request names: the loc's, else the loc's inode's, else the fd's inode's. */
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

/* The number of bytes a write request carries. */
static size_t iov_total(const struct iovec *v, int count)
{
    size_t len = 0;
    int i;

    for (i = 0; i < count; i++)
        len += v[i].iov_len;
    return len;
}

/* seek: SEEK_DATA / SEEK_HOLE -> GF_SEEK_* in *what; -EINVAL for anything else. */
static int seek_what_to(int32_t flags, int *what)
{
    if (flags != SEEK_DATA && flags != SEEK_HOLE)
        return -EINVAL;
    *what = flags == SEEK_DATA ? GF_SEEK_DATA : GF_SEEK_HOLE;
    return 0;
}

/* An unknown `what` becomes -1, which the brick refuses (EINVAL). */
static int32_t seek_what_from(int what)
{
    return what == GF_SEEK_DATA ? SEEK_DATA : what == GF_SEEK_HOLE ? SEEK_HOLE : -1;
}

/* Common response head: op_ret, op_errno, xdata. */
#define RSP_HEAD_TO(rsp, reply)                                                                    \
    do {                                                                                           \
        (rsp)->op_ret = (reply)->op_ret;                                                           \
        (rsp)->op_errno = (reply)->op_errno;                                                       \
        if (gf_dict_to_gfx((reply)->xdata, &(rsp)->xdata))                                         \
            return -ENOMEM;                                                                        \
    } while (0)

#define RSP_HEAD_FROM(rsp, reply)                                                                  \
    do {                                                                                           \
        (reply)->op_ret = (rsp)->op_ret;                                                           \
        (reply)->op_errno = (rsp)->op_errno;                                                       \
        if (dict_in(&(rsp)->xdata, &(reply)->xdata))                                               \
            return -EBADMSG;                                                                       \
    } while (0)

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

#define ENTRY_FIELDS(req)                                                                          \
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

/*
 * ---- responses written by hand ---------------------------------------------------
 *
 * Each shape here has what a shape of fop-codec.def gets: a type name NAME_rsp_t
 * and the functions NAME_rsp_to, NAME_rsp_from and NAME_rsp_free.
 */

typedef gfx_read_rsp read_rsp_t;
typedef gfx_seek_rsp seek_rsp_t;
typedef gfx_lk_rsp lk_rsp_t;
typedef gfx_readdir_rsp readdir_rsp_t;
typedef gfx_readdirp_rsp readdirp_rsp_t;

/* read: the data travels as trailing payload; size is how much of it there is. */
static int read_rsp_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_read_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    gf_iatt_to_gfx(&rsp->stat, &r->stat);
    rsp->size = r->op_ret > 0 ? r->op_ret : 0;
    return 0;
}

static int read_rsp_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_read_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    gf_iatt_from_gfx(&r->stat, &rsp->stat);
    return 0;
}

static void read_rsp_free(void *p)
{
    gf_gfx_dict_free(&((gfx_read_rsp *)p)->xdata);
}

/* seek: the offset found, 0 on failure. */
static int seek_rsp_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_seek_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    rsp->offset = r->op_ret >= 0 ? (uint64_t)r->offset : 0;
    return 0;
}

static int seek_rsp_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_seek_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    r->offset = (int64_t)rsp->offset;
    return 0;
}

static void seek_rsp_free(void *p)
{
    gf_gfx_dict_free(&((gfx_seek_rsp *)p)->xdata);
}

/* lk: the lock found (GETLK) or set; on failure an empty one. */
static int lk_rsp_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
{
    gfx_lk_rsp *rsp = p;

    RSP_HEAD_TO(rsp, r);
    if (r->op_ret >= 0)
        flock_to_wire(&r->flock, &rsp->flock);
    return 0;
}

static int lk_rsp_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
{
    gfx_lk_rsp *rsp = p;

    RSP_HEAD_FROM(rsp, r);
    if (rsp->op_ret >= 0 && flock_from_wire(&rsp->flock, rsp->flock.type, &r->flock))
        return -EBADMSG;
    return 0;
}

static void lk_rsp_free(void *p)
{
    gf_gfx_dict_free(&((gfx_lk_rsp *)p)->xdata);
}

/* readdir, readdirp: the entries as a linked list (readdirp: with attributes and a
 * dict each). Encoding allocates the list nodes; names point into the reply. */
static int readdirp_rsp_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
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

static void readdirp_list_free(gfx_readdirp_rsp *rsp)
{
    gfx_dirplist *x = rsp->reply, *next;

    for (; x; x = next) {
        next = x->nextentry;
        gf_gfx_dict_free(&x->dict);
        gf_free(x);
    }
    rsp->reply = NULL;
}

static int readdirp_rsp_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
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

static int readdir_rsp_to(const gf_reply_t *r, const gf_codec_fd_t *fd, void *p)
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

static void readdir_list_free(gfx_readdir_rsp *rsp)
{
    gfx_dirlist *x = rsp->reply, *next;

    for (; x; x = next) {
        next = x->nextentry;
        gf_free(x);
    }
    rsp->reply = NULL;
}

static int readdir_rsp_from(void *p, gf_reply_t *r, gf_codec_fd_t *fd)
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

static void readdir_rsp_free(void *p)
{
    readdir_list_free(p);
    gf_gfx_dict_free(&((gfx_readdir_rsp *)p)->xdata);
}

static void readdirp_rsp_free(void *p)
{
    readdirp_list_free(p);
    gf_gfx_dict_free(&((gfx_readdirp_rsp *)p)->xdata);
}

/*
 * ---- conversions from the table ---------------------------------------------------
 *
 * In the functions made from fop-codec.def, `wire` is the gfx struct and `prog` the
 * program's gf_args_t or gf_reply_t; `fd` is the call's fd number and `ret` the
 * first error of a failing field, after which nothing more is allocated.
 */

/* Program -> wire: a request is filled from gf_args_t, a response from gf_reply_t. */
#define GFID(m)       req_gfid(prog, wire->m);
#define UUID(m, f)    memcpy(wire->m, prog->f, 16);
#define FD(m)         wire->m = fd ? fd->fd : -1;
#define NUM(m, f)     wire->m = prog->f;
#define STR(m, f)     wire->m = str(prog->f);
#define OPTSTR(m, f)  wire->m = str(prog->f);
#define NAMELEN(m, f) wire->m = prog->f ? strlen(prog->f) : 0;
#define VECLEN(m, f)  wire->m = iov_total(prog->vector, prog->count);
#define IATT(m, f)    gf_iatt_to_gfx(&wire->m, &prog->f);
#define DICT(m, f)                                                                                 \
    if (!ret && gf_dict_to_gfx(prog->f, &wire->m))                                                 \
        ret = -ENOMEM;
#define ALIAS(f, g)
#define LOCK()                                                                                     \
    if (!ret)                                                                                      \
        ret = lock_to(prog, LOCK_FIELDS(wire));
#define ENTRYLK() entrylk_to(prog, ENTRY_FIELDS(wire));
#define SEEKWHAT(m)                                                                                \
    if (!ret)                                                                                      \
        ret = seek_what_to(prog->flags, &wire->m);
#define FOP(OP, REQ, RSP, shape, ...)                                                              \
    static int REQ##_to(const gf_args_t *prog, const gf_codec_fd_t *fd, void *p)                   \
    {                                                                                              \
        REQ *wire = p;                                                                             \
        int ret = 0;                                                                               \
                                                                                                   \
        __VA_ARGS__                                                                                \
        return ret ? ret : gf_dict_to_gfx(prog->xdata, &wire->xdata);                              \
    }
#define RSP(shape, T, ...)                                                                         \
    typedef T shape##_rsp_t;                                                                       \
    static int shape##_rsp_to(const gf_reply_t *prog, const gf_codec_fd_t *fd, void *p)            \
    {                                                                                              \
        T *wire = p;                                                                               \
        int ret = 0;                                                                               \
                                                                                                   \
        RSP_HEAD_TO(wire, prog);                                                                   \
        __VA_ARGS__                                                                                \
        return ret;                                                                                \
    }
#include "fop-codec.def"

/* Wire -> program: strings and dict contents stay owned by the decoded struct;
 * dicts are new references. */
#define GFID(m)      memcpy(prog->loc.gfid, wire->m, 16);
#define UUID(m, f)   memcpy(prog->f, wire->m, 16);
#define FD(m)        fd->fd = wire->m;
#define NUM(m, f)    prog->f = wire->m;
#define STR(m, f)    prog->f = wire->m;
#define OPTSTR(m, f) prog->f = wire->m && wire->m[0] ? wire->m : NULL;
#define NAMELEN(m, f)
#define VECLEN(m, f) prog->f = wire->m;
#define IATT(m, f)   gf_iatt_from_gfx(&prog->f, &wire->m);
#define DICT(m, f)                                                                                 \
    if (!ret && dict_in(&wire->m, &prog->f))                                                       \
        ret = -EBADMSG;
#define ALIAS(f, g) prog->f = prog->g;
#define LOCK()                                                                                     \
    if (!ret && lock_from(prog, LOCK_FIELDS(wire)))                                                \
        ret = -EBADMSG;
#define ENTRYLK()   entrylk_from(prog, ENTRY_FIELDS(wire));
#define SEEKWHAT(m) prog->flags = seek_what_from(wire->m);
#define FOP(OP, REQ, RSP, shape, ...)                                                              \
    static int REQ##_from(void *p, gf_args_t *prog, gf_codec_fd_t *fd)                             \
    {                                                                                              \
        REQ *wire = p;                                                                             \
        int ret = 0;                                                                               \
                                                                                                   \
        __VA_ARGS__                                                                                \
        return ret ? ret : dict_in(&wire->xdata, &prog->xdata);                                    \
    }
#define RSP(shape, T, ...)                                                                         \
    static int shape##_rsp_from(void *p, gf_reply_t *prog, gf_codec_fd_t *fd)                      \
    {                                                                                              \
        T *wire = p;                                                                               \
        int ret = 0;                                                                               \
                                                                                                   \
        RSP_HEAD_FROM(wire, prog);                                                                 \
        __VA_ARGS__                                                                                \
        return ret;                                                                                \
    }
#include "fop-codec.def"

/* Freeing what the program -> wire conversions allocated: the dicts. */
#define GFID(m)
#define UUID(m, f)
#define FD(m)
#define NUM(m, f)
#define STR(m, f)
#define OPTSTR(m, f)
#define NAMELEN(m, f)
#define VECLEN(m, f)
#define IATT(m, f)
#define DICT(m, f) gf_gfx_dict_free(&wire->m);
#define ALIAS(f, g)
#define LOCK()
#define ENTRYLK()
#define SEEKWHAT(m)
#define FOP(OP, REQ, RSP, shape, ...)                                                              \
    static void REQ##_free(void *p)                                                                \
    {                                                                                              \
        REQ *wire = p;                                                                             \
                                                                                                   \
        __VA_ARGS__                                                                                \
        gf_gfx_dict_free(&wire->xdata);                                                            \
    }
#define RSP(shape, T, ...)                                                                         \
    static void shape##_rsp_free(void *p)                                                          \
    {                                                                                              \
        T *wire = p;                                                                               \
                                                                                                   \
        __VA_ARGS__                                                                                \
        gf_gfx_dict_free(&wire->xdata);                                                            \
    }
#include "fop-codec.def"

/* ---- the table -------------------------------------------------------------------- */

/* A fop's response type must be the one its shape fills. */
#define FOP(OP, REQ, RSP, shape, ...)                                                              \
    _Static_assert(__builtin_types_compatible_p(RSP, shape##_rsp_t),                               \
                   #OP ": the response type is not the type of its shape");
#define RSP(shape, T, ...)
#include "fop-codec.def"

typedef struct {
    gf_fop_codec_t c;
    void (*req_free)(void *req); /* NULL for fops not served */
    void (*rsp_free)(void *rsp);
} codec_row_t;

#define FOP(OP, REQ, RSP, shape, ...)                                                              \
    [GF_FOP_##OP] = {.c = {(xdrproc_t)xdr_##REQ, (xdrproc_t)xdr_##RSP, sizeof(REQ), sizeof(RSP),   \
                           REQ##_to, REQ##_from, shape##_rsp_to, shape##_rsp_from},                \
                     .req_free = REQ##_free,                                                       \
                     .rsp_free = shape##_rsp_free},
#define RSP(shape, T, ...)
static const codec_row_t rows[GF_FOP_MAXVALUE] = {
#include "fop-codec.def"
};

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

void gf_codec_req_free(const gf_fop_codec_t *c, void *req)
{
    const codec_row_t *row = row_of(c);

    if (row->req_free)
        row->req_free(req);
}

void gf_codec_rsp_free(const gf_fop_codec_t *c, void *rsp)
{
    const codec_row_t *row = row_of(c);

    if (row->rsp_free)
        row->rsp_free(rsp);
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
