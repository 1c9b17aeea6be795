/*
 * gfid handles of storage/posix (layout described in posix-handle.h): making and
 * removing them, turning a gfid or a (parent gfid, name) pair into a real path,
 * and reading and writing the gfid xattr.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "posix-handle.h"

const uuid_t posix_root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* Longest directory handle target: "../../CC/DD/<36>/" and a NAME_MAX name. */
#define DIR_LINK_MAX (6 + 6 + 36 + 1 + NAME_MAX + 1)
/* Offsets in "../../CC/DD/<uuid>/<name>". */
#define LINK_UUID_AT 12
#define LINK_NAME_AT 49
/* A chain longer than this many directories is corrupt (each adds >= 2 chars). */
#define MAX_DEPTH (PATH_MAX / 2)

int posix_gfid_is_root(const uuid_t gfid)
{
    return uuid_compare(gfid, posix_root_gfid) == 0;
}

/* snprintf into buf, mapping truncation to -ENAMETOOLONG. */
static int fit(int n, size_t len)
{
    return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int posix_handle_path(const char *brick, const uuid_t gfid, char *buf, size_t len)
{
    char text[37];

    uuid_unparse_lower(gfid, text);
    return fit(snprintf(buf, len, "%s/%s/%02x/%02x/%s", brick, POSIX_HANDLE_DIR, gfid[0],
                        gfid[1], text),
               len);
}

/*
 * Parses a directory handle target "../../CC/DD/<parent gfid>/<name>" into the
 * parent gfid and a pointer to the name inside link. -EINVAL when link has
 * another form (the handle is then a hard link to a symlink, not a directory).
 */
static int parse_dir_link(const char *link, uuid_t pargfid, const char **name)
{
    char text[37];

    if (strlen(link) <= LINK_NAME_AT || strncmp(link, "../../", 6) != 0 || link[8] != '/' ||
        link[11] != '/' || link[LINK_NAME_AT - 1] != '/')
        return -EINVAL;
    memcpy(text, link + LINK_UUID_AT, 36);
    text[36] = '\0';
    if (uuid_parse(text, pargfid) != 0 || strchr(link + LINK_NAME_AT, '/'))
        return -EINVAL;
    *name = link + LINK_NAME_AT;
    return 0;
}

/* Reads the symlink handle of gfid into link[DIR_LINK_MAX + 1]. */
static int read_handle_link(const char *brick, const uuid_t gfid, char *link)
{
    char handle[PATH_MAX];
    ssize_t n;
    int ret;

    ret = posix_handle_path(brick, gfid, handle, sizeof(handle));
    if (ret)
        return ret;
    n = readlink(handle, link, DIR_LINK_MAX);
    if (n < 0)
        return -errno;
    link[n] = '\0';
    return 0;
}

/* Prepends "/name" to the path being built backwards in tail (pos: its start). */
static int prepend(char *tail, size_t *pos, const char *name)
{
    size_t n = strlen(name);

    if (n + 1 > *pos)
        return -ENAMETOOLONG;
    *pos -= n;
    memcpy(tail + *pos, name, n);
    tail[--*pos] = '/';
    return 0;
}

/*
 * Builds the real path of directory gfid by walking its handle chain up to the
 * root. Returns 1 when gfid's own handle is not a directory handle, 0 with the
 * path in buf, or -errno (-ELOOP, -EIO for a corrupt chain above the first hop).
 */
static int dir_path(const char *brick, const uuid_t gfid, char *buf, size_t len)
{
    char tail[PATH_MAX], link[DIR_LINK_MAX + 1];
    size_t pos = sizeof(tail) - 1;
    const char *name;
    uuid_t cur, up;
    int hops, ret;

    tail[pos] = '\0';
    uuid_copy(cur, gfid);
    for (hops = 0; !posix_gfid_is_root(cur); hops++) {
        if (hops > MAX_DEPTH)
            return -ELOOP;
        ret = read_handle_link(brick, cur, link);
        if (ret == -EINVAL && hops == 0)
            return 1; /* a regular file's handle: readlink gives EINVAL */
        if (ret)
            return ret;
        if (parse_dir_link(link, up, &name))
            return hops == 0 ? 1 : -EIO;
        ret = prepend(tail, &pos, name);
        if (ret)
            return ret;
        uuid_copy(cur, up);
    }
    return fit(snprintf(buf, len, "%s%s", brick, tail + pos), len);
}

int posix_gfid_path(const char *brick, const uuid_t gfid, char *buf, size_t len)
{
    int ret;

    if (uuid_is_null(gfid))
        return -EINVAL;
    if (posix_gfid_is_root(gfid))
        return fit(snprintf(buf, len, "%s", brick), len);
    ret = dir_path(brick, gfid, buf, len);
    if (ret == 1)
        return posix_handle_path(brick, gfid, buf, len);
    return ret;
}

int posix_entry_path(const char *brick, const uuid_t pargfid, const char *name, char *buf,
                     size_t len)
{
    size_t plen;
    int ret;

    if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return -EINVAL;
    if (posix_gfid_is_root(pargfid) && !strcmp(name, POSIX_HANDLE_DIR))
        return -EPERM;
    ret = posix_gfid_path(brick, pargfid, buf, len);
    if (ret)
        return ret;
    plen = strlen(buf);
    return fit(snprintf(buf + plen, len - plen, "/%s", name), len - plen);
}

/* mkdir that accepts an existing directory. */
static int mkdir_once(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    return -errno;
}

/* Creates .glusterfs/AA and .glusterfs/AA/BB for gfid. */
static int make_hash_dirs(const char *brick, const uuid_t gfid)
{
    char path[PATH_MAX];
    int ret;

    ret = fit(snprintf(path, sizeof(path), "%s/%s/%02x", brick, POSIX_HANDLE_DIR, gfid[0]),
              sizeof(path));
    if (!ret)
        ret = mkdir_once(path);
    if (!ret)
        ret = fit(snprintf(path, sizeof(path), "%s/%s/%02x/%02x", brick, POSIX_HANDLE_DIR,
                           gfid[0], gfid[1]),
                  sizeof(path));
    if (!ret)
        ret = mkdir_once(path);
    return ret;
}

/* Symlinks handle to target; an existing link with that target is success. */
static int symlink_once(const char *target, const char *handle)
{
    char old[DIR_LINK_MAX + 1];
    ssize_t n;

    if (symlink(target, handle) == 0)
        return 0;
    if (errno != EEXIST)
        return -errno;
    n = readlink(handle, old, sizeof(old) - 1);
    if (n < 0)
        return -EEXIST;
    old[n] = '\0';
    return strcmp(old, target) == 0 ? 0 : -EEXIST;
}

/* Hard-links handle to path; an existing handle of the same inode is success. */
static int link_once(const char *path, const char *handle, const struct stat *st)
{
    struct stat hst;

    if (link(path, handle) == 0)
        return 0;
    if (errno != EEXIST)
        return -errno;
    if (lstat(handle, &hst) != 0)
        return -errno;
    return (hst.st_ino == st->st_ino && hst.st_dev == st->st_dev) ? 0 : -EEXIST;
}

/* The target of a directory handle: "../../CC/DD/<parent gfid>/<name>". */
static int dir_link_target(const uuid_t pargfid, const char *name, char *target)
{
    char ptext[37];

    uuid_unparse_lower(pargfid, ptext);
    return fit(snprintf(target, DIR_LINK_MAX + 1, "../../%02x/%02x/%s/%s", pargfid[0],
                        pargfid[1], ptext, name),
               DIR_LINK_MAX + 1);
}

int posix_handle_make(const char *brick, const uuid_t gfid, const char *path,
                      const struct stat *st, const uuid_t pargfid, const char *name)
{
    char handle[PATH_MAX], target[DIR_LINK_MAX + 1];
    int ret;

    ret = make_hash_dirs(brick, gfid);
    if (!ret)
        ret = posix_handle_path(brick, gfid, handle, sizeof(handle));
    if (ret)
        return ret;
    if (!S_ISDIR(st->st_mode))
        return link_once(path, handle, st);
    ret = dir_link_target(pargfid, name, target);
    return ret ? ret : symlink_once(target, handle);
}

int posix_handle_relink(const char *brick, const uuid_t gfid, const uuid_t newpargfid,
                        const char *name)
{
    char handle[PATH_MAX], tmp[PATH_MAX + 16], target[DIR_LINK_MAX + 1];
    int ret;

    ret = make_hash_dirs(brick, gfid);
    if (!ret)
        ret = posix_handle_path(brick, gfid, handle, sizeof(handle));
    if (!ret)
        ret = dir_link_target(newpargfid, name, target);
    if (ret)
        return ret;
    snprintf(tmp, sizeof(tmp), "%s.%ld", handle, (long)gettid());
    unlink(tmp);
    if (symlink(target, tmp) != 0)
        return -errno;
    if (rename(tmp, handle) != 0) {
        ret = -errno;
        unlink(tmp);
    }
    return ret;
}

int posix_handle_remove(const char *brick, const uuid_t gfid, int is_dir)
{
    char handle[PATH_MAX];
    struct stat st;
    int ret;

    ret = posix_handle_path(brick, gfid, handle, sizeof(handle));
    if (ret)
        return ret;
    if (!is_dir) {
        if (lstat(handle, &st) != 0)
            return errno == ENOENT ? 0 : -errno;
        if (st.st_nlink > 1)
            return 0;
    }
    if (unlink(handle) != 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int posix_gfid_get(const char *path, uuid_t out)
{
    ssize_t n = lgetxattr(path, POSIX_GFID_XATTR, out, sizeof(uuid_t));

    if (n < 0)
        return errno == ERANGE ? -EINVAL : -errno;
    return n == sizeof(uuid_t) ? 0 : -EINVAL;
}

int posix_gfid_set(const char *path, const uuid_t gfid)
{
    if (lsetxattr(path, POSIX_GFID_XATTR, gfid, sizeof(uuid_t), XATTR_CREATE) != 0)
        return -errno;
    return 0;
}

/* Creates the root's handle, or checks that the existing one leads to the brick. */
static int root_handle(const char *brick, const struct stat *root)
{
    char handle[PATH_MAX];
    struct stat st;
    int ret;

    ret = make_hash_dirs(brick, posix_root_gfid);
    if (!ret)
        ret = posix_handle_path(brick, posix_root_gfid, handle, sizeof(handle));
    if (!ret)
        ret = symlink_once("../../..", handle);
    if (ret) {
        gf_log(GF_LOG_ERROR, "cannot create the root handle under %s/%s: %s", brick,
               POSIX_HANDLE_DIR, strerror(-ret));
        return ret;
    }
    if (stat(handle, &st) != 0 || st.st_ino != root->st_ino || st.st_dev != root->st_dev) {
        gf_log(GF_LOG_ERROR, "root handle %s does not lead to the brick directory %s: "
               "remove it and start the brick again", handle, brick);
        return -EINVAL;
    }
    return 0;
}

int posix_handle_init(const char *brick)
{
    char path[PATH_MAX];
    struct stat root, st;
    int ret;

    if (stat(brick, &root) != 0)
        return -errno;
    ret = fit(snprintf(path, sizeof(path), "%s/%s", brick, POSIX_HANDLE_DIR), sizeof(path));
    if (!ret)
        ret = mkdir_once(path);
    if (!ret && (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        ret = -ENOTDIR;
    if (ret) {
        gf_log(GF_LOG_ERROR, "cannot create the handle directory %s/%s: %s", brick,
               POSIX_HANDLE_DIR, strerror(-ret));
        return ret;
    }
    return root_handle(brick, &root);
}
