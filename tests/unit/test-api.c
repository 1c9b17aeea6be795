/*
 * Unit tests of the client library (api/src) over a real local graph: each case
 * starts a brick directory served by storage/posix under debug/io-stats, and a
 * glfs_t that fetches that graph's volfile with GETSPEC from a small fake
 * glusterd (an rpc server of this program answering the handshake program), so
 * the volfile fetch, graph start, path resolution, the fops and the sync-call
 * helper all run for real, without a network brick. The cases check the API's
 * answers against the brick directory on disk (file contents, gfids chosen by
 * the library in "gfid-req").
 *
 * Modules come from TEST_XLATOR_DIR (the build's xlators/), through a private
 * directory of symlinks laid out as the loader expects. trusted.* xattrs need
 * root: without it the program reports itself skipped (exit 77).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "xl-testdir.h"

#include "glfs-internal.h"
#include "glfs.h"
#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "handshake-xdr.h"
#include "rpcsvc.h"

#define VOLNAME   "local"
#define VOLUME_ID "7a1c2e7a-0c9d-4d55-9a43-1b2c3d4e5f61"

static const unsigned char root_gfid[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static char xl_dir[] = "/tmp/test-api-xl-XXXXXX";
static char brick[64];
static char volfile[1024]; /* what the fake glusterd serves for VOLNAME */
static rpc_svc_t *svc;
static int svc_port;
static glfs_t *fs; /* the case's volume, initialized */

/* ---- the fake glusterd --------------------------------------------------------------- */

/* GETSPEC: the volfile for key VOLNAME, ENOENT for anything else. */
static int fake_getspec(rpc_req_t *req)
{
    gf_getspec_req args = {0};
    gf_getspec_rsp rsp = {0};
    bool known;

    if (rpc_req_decode(req, (xdrproc_t)xdr_gf_getspec_req, &args, NULL) != 0)
        return -EBADMSG;
    known = strcmp(args.key, VOLNAME) == 0;
    xdr_free((xdrproc_t)xdr_gf_getspec_req, (char *)&args);
    rsp.op_ret = known ? (int)strlen(volfile) : -1;
    rsp.op_errno = known ? 0 : ENOENT;
    rsp.spec = known ? volfile : "";
    rpc_req_reply(req, (xdrproc_t)xdr_gf_getspec_rsp, &rsp, NULL, 0, NULL);
    return 0;
}

static const rpc_actor_t fake_actors[] = {
    [GF_HNDSK_GETSPEC] = {"GETSPEC", fake_getspec},
};

static const rpc_program_t fake_program = {
    .name = "fake handshake",
    .prognum = GF_HNDSK_PROGRAM,
    .progver = GF_HNDSK_VERSION,
    .actors = fake_actors,
    .n_actors = sizeof(fake_actors) / sizeof(fake_actors[0]),
};

/* ---- setup --------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    static const char *const modules[] = {"storage/posix", "debug/io-stats", NULL};

    xlt_dir_make(xl_dir, modules, "test-api");
    setenv("GF_XLATOR_DIR", xl_dir, 1);
    assert_int_equal(gf_ctx_init("test-api", 2, 4), 0);
    svc = rpc_svc_new(gf_ctx->events, NULL, NULL);
    assert_non_null(svc);
    assert_int_equal(rpc_svc_register(svc, &fake_program), 0);
    assert_int_equal(rpc_svc_listen(svc, "tcp:127.0.0.1:0"), 0);
    svc_port = rpc_svc_port(svc);
    assert_true(svc_port > 0);
    return 0;
}

static int group_teardown(void **state)
{
    rpc_svc_destroy(svc);
    gf_ctx_fini();
    return xlt_dir_remove(xl_dir);
}

/* A glfs_t on VOLNAME through the fake glusterd, initialized. */
static glfs_t *volume_open(void)
{
    glfs_t *v = glfs_new(VOLNAME);

    assert_non_null(v);
    assert_int_equal(glfs_set_volfile_server(v, "tcp", "127.0.0.1", svc_port), 0);
    if (glfs_init(v) != 0)
        fail_msg("glfs_init: %s", glfs_error(v));
    return v;
}

