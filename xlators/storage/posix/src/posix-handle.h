/*
 * gfid handles of storage/posix: the on-disk index that turns a gfid into a path,
 * in the layout GlusterFS bricks use, so a brick directory can move between the
 * two implementations.
 *
 * Every object carries its gfid in the xattr trusted.gfid (16 raw bytes), and has
 * a handle <brick>/.glusterfs/AA/BB/<gfid as uuid text>, AA and BB being the first
 * two bytes of the gfid in hex:
 *   - a non-directory's handle is a hard link to it;
 *   - a directory's handle is a symlink "../../CC/DD/<parent gfid>/<basename>",
 *     CC DD being the parent gfid's first two bytes;
 *   - the root's handle (.glusterfs/00/00/00000000-0000-0000-0000-000000000001)
 *     is a symlink "../../..".
 * A directory's real path is found by following the chain of directory handles
 * up to the root ourselves (not through the kernel, which gives up after 40
 * symlinks), so trees of any depth resolve.
 *
 * Every function takes the brick directory and works on paths only: nothing
 * keeps a descriptor open. Errors are negative errno values.
 */
#ifndef POSIX_HANDLE_H
#define POSIX_HANDLE_H

#include <stddef.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#define POSIX_GFID_XATTR  "trusted.gfid"
#define POSIX_VOLID_XATTR "trusted.glusterfs.volume-id"
#define POSIX_HANDLE_DIR  ".glusterfs"

/* The root directory's gfid, 00000000-0000-0000-0000-000000000001. */
extern const uuid_t posix_root_gfid;

/* Whether gfid is the root's. */
int posix_gfid_is_root(const uuid_t gfid);

/* Writes <brick>/.glusterfs/AA/BB/<gfid> into buf. 0 or -ENAMETOOLONG. */
int posix_handle_path(const char *brick, const uuid_t gfid, char *buf, size_t len);

/*
 * Writes the real path of the object with that gfid into buf: the brick for the
 * root, the directory's path under the brick for a directory, the handle itself
 * (a hard link) for anything else. -ENOENT when the gfid has no handle,
 * -ENAMETOOLONG, -ELOOP on a corrupt chain, or the errno of reading a handle.
 */
int posix_gfid_path(const char *brick, const uuid_t gfid, char *buf, size_t len);

/*
 * Writes the path of name inside the directory with gfid pargfid into buf.
 * -EINVAL for a name that is empty, "." or "..", or holds a '/'; -EPERM for the
 * handle directory's own name at the brick root; errors of posix_gfid_path.
 */
int posix_entry_path(const char *brick, const uuid_t pargfid, const char *name, char *buf,
                     size_t len);

/*
 * Creates the handle of an object just made at path (st: its lstat), whose name
 * is name in the directory pargfid. A handle that already points at the same
 * object is success; one that points elsewhere is -EEXIST.
 */
int posix_handle_make(const char *brick, const uuid_t gfid, const char *path, const struct stat *st,
                      const uuid_t pargfid, const char *name);

/*
 * Points the handle of directory gfid at its new name (name in the directory
 * newpargfid) after a rename, replacing the old symlink atomically (a new one
 * is renamed over it), so that the directory never lacks a handle. 0 or -errno.
 */
int posix_handle_relink(const char *brick, const uuid_t gfid, const uuid_t newpargfid,
                        const char *name);

/*
 * Removes the handle of an object whose name was just removed: a directory's
 * symlink always, a non-directory's hard link only when it is the last link left
 * (is_dir tells which). A missing handle is success.
 */
int posix_handle_remove(const char *brick, const uuid_t gfid, int is_dir);

/* Reads the gfid xattr of path (not following a final symlink). -ENODATA when
 * absent, -EINVAL when it is not 16 bytes. */
int posix_gfid_get(const char *path, uuid_t out);

/* Sets the gfid xattr of path, failing with -EEXIST when it has one. */
int posix_gfid_set(const char *path, const uuid_t gfid);

/*
 * Prepares a brick for handles: creates <brick>/.glusterfs and the root's handle,
 * checking that an existing root handle points at the brick. 0 or -errno; logs
 * what failed.
 */
int posix_handle_init(const char *brick);

#endif
