/*
 * The client library: a volume as a file system an application reaches without
 * mounting it, in the style of GlusterFS's libgfapi (same names, prefix glfs_).
 * This header is the whole API.
 *
 * Use:
 *     glfs_t *fs = glfs_new("vol1");
 *     glfs_set_volfile_server(fs, "tcp", "server1", 24007);
 *     if (glfs_init(fs) != 0)
 *         fprintf(stderr, "%s\n", glfs_error(fs));
 *     glfs_fd_t *fd = glfs_creat(fs, "/dir/file", O_WRONLY | O_TRUNC, 0644);
 *     glfs_write(fd, "hello", 5);
 *     glfs_close(fd);
 *     glfs_fini(fs);
 *
 * glfs_init fetches the volume's client volfile from glusterd, builds its
 * translator graph and waits until the bricks are connected. Paths are absolute
 * within the volume ("/" is its root); "." and ".." are resolved by name, and
 * symbolic links are not followed.
 *
 * Errors: functions return -1 (or NULL) with errno set, like libgfapi and the
 * system calls they mirror. Every call blocks the calling thread until the
 * volume answered; any number of threads may call at once, on the same glfs_t
 * and on different ones. A glfs_fd_t must not be closed while another thread
 * uses it.
 */
#ifndef GLFS_H
#define GLFS_H

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glfs glfs_t;
typedef struct glfs_fd glfs_fd_t;

/* Log levels of glfs_set_logging (the same numbers as the servers' logs). */
enum {
    GLFS_LOG_NONE = 0,
    GLFS_LOG_CRITICAL,
    GLFS_LOG_ERROR,
    GLFS_LOG_WARNING,
    GLFS_LOG_INFO,
    GLFS_LOG_DEBUG,
    GLFS_LOG_TRACE,
};

/* Default glusterd port, used when glfs_set_volfile_server gets port 0. */
#define GLFS_DEFAULT_PORT 24007

/* ---- setting up ------------------------------------------------------------------ */

/* A handle on volume volname, not yet connected. NULL with errno (EINVAL for an
 * empty name, ENOMEM). Free it with glfs_fini, initialized or not. */
glfs_t *glfs_new(const char *volname);

/*
 * Where to fetch the volfile: transport "tcp" (or "socket") with host and port
 * (0: GLFS_DEFAULT_PORT), or "unix" with host the socket's path. The last call
 * wins. 0, or -1 with errno EINVAL (unknown transport, bad port, empty host).
 */
int glfs_set_volfile_server(glfs_t *fs, const char *transport, const char *host, int port);

/*
 * Builds the graph from a local volfile instead of fetching one (for tests and
 * tools working on a brick directory). 0 or -1 with errno.
 */
int glfs_set_volfile(glfs_t *fs, const char *path);

/*
 * Sends the process's log to path (NULL or "-": stderr) at level
 * (GLFS_LOG_*). The log is one per process: the last call wins, for every
 * glfs_t. 0, or -1 with errno (EINVAL for a bad level, or why path cannot be
 * opened).
 */
int glfs_set_logging(glfs_t *fs, const char *path, int level);

/*
 * Connects: fetches the volfile, builds and starts the graph and waits (at most
 * 10 s) until it is up, then looks up the volume's root. 0, or -1 with errno:
 * ENOENT (no such volume), ENOTCONN (glusterd unreachable, or no brick came
 * up), EINVAL (bad volfile, nothing configured), EALREADY (called before).
 * glfs_error(fs) then says what failed and what to do.
 */
int glfs_init(glfs_t *fs);

/* Why glfs_init failed, as a sentence naming what failed; "" when it did not. */
const char *glfs_error(glfs_t *fs);

/* Closes the fds still open, stops the graph and frees fs. 0. NULL is ignored. */
int glfs_fini(glfs_t *fs);

/* ---- files ----------------------------------------------------------------------- */

/*
 * Opens path, creating it with mode when it does not exist (O_CREAT is
 * implied; O_EXCL makes an existing file an error, EEXIST; O_TRUNC empties an
 * existing one). The new fd, or NULL with errno.
 */
glfs_fd_t *glfs_creat(glfs_t *fs, const char *path, int flags, mode_t mode);

/* Opens an existing path with open(2) flags (O_CREAT: EINVAL, use glfs_creat).
 * The new fd, or NULL with errno. */
glfs_fd_t *glfs_open(glfs_t *fs, const char *path, int flags);

/* Reads or writes up to count bytes at offset, like pread(2)/pwrite(2): the
 * number of bytes transferred (short only at end of file, or when an error
 * stops a transfer that already moved data), or -1 with errno. */
ssize_t glfs_pread(glfs_fd_t *fd, void *buf, size_t count, off_t offset);
ssize_t glfs_pwrite(glfs_fd_t *fd, const void *buf, size_t count, off_t offset);

/* The same at the fd's offset, which they advance (read(2)/write(2)). */
ssize_t glfs_read(glfs_fd_t *fd, void *buf, size_t count);
ssize_t glfs_write(glfs_fd_t *fd, const void *buf, size_t count);

/* Flushes and closes fd, which is freed even when the flush fails. 0, or -1 with
 * the flush's errno. */
int glfs_close(glfs_fd_t *fd);

/* Attributes of path (not following a final symbolic link), or of an open fd.
 * 0 or -1 with errno. */
int glfs_stat(glfs_t *fs, const char *path, struct stat *buf);
int glfs_fstat(glfs_fd_t *fd, struct stat *buf);

/* glfs_stat that also gives the object's 16-byte gfid (not in libgfapi). */
int glfs_stat_gfid(glfs_t *fs, const char *path, struct stat *buf, unsigned char gfid[16]);

/* ---- directories and names ----------------------------------------------------------- */

/* 0 or -1 with errno, as mkdir(2), unlink(2), rmdir(2). */
int glfs_mkdir(glfs_t *fs, const char *path, mode_t mode);
int glfs_unlink(glfs_t *fs, const char *path);
int glfs_rmdir(glfs_t *fs, const char *path);

/* Opens directory path for listing. NULL with errno (ENOTDIR, ENOENT, ...). */
glfs_fd_t *glfs_opendir(glfs_t *fs, const char *path);

/*
 * The next entry of the directory ("." and ".." included, in no particular
 * order), valid until the next call on fd; NULL at the end (errno unchanged)
 * or on error (errno set). d_ino, d_off, d_type and d_name are filled.
 */
struct dirent *glfs_readdir(glfs_fd_t *fd);

/* Closes a directory fd. 0. */
int glfs_closedir(glfs_fd_t *fd);

#ifdef __cplusplus
}
#endif

#endif