static int case_setup(void **state)
{
    char dir[] = "/dev/shm/test-api-brick-XXXXXX"; /* tmpfs: fast, has trusted.* xattrs */

    if (!mkdtemp(dir)) {
        memcpy(dir, "/tmp/test-api-brick-XXXXXX", sizeof("/tmp/test-api-brick-XXXXXX"));
        assert_non_null(mkdtemp(dir));
    }
    snprintf(brick, sizeof(brick), "%s", dir);
    snprintf(volfile, sizeof(volfile),
             "volume " VOLNAME "-posix\n  type storage/posix\n  option directory %s\n"
             "  option volume-id " VOLUME_ID "\nend-volume\n"
             "volume " VOLNAME "\n  type debug/io-stats\n  subvolumes " VOLNAME "-posix\n"
             "end-volume\n",
             brick);
    fs = volume_open();
    return 0;
}

static int case_teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    glfs_fini(fs);
    fs = NULL;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", brick);
    return system(cmd);
}

/* ---- helpers ------------------------------------------------------------------------- */

/* Writes len bytes of data to path (creating it) and closes it. */
static void put(const char *path, const void *data, size_t len)
{
    glfs_fd_t *fd = glfs_creat(fs, path, O_WRONLY | O_TRUNC, 0644);

    assert_non_null(fd);
    assert_int_equal(glfs_pwrite(fd, data, len, 0), (ssize_t)len);
    assert_int_equal(glfs_close(fd), 0);
}

/* The errno of a call that must fail with -1. */
#define assert_fails_with(call, err)                                                               \
    do {                                                                                           \
        errno = 0;                                                                                 \
        assert_int_equal((call), -1);                                                              \
        assert_int_equal(errno, (err));                                                            \
    } while (0)

#define assert_null_with(call, err)                                                                \
    do {                                                                                           \
        errno = 0;                                                                                 \
        assert_null(call);                                                                         \
        assert_int_equal(errno, (err));                                                            \
    } while (0)

