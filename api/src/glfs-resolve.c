/*
 * Path resolution: from a path inside the volume to the inodes of its parent
 * directory and its last component. The walk starts at the root inode and
 * looks each component up by name in its parent (LOOKUP with the parent's gfid
 * and the name), linking every inode found into the table, so that the next
 * walk through the same directories finds them there without a call. A cached
 * name may be stale (another client removed or replaced the directory): the
 * lookup after it then fails with ENOENT or ESTALE, and the walk is redone
 * once from the root without the cache.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "glfs-internal.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

/* A path cut into components, "." and ".." already applied. */
typedef struct {
    char *buf; /* the normalized path, "/a/b"; components point into copy */
    char *copy;
    char **comps;
    int n;
} path_t;

static void path_free(path_t *p)
{
    gf_free(p->buf);
    gf_free(p->copy);
    gf_free(p->comps);
}

/* Splits path into p. 0, -EINVAL (NULL or empty), -ENAMETOOLONG, -ENOMEM. */
static int path_split(const char *path, path_t *p)
{
    size_t len = path ? strlen(path) : 0;
    char *save = NULL, *c;

    memset(p, 0, sizeof(*p));
    if (len == 0)
        return -EINVAL;
    if (len >= PATH_MAX)
        return -ENAMETOOLONG;
    p->copy = gf_strdup(path);
    p->comps = gf_calloc(len / 2 + 1, sizeof(*p->comps));
    p->buf = gf_malloc(len + 2);
    if (!p->copy || !p->comps || !p->buf) {
        path_free(p);
        return -ENOMEM;
    }
    for (c = strtok_r(p->copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strlen(c) > NAME_MAX) {
            path_free(p);
            return -ENAMETOOLONG;
        }
        if (strcmp(c, "..") == 0)
            p->n -= p->n > 0;
        else if (strcmp(c, ".") != 0)
            p->comps[p->n++] = c;
    }
    p->buf[0] = '\0';
    for (int i = 0; i < p->n; i++) {
        strcat(p->buf, "/");
        strcat(p->buf, p->comps[i]);
    }
    if (p->n == 0)
        strcpy(p->buf, "/");
    return 0;
}

static int copy_stat(const gf_reply_t *rsp, void *out)
{
    *(gf_iatt_t *)out = rsp->stat;
    return 0;
}

gf_inode_t *glfs_link(gf_inode_t *inode, gf_inode_t *parent, const char *name, const gf_iatt_t *ia)
{
    gf_inode_t *linked = gf_inode_link(inode, parent, name, ia);

    if (!linked)
        gf_log(GF_LOG_ERROR, "cannot link '%s': the reply carried no valid gfid",
               name ? name : "/");
    return linked;
}

/* Looks name up in parent. 0 with *inode (linked, referenced) and *ia, or -errno. */
static int lookup_name(glfs_t *fs, gf_inode_t *parent, const char *name, const char *path,
                       gf_inode_t **inode, gf_iatt_t *ia)
{
    gf_inode_t *fresh = gf_inode_new(fs->itable);
    gf_args_t args = {0};
    int ret;

    if (!fresh)
        return -ENOMEM;
    args.loc.path = path;
    args.loc.name = name;
    args.loc.inode = fresh;
    args.loc.parent = parent;
    gf_inode_gfid(parent, args.loc.pargfid);
    ret = glfs_sync_call(fs, GF_FOP_LOOKUP, &args, copy_stat, ia);
    if (ret >= 0) {
        *inode = glfs_link(fresh, parent, name, ia);
        ret = *inode ? 0 : -EIO;
    }
    gf_inode_unref(fresh);
    return ret;
}

/* Looks the root up by its gfid, for its attributes. 0 or -errno. */
static int lookup_root(glfs_t *fs, gf_iatt_t *ia)
{
    gf_args_t args = {0};

    args.loc.path = "/";
    args.loc.inode = fs->root;
    gf_inode_gfid(fs->root, args.loc.gfid);
    return glfs_sync_call(fs, GF_FOP_LOOKUP, &args, copy_stat, ia);
}