/* The brick's copy of path, read into buf (cap bytes); its length. */
static size_t brick_read(const char *path, char *buf, size_t cap)
{
    char full[PATH_MAX];
    size_t n;
    FILE *f;

    snprintf(full, sizeof(full), "%s%s", brick, path);
    f = fopen(full, "rb");
    assert_non_null(f);
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* ---- setting up ---------------------------------------------------------------------- */

static void test_init_unknown_volume(void **state)
{
    glfs_t *v = glfs_new("nosuch");

    assert_int_equal(glfs_set_volfile_server(v, "tcp", "127.0.0.1", svc_port), 0);
    assert_fails_with(glfs_init(v), ENOENT);
    assert_non_null(strstr(glfs_error(v), "volume nosuch does not exist"));
    glfs_fini(v);
}

static void test_init_unreachable(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    glfs_t *v = glfs_new(VOLNAME);

    /* a port nobody listens on: bound, then closed */
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    close(s);
    assert_int_equal(glfs_set_volfile_server(v, "tcp", "127.0.0.1", ntohs(sa.sin_port)), 0);
    assert_fails_with(glfs_init(v), ENOTCONN);
    assert_non_null(strstr(glfs_error(v), "cannot reach glusterd at 127.0.0.1:"));
    glfs_fini(v);
}

static void test_init_needs_a_server(void **state)
{
    glfs_t *v = glfs_new(VOLNAME);

    assert_fails_with(glfs_set_volfile_server(v, "rdma", "h", 1), EINVAL);
    assert_fails_with(glfs_set_volfile_server(v, "tcp", "h", 70000), EINVAL);
    assert_fails_with(glfs_init(v), EINVAL);
    assert_non_null(strstr(glfs_error(v), "glfs_set_volfile_server"));
    assert_fails_with(glfs_init(v), EALREADY);
    glfs_fini(v);
    assert_null_with(glfs_new(""), EINVAL);
}

static void test_fops_need_init(void **state)
{
    glfs_t *v = glfs_new(VOLNAME);
    struct stat st;

    assert_null_with(glfs_open(v, "/x", O_RDONLY), ENOTCONN);
    assert_fails_with(glfs_stat(v, "/", &st), ENOTCONN);
    glfs_fini(v);
}

static void test_local_volfile(void **state)
{
    char path[PATH_MAX];
    struct stat st;
    glfs_t *v = glfs_new("whatever");
    FILE *f;

    snprintf(path, sizeof(path), "%s/vol.vol", xl_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(volfile, f);
    fclose(f);
    put("/seen", "x", 1);
    assert_int_equal(glfs_set_volfile(v, path), 0);
    assert_int_equal(glfs_init(v), 0);
    assert_int_equal(glfs_stat(v, "/seen", &st), 0);
    assert_int_equal(st.st_size, 1);
    glfs_fini(v);
}

/* ---- files --------------------------------------------------------------------------- */

static void test_root(void **state)
{
    unsigned char gfid[16];
    struct stat st;

    assert_int_equal(glfs_stat_gfid(fs, "/", &st, gfid), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_memory_equal(gfid, root_gfid, 16);
    assert_int_equal(glfs_stat_gfid(fs, "/..//.", &st, gfid), 0);
    assert_memory_equal(gfid, root_gfid, 16);
}

static void test_large_write_read_in_chunks(void **state)
{
    size_t len = 3 * GLFS_IO_CHUNK + 7;
    char *data = malloc(len), *back = malloc(len + 10), *disk = malloc(len + 10);
    glfs_fd_t *fd;
    struct stat st;

    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 131 + i / 977);
    put("/big", data, len);
    assert_int_equal(brick_read("/big", disk, len + 10), len);
    assert_memory_equal(disk, data, len);
    fd = glfs_open(fs, "/big", O_RDONLY);
    assert_non_null(fd);
    assert_int_equal(glfs_pread(fd, back, len + 10, 0), (ssize_t)len);
    assert_memory_equal(back, data, len);
    assert_int_equal(glfs_pread(fd, back, 100, (off_t)len - 10), 10);
    assert_int_equal(glfs_pread(fd, back, 100, (off_t)len + 1000), 0);
    assert_int_equal(glfs_fstat(fd, &st), 0);
    assert_int_equal(st.st_size, len);
    assert_int_equal(glfs_close(fd), 0);
    free(data);
    free(back);
    free(disk);
}

static void test_read_write_advance_the_offset(void **state)
{
    glfs_fd_t *fd = glfs_creat(fs, "/seq", O_RDWR, 0600);
    char buf[8] = "";
    struct stat st;

    assert_non_null(fd);
    assert_int_equal(glfs_write(fd, "abc", 3), 3);
    assert_int_equal(glfs_write(fd, "def", 3), 3);
    assert_int_equal(glfs_close(fd), 0);
    fd = glfs_open(fs, "/seq", O_RDONLY);
    assert_non_null(fd);
    assert_int_equal(glfs_read(fd, buf, 4), 4);
    assert_memory_equal(buf, "abcd", 4);
    assert_int_equal(glfs_read(fd, buf, 4), 2);
    assert_memory_equal(buf, "ef", 2);
    assert_int_equal(glfs_read(fd, buf, 4), 0);
    assert_int_equal(glfs_close(fd), 0);
    assert_int_equal(glfs_stat(fs, "/seq", &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_true(S_ISREG(st.st_mode));
}

static void test_creat_and_open_semantics(void **state)
{
    char buf[16];
    struct stat st;

    put("/f", "0123456789", 10);
    assert_null_with(glfs_creat(fs, "/f", O_WRONLY | O_EXCL, 0644), EEXIST);
    assert_null_with(glfs_open(fs, "/f", O_RDWR | O_CREAT), EINVAL);
    assert_null_with(glfs_open(fs, "/missing", O_RDONLY), ENOENT);
    assert_null_with(glfs_open(fs, "/", O_WRONLY), EISDIR);
    put("/f", "xy", 2); /* O_TRUNC on an existing file */
    assert_int_equal(glfs_stat(fs, "/f", &st), 0);
    assert_int_equal(st.st_size, 2);
    assert_int_equal(brick_read("/f", buf, sizeof(buf)), 2);
}

static void test_new_objects_get_the_requested_gfid(void **state)
{
    unsigned char gfid[16], disk[16];
    char path[PATH_MAX];
    struct stat st;

    put("/g", "", 0);
    assert_int_equal(glfs_mkdir(fs, "/gd", 0755), 0);
    assert_int_equal(glfs_stat_gfid(fs, "/g", &st, gfid), 0);
    snprintf(path, sizeof(path), "%s/g", brick);
    assert_int_equal(getxattr(path, "trusted.gfid", disk, 16), 16);
    assert_memory_equal(gfid, disk, 16);
    assert_int_equal(glfs_stat_gfid(fs, "/gd", &st, gfid), 0);
    snprintf(path, sizeof(path), "%s/gd", brick);
    assert_int_equal(getxattr(path, "trusted.gfid", disk, 16), 16);
    assert_memory_equal(gfid, disk, 16);
    assert_memory_not_equal(gfid, root_gfid, 16);
}

/* ---- names --------------------------------------------------------------------------- */

static void test_mkdir_and_path_errors(void **state)
{
    struct stat st;

    assert_int_equal(glfs_mkdir(fs, "/a", 0750), 0);
    assert_int_equal(glfs_mkdir(fs, "/a/b", 0755), 0);
    put("/a/b/f", "z", 1);
    assert_fails_with(glfs_mkdir(fs, "/a", 0755), EEXIST);
    assert_fails_with(glfs_mkdir(fs, "/", 0755), EEXIST);
    assert_fails_with(glfs_mkdir(fs, "/x/y", 0755), ENOENT);
    assert_fails_with(glfs_stat(fs, "/a/b/f/g", &st), ENOTDIR);
    assert_int_equal(glfs_stat(fs, "/a/./b/../b//f", &st), 0);
    assert_int_equal(st.st_size, 1);
    assert_int_equal(glfs_stat(fs, "/a", &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
    assert_true(S_ISDIR(st.st_mode));
}

static void test_unlink_and_rmdir(void **state)
{
    char path[PATH_MAX];
    struct stat st;

    assert_int_equal(glfs_mkdir(fs, "/d", 0755), 0);
    put("/d/f", "1", 1);
    assert_fails_with(glfs_rmdir(fs, "/d"), ENOTEMPTY);
    assert_fails_with(glfs_unlink(fs, "/d"), EISDIR);
    assert_fails_with(glfs_rmdir(fs, "/d/f"), ENOTDIR);
    assert_fails_with(glfs_rmdir(fs, "/"), EBUSY);
    assert_fails_with(glfs_unlink(fs, "/d/nothing"), ENOENT);
    assert_int_equal(glfs_unlink(fs, "/d/f"), 0);
    assert_fails_with(glfs_stat(fs, "/d/f", &st), ENOENT);
    snprintf(path, sizeof(path), "%s/d/f", brick);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(glfs_rmdir(fs, "/d"), 0);
    assert_fails_with(glfs_stat(fs, "/d", &st), ENOENT);
}

static void test_readdir_across_batches(void **state)
{
    /* more entries than one READDIRP reply of GLFS_IO_CHUNK bytes holds (posix
     * counts about 200 bytes per entry besides its name) */
    enum { N = 400 };
    static bool seen[N];
    char path[300];
    struct dirent *de;
    glfs_fd_t *fd;
    int dots = 0, found = 0, n;

    assert_int_equal(glfs_mkdir(fs, "/many", 0755), 0);
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "/many/%0200d", i);
        put(path, "", 0);
    }
    fd = glfs_opendir(fs, "/many");
    assert_non_null(fd);
    errno = 0;
    for (int i = 0; (de = glfs_readdir(fd)) != NULL; i++) {
        if (i == 0)
            assert_true(fd->n_ents < N); /* the first batch is not all of it */
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
            dots++;
            continue;
        }
        assert_int_equal(strlen(de->d_name), 200);
        assert_int_equal(sscanf(de->d_name, "%d", &n), 1);
        assert_true(n >= 0 && n < N && !seen[n]);
        assert_int_equal(de->d_type, DT_REG);
        seen[n] = true;
        found++;
    }
    assert_int_equal(errno, 0);
    assert_int_equal(found, N);
    assert_int_equal(dots, 2);
    assert_null(glfs_readdir(fd)); /* stays at the end */
    assert_int_equal(glfs_closedir(fd), 0);
    assert_int_equal(fs->api->mem_acct.blocks, 0); /* batches are freed */
}

static void test_fd_kinds(void **state)
{
    glfs_fd_t *dir = glfs_opendir(fs, "/"), *file;
    char buf[4];

    put("/k", "k", 1);
    file = glfs_open(fs, "/k", O_RDONLY);
    assert_non_null(dir);
    assert_non_null(file);
    assert_null_with(glfs_readdir(file), EBADF);
    assert_fails_with(glfs_pread(dir, buf, 1, 0), EBADF);
    assert_null_with(glfs_opendir(fs, "/k"), ENOTDIR);
    glfs_closedir(dir);
    /* file is left open: glfs_fini closes it */
}

/* Another client replaces a directory this one has cached: the walk through the
 * stale cached inode fails and is redone from the root. */
static void test_stale_cache_is_resolved_again(void **state)
{
    unsigned char before[16], after[16];
    glfs_t *other = volume_open();
    glfs_fd_t *fd;
    struct stat st;

    assert_int_equal(glfs_mkdir(fs, "/s", 0755), 0);
    put("/s/f", "old", 3);
    assert_int_equal(glfs_stat_gfid(fs, "/s", &st, before), 0);

    assert_int_equal(glfs_unlink(other, "/s/f"), 0);
    assert_int_equal(glfs_rmdir(other, "/s"), 0);
    assert_int_equal(glfs_mkdir(other, "/s", 0755), 0);
    fd = glfs_creat(other, "/s/f", O_WRONLY, 0644);
    assert_non_null(fd);
    assert_int_equal(glfs_write(fd, "newer", 5), 5);
    assert_int_equal(glfs_close(fd), 0);
    glfs_fini(other);

    put("/s/g", "g", 1); /* a create below the stale directory */
    assert_int_equal(glfs_mkdir(fs, "/s/sub", 0755), 0);
    assert_int_equal(glfs_stat(fs, "/s/f", &st), 0);
    assert_int_equal(st.st_size, 5);
    assert_int_equal(glfs_stat_gfid(fs, "/s", &st, after), 0);
    assert_memory_not_equal(before, after, 16);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, case_setup, case_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(test_init_unknown_volume),
        CASE(test_init_unreachable),
        CASE(test_init_needs_a_server),
        CASE(test_fops_need_init),
        CASE(test_local_volfile),
        CASE(test_root),
        CASE(test_large_write_read_in_chunks),
        CASE(test_read_write_advance_the_offset),
        CASE(test_creat_and_open_semantics),
        CASE(test_new_objects_get_the_requested_gfid),
        CASE(test_mkdir_and_path_errors),
        CASE(test_unlink_and_rmdir),
        CASE(test_readdir_across_batches),
        CASE(test_fd_kinds),
        CASE(test_stale_cache_is_resolved_again),
    };

    if (geteuid() != 0) {
        fprintf(stderr, "test-api: skipped, trusted.* xattrs need root\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