/* Walks the components of p from the root (see glfs_resolve). */
static int walk(glfs_t *fs, const path_t *p, int flags, glfs_loc_t *out)
{
    gf_inode_t *cur = gf_inode_ref(fs->root), *next = NULL;
    int ret = 0;

    if (p->n == 0) {
        out->inode = cur;
        ret = lookup_root(fs, &out->stat);
        return ret < 0 ? ret : 0;
    }
    for (int i = 0; i < p->n - 1; i++) {
        next = flags & GLFS_RESOLVE_NOCACHE ? NULL : gf_inode_grep(fs->itable, cur, p->comps[i]);
        if (next)
            out->cached = true;
        else
            ret = lookup_name(fs, cur, p->comps[i], p->buf, &next, &out->stat);
        gf_inode_unref(cur);
        if (ret)
            return ret;
        cur = next;
        if (cur->ia_type != S_IFDIR) {
            gf_inode_unref(cur);
            return -ENOTDIR;
        }
    }
    out->parent = cur;
    ret = lookup_name(fs, cur, p->comps[p->n - 1], p->buf, &out->inode, &out->stat);
    if (ret == -ENOENT && (flags & GLFS_RESOLVE_ABSENT_OK))
        ret = 0;
    return ret;
}

/* Fills out's name and path copies from p. 0 or -ENOMEM. */
static int set_names(const path_t *p, glfs_loc_t *out)
{
    out->path = gf_strdup(p->buf);
    if (p->n)
        out->name = gf_strdup(p->comps[p->n - 1]);
    return out->path && (out->name || !p->n) ? 0 : -ENOMEM;
}

int glfs_resolve(glfs_t *fs, const char *path, int flags, glfs_loc_t *out)
{
    path_t p;
    int ret = path_split(path, &p);

    memset(out, 0, sizeof(*out));
    if (ret)
        return ret;
    ret = walk(fs, &p, flags, out);
    if ((ret == -ENOENT || ret == -ESTALE) && out->cached) {
        gf_log(GF_LOG_DEBUG, "%s: cached directory is stale, resolving again", p.buf);
        glfs_loc_release(out);
        ret = walk(fs, &p, flags | GLFS_RESOLVE_NOCACHE, out);
    }
    if (!ret)
        ret = set_names(&p, out);
    if (ret)
        glfs_loc_release(out);
    path_free(&p);
    return ret;
}

void glfs_loc_release(glfs_loc_t *loc)
{
    gf_inode_unref(loc->parent);
    gf_inode_unref(loc->inode);
    gf_free(loc->name);
    gf_free(loc->path);
    memset(loc, 0, sizeof(*loc));
}

void glfs_loc_fill(const glfs_loc_t *loc, gf_loc_t *out)
{
    memset(out, 0, sizeof(*out));
    out->path = loc->path;
    out->name = loc->name;
    out->parent = loc->parent;
    out->inode = loc->inode;
    if (loc->parent)
        gf_inode_gfid(loc->parent, out->pargfid);
    if (loc->inode)
        gf_inode_gfid(loc->inode, out->gfid);
}

void glfs_iatt_to_stat(const gf_iatt_t *ia, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = ia->ia_dev;
    st->st_ino = ia->ia_ino;
    st->st_mode = ia->ia_mode;
    st->st_nlink = ia->ia_nlink;
    st->st_uid = ia->ia_uid;
    st->st_gid = ia->ia_gid;
    st->st_rdev = ia->ia_rdev;
    st->st_size = (off_t)ia->ia_size;
    st->st_blksize = ia->ia_blksize;
    st->st_blocks = (blkcnt_t)ia->ia_blocks;
    st->st_atim.tv_sec = ia->ia_atime;
    st->st_atim.tv_nsec = ia->ia_atime_nsec;
    st->st_mtim.tv_sec = ia->ia_mtime;
    st->st_mtim.tv_nsec = ia->ia_mtime_nsec;
    st->st_ctim.tv_sec = ia->ia_ctime;
    st->st_ctim.tv_nsec = ia->ia_ctime_nsec;
}
