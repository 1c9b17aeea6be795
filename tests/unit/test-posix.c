/*
 * Unit tests of storage/posix and debug/io-stats, loaded for real: each case
 * builds a brick graph (posix over a fresh mkdtemp directory, io-stats on top)
 * from a volfile with the graph loader, calls fops through the top, and checks
 * the replies and the on-disk format: trusted.gfid xattrs equal to the client's
 * gfid-req, the .glusterfs handles (hard links for files, symlinks for
 * directories), the brick's volume id.
 *
 * The modules are found under TEST_XLATOR_DIR (the build's xlators/ directory)
 * as CATEGORY/NAME.so or CATEGORY/.libs/NAME.so; the tests load them through a
 * private directory of symlinks laid out as the loader expects. trusted.*
 * xattrs need root: without it the program reports itself skipped (exit 77).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "xl-testdir.h"

#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/graph.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/volfile.h"
#include "glusterfs/xlator.h"

#define VOLUME_ID       "5f1c2e7a-0c9d-4d55-9a43-1b2c3d4e5f60"
#define OTHER_VOLUME_ID "0a0b0c0d-1111-4222-8333-944455566677"
#define MAX_ENTRIES     64
#define MAX_PAIRS       8

static const uuid_t root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static char xl_dir[] = "/tmp/test-posix-xl-XXXXXX";
static char log_path[PATH_MAX];

/* One case's brick and graph. */
static char brick[64];
static gf_graph_t *graph;
static gf_inode_table_t *itable;
static uint64_t posix_blocks; /* posix's allocations right after init */

/* One pair of a reply dict, copied. */
typedef struct {
    char key[128];
    unsigned char value[64];
    size_t len;
} pair_t;

/* What a fop replied, copied out of the reply in the callback. */
typedef struct {
    bool done;
    int32_t op_ret, op_errno;
    gf_iatt_t stat, prestat, poststat, preparent, postparent, preparent2, postparent2;
    char data[256];
    size_t n_entries;
    char names[MAX_ENTRIES][NAME_MAX + 1];
    uuid_t gfids[MAX_ENTRIES];
    uint64_t offs[MAX_ENTRIES];
    size_t entry_pairs[MAX_ENTRIES]; /* pairs in each readdirp entry's dict */
    char xattr_value[64];
    char linkname[PATH_MAX];
    int64_t offset;
    pair_t xattr[MAX_PAIRS]; /* rsp->xattr */
    size_t n_xattr;
    pair_t xdata[MAX_PAIRS]; /* rsp->xdata */
    size_t n_xdata;
} result_t;

static int group_setup(void **state)
{
    static const char *const modules[] = {"storage/posix", "debug/io-stats", NULL};

    xlt_dir_make(xl_dir, modules, "test-posix");
    snprintf(log_path, sizeof(log_path), "%s/test.log", xl_dir);
    return 0;
}

static int group_teardown(void **state)
{
    return xlt_dir_remove(xl_dir);
}

/* Builds and initializes the brick graph over dir with volume_id; returns what
 * gf_graph_init returned (graph is NULL unless it succeeded). */
static int start_brick(const char *dir, const char *volume_id)
{
    char text[1024], err[512] = "";
    gf_volfile_t *vf = NULL;
    gf_graph_t *g = NULL;
    int ret;

    snprintf(text, sizeof(text),
             "volume test-posix\n  type storage/posix\n  option directory %s\n"
             "  option volume-id %s\nend-volume\n"
             "volume %s\n  type debug/io-stats\n  subvolumes test-posix\nend-volume\n",
             dir, volume_id, dir);
    assert_int_equal(gf_volfile_parse(text, strlen(text), &vf, err, sizeof(err)), 0);
    ret = gf_graph_construct(vf, xl_dir, dir, &g, err, sizeof(err));
    gf_volfile_free(vf);
    if (ret)
        fail_msg("construct: %s", err);
    ret = gf_graph_init(g, err, sizeof(err));
    if (ret) {
        gf_graph_fini(g);
        return ret;
    }
    graph = g;
    return 0;
}

static gf_xlator_t *posix_xl(void)
{
    return gf_graph_find(graph, "test-posix");
}

static int case_setup(void **state)
{
    char dir[] = "/tmp/test-posix-brick-XXXXXX";

    assert_non_null(mkdtemp(dir));
    snprintf(brick, sizeof(brick), "%s", dir);
    assert_int_equal(start_brick(brick, VOLUME_ID), 0);
    itable = gf_inode_table_new(0, NULL);
    assert_non_null(itable);
    posix_blocks = posix_xl()->mem_acct.blocks;
    return 0;
}

static int case_teardown(void **state)
{
    uint64_t blocks = graph ? posix_xl()->mem_acct.blocks : posix_blocks;
    char cmd[PATH_MAX + 16];

    gf_graph_fini(graph);
    graph = NULL;
    gf_inode_table_destroy(itable);
    itable = NULL;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", brick);
    assert_int_equal(system(cmd), 0);
    /* every fd was released: posix held only what it held after init */
    assert_int_equal(blocks, posix_blocks);
    return 0;
}

typedef struct {
    pair_t *v;
    size_t *n;
} pairs_t;

/* gf_dict_foreach callback: copies one pair (bytes or number) into a pairs_t. */
static int copy_pair(gf_dict_t *d, const char *key, const gf_data_t *value, void *arg)
{
    pairs_t *p = arg;
    pair_t *out;

    if (*p->n >= MAX_PAIRS)
        return 0;
    out = &p->v[(*p->n)++];
    snprintf(out->key, sizeof(out->key), "%s", key);
    if (value->type == GF_DATA_TYPE_INT || value->type == GF_DATA_TYPE_UINT ||
        value->type == GF_DATA_TYPE_DOUBLE) {
        out->len = sizeof(value->v.u64);
        memcpy(out->value, &value->v.u64, out->len);
    } else {
        out->len = value->len < sizeof(out->value) ? value->len : sizeof(out->value);
        memcpy(out->value, value->v.bytes, out->len);
    }
    return 0;
}

static void copy_pairs(gf_dict_t *d, pair_t *v, size_t *n)
{
    pairs_t p = {v, n};

    *n = 0;
    if (d)
        gf_dict_foreach(d, copy_pair, &p);
}

/* The pair of key among v[n], or NULL. */
static const pair_t *find_pair(const pair_t *v, size_t n, const char *key)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strcmp(v[i].key, key))
            return &v[i];
    return NULL;
}

/* Copies what the tests look at out of a reply. */
static int capture_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    result_t *res = cookie;
    const void *value;
    size_t i, len;

    copy_pairs(rsp->xattr, res->xattr, &res->n_xattr);
    copy_pairs(rsp->xdata, res->xdata, &res->n_xdata);
    if (rsp->linkname)
        snprintf(res->linkname, sizeof(res->linkname), "%s", rsp->linkname);
    res->offset = rsp->offset;

    res->done = true;
    res->op_ret = rsp->op_ret;
    res->op_errno = rsp->op_errno;
    res->stat = rsp->stat;
    res->prestat = rsp->prestat;
    res->poststat = rsp->poststat;
    res->preparent = rsp->preparent;
    res->postparent = rsp->postparent;
    res->preparent2 = rsp->preparent2;
    res->postparent2 = rsp->postparent2;
    if (rsp->count == 1 && rsp->vector[0].iov_len < sizeof(res->data))
        memcpy(res->data, rsp->vector[0].iov_base, rsp->vector[0].iov_len);
    res->n_entries = rsp->n_entries;
    for (i = 0; i < rsp->n_entries && i < MAX_ENTRIES; i++) {
        snprintf(res->names[i], sizeof(res->names[i]), "%s", rsp->entries[i].d_name);
        uuid_copy(res->gfids[i], rsp->entries[i].d_stat.ia_gfid);
        res->offs[i] = rsp->entries[i].d_off;
        res->entry_pairs[i] = gf_dict_count(rsp->entries[i].dict);
    }
    if (rsp->xattr && gf_dict_get_bin(rsp->xattr, "user.color", &value, &len) == 0 &&
        len < sizeof(res->xattr_value))
        memcpy(res->xattr_value, value, len);
    return 0;
}

/* Winds op with args through the top of the graph as caller uid:gid. */
static void call_as(uint32_t uid, uint32_t gid, gf_fop_t op, gf_args_t *args, result_t *res)
{
    gf_frame_t *root = gf_frame_root_new(NULL);

    assert_non_null(root);
    root->root->uid = uid;
    root->root->gid = gid;
    memset(res, 0, sizeof(*res));
    gf_wind(root, gf_graph_top(graph), op, args, capture_cbk, res);
    assert_true(res->done); /* posix unwinds before returning */
    gf_frame_root_destroy(root);
}

static void call(gf_fop_t op, gf_args_t *args, result_t *res)
{
    call_as(0, 0, op, args, res);
}

/* Args naming name in the directory pargfid. */
static gf_args_t entry_args(const uuid_t pargfid, const char *name)
{
    gf_args_t args = {0};

    uuid_copy(args.loc.pargfid, pargfid);
    args.loc.name = name;
    return args;
}

/* An xdata dict carrying gfid-req. */
static gf_dict_t *gfid_req(const uuid_t gfid)
{
    gf_dict_t *xdata = gf_dict_new();

    assert_non_null(xdata);
    assert_int_equal(gf_dict_set_gfuuid(xdata, "gfid-req", gfid), 0);
    return xdata;
}

/* Creates name in pargfid with the given gfid-req (NULL: none), opened O_RDWR;
 * returns the open fd (one reference) and fills res. */
static gf_fd_t *create_file(const uuid_t pargfid, const char *name, const uuid_t gfid,
                            result_t *res)
{
    gf_args_t args = entry_args(pargfid, name);
    gf_inode_t *inode = gf_inode_new(itable);
    gf_fd_t *fd = gf_fd_create(inode, O_RDWR, 0);

    assert_non_null(fd);
    args.loc.inode = inode;
    args.fd = fd;
    args.flags = O_RDWR;
    args.mode = 0644;
    args.xdata = gfid ? gfid_req(gfid) : NULL;
    call(GF_FOP_CREATE, &args, res);
    gf_dict_unref(args.xdata);
    gf_inode_unref(inode);
    return fd;
}

static void make_dir(const uuid_t pargfid, const char *name, const uuid_t gfid, result_t *res)
{
    gf_args_t args = entry_args(pargfid, name);

    args.mode = 0755;
    args.xdata = gfid_req(gfid);
    call(GF_FOP_MKDIR, &args, res);
    gf_dict_unref(args.xdata);
}

/* The path of gfid's handle under the brick. */
static void handle_of(const uuid_t gfid, char *buf, size_t len)
{
    char text[37];

    uuid_unparse_lower(gfid, text);
    snprintf(buf, len, "%s/.glusterfs/%02x/%02x/%s", brick, gfid[0], gfid[1], text);
}

/* Asserts that path carries trusted.gfid equal to gfid. */
static void assert_gfid_xattr(const char *path, const uuid_t gfid)
{
    uuid_t found;

    assert_int_equal(lgetxattr(path, "trusted.gfid", found, sizeof(found)), 16);
    assert_memory_equal(found, gfid, 16);
}

/* Number of descriptors the process holds. */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void test_init_marks_brick(void **state)
{
    char path[PATH_MAX], link[PATH_MAX];
    uuid_t volid, want;
    ssize_t n;

    assert_gfid_xattr(brick, root_gfid);
    assert_int_equal(lgetxattr(brick, "trusted.glusterfs.volume-id", volid, 16), 16);
    uuid_parse(VOLUME_ID, want);
    assert_memory_equal(volid, want, 16);
    handle_of(root_gfid, path, sizeof(path));
    n = readlink(path, link, sizeof(link) - 1);
    assert_int_equal(n, 8);
    link[n] = '\0';
    assert_string_equal(link, "../../..");
}

static void test_idle_brick_holds_no_fd(void **state)
{
    int before;

    gf_graph_fini(graph);
    graph = NULL;
    before = count_fds();
    assert_int_equal(start_brick(brick, VOLUME_ID), 0); /* second start: same volume */
    posix_blocks = posix_xl()->mem_acct.blocks;
    assert_int_equal(count_fds(), before);
}

static void test_other_volume_refused(void **state)
{
    gf_graph_t *kept = graph;
    char *log = NULL;
    size_t len = 0;
    FILE *f;

    graph = NULL;
    assert_int_equal(truncate(log_path, 0), 0);
    assert_int_not_equal(start_brick(brick, OTHER_VOLUME_ID), 0);
    assert_null(graph);
    graph = kept;
    f = fopen(log_path, "r");
    assert_non_null(f);
    assert_true(getdelim(&log, &len, '\0', f) > 0);
    fclose(f);
    assert_non_null(strstr(log, "belongs to another volume"));
    assert_non_null(strstr(log, VOLUME_ID));       /* the id found */
    assert_non_null(strstr(log, OTHER_VOLUME_ID)); /* the id expected */
    free(log);
}

static void test_create_sets_gfid_and_handle(void **state)
{
    char path[PATH_MAX], handle[PATH_MAX];
    struct stat st, hst;
    result_t res;
    gf_fd_t *fd;
    uuid_t gfid;

    uuid_generate(gfid);
    fd = create_file(root_gfid, "f1", gfid, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, gfid, 16);
    assert_true(GF_IA_ISREG(&res.stat));
    assert_memory_equal(res.postparent.ia_gfid, root_gfid, 16);
    snprintf(path, sizeof(path), "%s/f1", brick);
    assert_gfid_xattr(path, gfid);
    handle_of(gfid, handle, sizeof(handle));
    assert_int_equal(lstat(path, &st), 0);
    assert_int_equal(lstat(handle, &hst), 0);
    assert_int_equal(st.st_ino, hst.st_ino); /* a hard link */
    assert_int_equal(st.st_nlink, 2);
    assert_int_equal(res.stat.ia_nlink, 1); /* the handle is not a name */
    assert_int_equal(st.st_mode & 07777, 0644);
    gf_fd_unref(fd);
}

static void test_create_without_gfid_req(void **state)
{
    char handle[PATH_MAX];
    result_t res;
    gf_fd_t *fd;

    fd = create_file(root_gfid, "anon", NULL, &res);
    assert_int_equal(res.op_ret, 0);
    assert_false(uuid_is_null(res.stat.ia_gfid));
    handle_of(res.stat.ia_gfid, handle, sizeof(handle));
    assert_int_equal(access(handle, F_OK), 0);
    gf_fd_unref(fd);
}

static void test_create_owner_and_mode(void **state)
{
    gf_args_t args = entry_args(root_gfid, "mine");
    gf_inode_t *inode = gf_inode_new(itable);
    char path[PATH_MAX];
    struct stat st;
    result_t res;

    args.fd = gf_fd_create(inode, O_WRONLY, 0);
    args.flags = O_WRONLY;
    args.mode = 0666;
    args.umask = 022;
    call_as(1000, 1001, GF_FOP_CREATE, &args, &res);
    assert_int_equal(res.op_ret, 0);
    snprintf(path, sizeof(path), "%s/mine", brick);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1001);
    assert_int_equal(st.st_mode & 07777, 0644);
    gf_fd_unref(args.fd);
    gf_inode_unref(inode);
}

static void test_mkdir_in_setgid_dir(void **state)
{
    gf_args_t args;
    char path[PATH_MAX];
    struct stat st;
    result_t res;
    uuid_t sg, sub;

    uuid_generate(sg);
    uuid_generate(sub);
    make_dir(root_gfid, "sg", sg, &res);
    snprintf(path, sizeof(path), "%s/sg", brick);
    assert_int_equal(chown(path, 0, 1234), 0);
    assert_int_equal(chmod(path, 02775), 0);
    args = entry_args(sg, "sub");
    args.mode = 0750;
    args.xdata = gfid_req(sub);
    call_as(1000, 1000, GF_FOP_MKDIR, &args, &res);
    gf_dict_unref(args.xdata);
    assert_int_equal(res.op_ret, 0);
    snprintf(path, sizeof(path), "%s/sg/sub", brick);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 1000);
    assert_int_equal(st.st_gid, 1234); /* the parent's group, as mkdir(2) gives */
    assert_int_equal(st.st_mode & 07777, 02750);
}

/* Writes text at offset through fd; asserts all of it was written. */
static void write_text(gf_fd_t *fd, const char *text, int64_t offset)
{
    struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
    gf_args_t args = {.fd = fd, .vector = &iov, .count = 1, .offset = offset};
    result_t res;

    call(GF_FOP_WRITE, &args, &res);
    assert_int_equal(res.op_ret, (int32_t)strlen(text));
    assert_int_equal(res.poststat.ia_size, offset + strlen(text));
}

/* Reads up to size bytes at offset through fd into res. */
static void read_at(gf_fd_t *fd, int64_t offset, uint64_t size, result_t *res)
{
    gf_args_t args = {.fd = fd, .offset = offset, .size = size};

    call(GF_FOP_READ, &args, res);
}

static void test_write_then_read(void **state)
{
    result_t res;
    gf_fd_t *fd;
    uuid_t gfid;

    uuid_generate(gfid);
    fd = create_file(root_gfid, "data", gfid, &res);
    write_text(fd, "hello world", 0);
    read_at(fd, 0, 100, &res);
    assert_int_equal(res.op_ret, 11); /* short read at end of file */
    assert_memory_equal(res.data, "hello world", 11);
    read_at(fd, 6, 3, &res);
    assert_int_equal(res.op_ret, 3);
    assert_memory_equal(res.data, "wor", 3);
    read_at(fd, 11, 10, &res);
    assert_int_equal(res.op_ret, 0);
    gf_fd_unref(fd);
}

static void test_open_by_gfid_and_release(void **state)
{
    gf_args_t args = {0};
    gf_inode_t *inode;
    result_t res;
    gf_fd_t *fd;
    int before;
    uuid_t gfid;

    uuid_generate(gfid);
    gf_fd_unref(create_file(root_gfid, "g", gfid, &res));
    before = count_fds();
    inode = gf_inode_new(itable);
    uuid_copy(args.loc.gfid, gfid);
    args.fd = fd = gf_fd_create(inode, O_RDONLY, 0);
    args.flags = O_RDONLY;
    call(GF_FOP_OPEN, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(count_fds(), before + 1);
    gf_fd_unref(fd); /* last reference: posix closes its descriptor */
    gf_inode_unref(inode);
    assert_int_equal(count_fds(), before);
}

static void test_mkdir_handle_is_symlink(void **state)
{
    char handle[PATH_MAX], link[PATH_MAX], want[PATH_MAX], text[37];
    result_t res;
    uuid_t d;
    ssize_t n;

    uuid_generate(d);
    make_dir(root_gfid, "dir", d, &res);
    assert_int_equal(res.op_ret, 0);
    assert_true(GF_IA_ISDIR(&res.stat));
    assert_memory_equal(res.stat.ia_gfid, d, 16);
    assert_int_equal(res.stat.ia_mode & 07777, 0755);
    snprintf(want, sizeof(want), "%s/dir", brick);
    assert_gfid_xattr(want, d);
    handle_of(d, handle, sizeof(handle));
    n = readlink(handle, link, sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = '\0';
    uuid_unparse_lower(root_gfid, text);
    snprintf(want, sizeof(want), "../../00/00/%s/dir", text);
    assert_string_equal(link, want);
}

static void test_nested_entries_resolve(void **state)
{
    char path[PATH_MAX];
    gf_args_t args = {0};
    result_t res;
    uuid_t d, e, f;

    uuid_generate(d);
    uuid_generate(e);
    uuid_generate(f);
    make_dir(root_gfid, "d", d, &res);
    make_dir(d, "e", e, &res);
    assert_int_equal(res.op_ret, 0);
    gf_fd_unref(create_file(e, "f", f, &res));
    assert_int_equal(res.op_ret, 0);
    snprintf(path, sizeof(path), "%s/d/e/f", brick);
    assert_gfid_xattr(path, f);
    uuid_copy(args.loc.gfid, e); /* nameless lookup of a directory */
    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_true(GF_IA_ISDIR(&res.stat));
    uuid_copy(args.loc.gfid, f);
    call(GF_FOP_STAT, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, f, 16);
}

static void test_deep_tree_resolves(void **state)
{
    gf_args_t args = {0};
    uuid_t parent, child;
    result_t res;
    int i;

    uuid_copy(parent, root_gfid);
    for (i = 0; i < 60; i++) { /* deeper than the kernel follows symlinks */
        uuid_generate(child);
        make_dir(parent, "x", child, &res);
        assert_int_equal(res.op_ret, 0);
        uuid_copy(parent, child);
    }
    gf_fd_unref(create_file(parent, "leaf", NULL, &res));
    assert_int_equal(res.op_ret, 0);
    uuid_copy(args.loc.gfid, res.stat.ia_gfid);
    call(GF_FOP_STAT, &args, &res);
    assert_int_equal(res.op_ret, 0);
}

static void test_lookup_by_name(void **state)
{
    gf_args_t args = entry_args(root_gfid, "f");
    result_t res;
    uuid_t gfid;

    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(res.op_errno, ENOENT);
    uuid_generate(gfid);
    gf_fd_unref(create_file(root_gfid, "f", gfid, &res));
    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, gfid, 16);
    assert_memory_equal(res.postparent.ia_gfid, root_gfid, 16);
    args = entry_args(root_gfid, ".glusterfs");
    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_errno, EPERM);
}

static void test_lookup_heals_missing_gfid(void **state)
{
    gf_args_t args = entry_args(root_gfid, "raw");
    char path[PATH_MAX], handle[PATH_MAX];
    result_t res;
    uuid_t gfid;
    int fd;

    snprintf(path, sizeof(path), "%s/raw", brick);
    fd = open(path, O_CREAT | O_WRONLY, 0644); /* made behind posix's back */
    assert_true(fd >= 0);
    close(fd);
    uuid_generate(gfid);
    args.xdata = gfid_req(gfid);
    call(GF_FOP_LOOKUP, &args, &res);
    gf_dict_unref(args.xdata);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, gfid, 16);
    assert_gfid_xattr(path, gfid);
    handle_of(gfid, handle, sizeof(handle));
    assert_int_equal(access(handle, F_OK), 0);
}

/* Opens the root directory. */
static gf_fd_t *open_root(gf_inode_t **inode)
{
    gf_args_t args = {0};
    result_t res;

    *inode = gf_inode_new(itable);
    uuid_copy(args.loc.gfid, root_gfid);
    args.fd = gf_fd_create(*inode, O_RDONLY, 0);
    call(GF_FOP_OPENDIR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    return args.fd;
}

/* Position of name among res's entries, or -1. */
static int find_entry(const result_t *res, const char *name)
{
    size_t i;

    for (i = 0; i < res->n_entries; i++)
        if (!strcmp(res->names[i], name))
            return (int)i;
    return -1;
}

static void test_readdirp_lists_with_gfids(void **state)
{
    gf_args_t args = {.size = 64 << 10};
    gf_inode_t *inode;
    uuid_t a, b, d;
    result_t res;
    int i;

    uuid_generate(a);
    uuid_generate(b);
    uuid_generate(d);
    gf_fd_unref(create_file(root_gfid, "a", a, &res));
    gf_fd_unref(create_file(root_gfid, "b", b, &res));
    make_dir(root_gfid, "d", d, &res);
    args.fd = open_root(&inode);
    call(GF_FOP_READDIRP, &args, &res);
    assert_int_equal(res.op_ret, 5); /* . .. a b d */
    assert_int_equal(find_entry(&res, ".glusterfs"), -1);
    i = find_entry(&res, "a");
    assert_true(i >= 0);
    assert_memory_equal(res.gfids[i], a, 16);
    i = find_entry(&res, "d");
    assert_true(i >= 0);
    assert_memory_equal(res.gfids[i], d, 16);
    i = find_entry(&res, ".."); /* the brick root's parent is shown as the root */
    assert_true(i >= 0);
    assert_memory_equal(res.gfids[i], root_gfid, 16);
    args.offset = (int64_t)res.offs[res.n_entries - 1];
    call(GF_FOP_READDIRP, &args, &res);
    assert_int_equal(res.op_ret, 0); /* the end */
    gf_fd_unref(args.fd);
    gf_inode_unref(inode);
}

static void test_readdir_pages_by_offset(void **state)
{
    gf_args_t args = {.size = 1}; /* room for one entry per reply */
    char seen[8][NAME_MAX + 1];
    gf_inode_t *inode;
    int n = 0, i;
    result_t res;

    gf_fd_unref(create_file(root_gfid, "p", NULL, &res));
    gf_fd_unref(create_file(root_gfid, "q", NULL, &res));
    args.fd = open_root(&inode);
    for (;;) {
        call(GF_FOP_READDIR, &args, &res);
        assert_true(res.op_ret >= 0);
        if (res.op_ret == 0)
            break;
        assert_int_equal(res.op_ret, 1);
        assert_true(n < 8);
        snprintf(seen[n++], sizeof(seen[0]), "%s", res.names[0]);
        args.offset = (int64_t)res.offs[0];
    }
    assert_int_equal(n, 4); /* . .. p q, each once */
    for (i = 0; i < n; i++)
        assert_string_not_equal(seen[i], ".glusterfs");
    gf_fd_unref(args.fd);
    gf_inode_unref(inode);
}

static void test_unlink_removes_handle(void **state)
{
    gf_args_t args = entry_args(root_gfid, "gone");
    char handle[PATH_MAX];
    result_t res;
    uuid_t gfid;

    uuid_generate(gfid);
    gf_fd_unref(create_file(root_gfid, "gone", gfid, &res));
    handle_of(gfid, handle, sizeof(handle));
    assert_int_equal(access(handle, F_OK), 0);
    call(GF_FOP_UNLINK, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.postparent.ia_gfid, root_gfid, 16);
    assert_int_equal(access(handle, F_OK), -1);
    call(GF_FOP_UNLINK, &args, &res);
    assert_int_equal(res.op_errno, ENOENT);
}

static void test_rmdir(void **state)
{
    gf_args_t args = entry_args(root_gfid, "dd");
    char handle[PATH_MAX];
    uuid_t d, f;
    result_t res;
    struct stat st;

    uuid_generate(d);
    uuid_generate(f);
    make_dir(root_gfid, "dd", d, &res);
    gf_fd_unref(create_file(d, "inside", f, &res));
    call(GF_FOP_RMDIR, &args, &res);
    assert_int_equal(res.op_errno, ENOTEMPTY);
    args = entry_args(d, "inside");
    call(GF_FOP_UNLINK, &args, &res);
    assert_int_equal(res.op_ret, 0);
    args = entry_args(root_gfid, "dd");
    call(GF_FOP_RMDIR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    handle_of(d, handle, sizeof(handle));
    assert_int_equal(lstat(handle, &st), -1);
}

static void test_entry_errors(void **state)
{
    gf_args_t args = entry_args(root_gfid, "dir");
    result_t res;
    uuid_t d;

    uuid_generate(d);
    make_dir(root_gfid, "dir", d, &res);
    make_dir(root_gfid, "dir", d, &res);
    assert_int_equal(res.op_errno, EEXIST);
    call(GF_FOP_UNLINK, &args, &res);
    assert_int_equal(res.op_errno, EISDIR);
    uuid_generate(d);
    args = entry_args(d, "x"); /* a parent that does not exist: a stale handle */
    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_errno, ESTALE);
    args = entry_args(root_gfid, "nothing");
    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_errno, ENOENT);
}

static void test_setattr_and_truncate(void **state)
{
    gf_args_t args = {0};
    result_t res;
    gf_fd_t *fd;
    uuid_t gfid;

    uuid_generate(gfid);
    fd = create_file(root_gfid, "t", gfid, &res);
    write_text(fd, "0123456789", 0);
    uuid_copy(args.loc.gfid, gfid);
    args.offset = 4;
    call(GF_FOP_TRUNCATE, &args, &res);
    assert_int_equal(res.prestat.ia_size, 10);
    assert_int_equal(res.poststat.ia_size, 4);
    args.stat.ia_mode = 0600;
    args.stat.ia_mtime = 1000000000;
    args.valid = GF_SET_ATTR_MODE | GF_SET_ATTR_MTIME;
    call(GF_FOP_SETATTR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.poststat.ia_mode & 07777, 0600);
    assert_int_equal(res.poststat.ia_mtime, 1000000000);
    gf_fd_unref(fd);
}

static void test_user_xattrs(void **state)
{
    gf_args_t args = {0};
    result_t res;
    uuid_t gfid;

    uuid_generate(gfid);
    gf_fd_unref(create_file(root_gfid, "x", gfid, &res));
    uuid_copy(args.loc.gfid, gfid);
    args.xattr = gf_dict_new();
    assert_int_equal(gf_dict_set_bin(args.xattr, "user.color", "blue", 4), 0);
    call(GF_FOP_SETXATTR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    args.name = "user.color";
    call(GF_FOP_GETXATTR, &args, &res);
    assert_int_equal(res.op_ret, 4);
    assert_string_equal(res.xattr_value, "blue");
    gf_dict_unref(args.xattr);
    args.xattr = gf_dict_new();
    assert_int_equal(gf_dict_set_bin(args.xattr, "trusted.gfid", gfid, 16), 0);
    call(GF_FOP_SETXATTR, &args, &res);
    assert_int_equal(res.op_errno, EPERM); /* posix's own */
    gf_dict_unref(args.xattr);
    call(GF_FOP_REMOVEXATTR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    call(GF_FOP_GETXATTR, &args, &res);
    assert_int_equal(res.op_errno, ENODATA);
}

static void test_io_stats_counts(void **state)
{
    char *log = NULL, line[128];
    size_t len = 0;
    result_t res;
    gf_fd_t *fd;
    FILE *f;

    assert_int_equal(truncate(log_path, 0), 0);
    fd = create_file(root_gfid, "counted", NULL, &res);
    write_text(fd, "12345", 0);
    write_text(fd, "678", 5);
    read_at(fd, 0, 100, &res);
    gf_fd_unref(fd);
    gf_graph_fini(graph); /* io-stats logs its counters */
    graph = NULL;
    f = fopen(log_path, "r");
    assert_non_null(f);
    assert_true(getdelim(&log, &len, '\0', f) > 0);
    fclose(f);
    assert_non_null(strstr(log, "writev: 2 calls, 0 errors"));
    assert_non_null(strstr(log, "readv: 1 calls, 0 errors"));
    snprintf(line, sizeof(line), "8 bytes read, 8 bytes written");
    assert_non_null(strstr(log, line));
    free(log);
}

/* ---- names: hard links, renames, symlinks, device nodes ------------------------------------- */

/* Args naming name in pargfid as the second loc (rename's or link's new name). */
static void set_loc2(gf_args_t *args, const uuid_t pargfid, const char *name)
{
    uuid_copy(args->loc2.pargfid, pargfid);
    args->loc2.name = name;
}

/* st_nlink of path under the brick. */
static nlink_t links_of(const char *rel)
{
    char path[PATH_MAX];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", brick, rel);
    assert_int_equal(lstat(path, &st), 0);
    return st.st_nlink;
}

static void test_hard_link(void **state)
{
    gf_args_t args = {0};
    char handle[PATH_MAX];
    uuid_t f, d;
    result_t res;

    uuid_generate(f);
    uuid_generate(d);
    gf_fd_unref(create_file(root_gfid, "orig", f, &res));
    make_dir(root_gfid, "d", d, &res);
    uuid_copy(args.loc.gfid, f);
    set_loc2(&args, d, "second");
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, f, 16);
    assert_int_equal(res.stat.ia_nlink, 2); /* two names; the handle is not counted */
    assert_memory_equal(res.postparent.ia_gfid, d, 16);
    assert_int_equal(links_of("d/second"), 3);
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_errno, EEXIST);

    args = entry_args(root_gfid, "orig");
    call(GF_FOP_UNLINK, &args, &res);
    assert_int_equal(res.op_ret, 0);
    handle_of(f, handle, sizeof(handle));
    assert_int_equal(access(handle, F_OK), 0); /* a name is left: so is the handle */
    args = (gf_args_t){0};
    uuid_copy(args.loc.gfid, f);
    call(GF_FOP_STAT, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.stat.ia_nlink, 1);
    args = entry_args(d, "second");
    call(GF_FOP_UNLINK, &args, &res);
    assert_int_equal(access(handle, F_OK), -1); /* the last name: the handle goes too */
}

static void test_link_errors(void **state)
{
    gf_args_t args = {0};
    uuid_t d, gone;
    result_t res;

    uuid_generate(d);
    uuid_generate(gone);
    make_dir(root_gfid, "dir", d, &res);
    uuid_copy(args.loc.gfid, d);
    set_loc2(&args, root_gfid, "dirlink");
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_errno, EPERM); /* no hard links to directories */
    uuid_copy(args.loc.gfid, gone);
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_errno, ENOENT);
}

static void test_rename_file_across_dirs(void **state)
{
    gf_args_t args = entry_args(root_gfid, "a");
    char path[PATH_MAX];
    uuid_t f, d;
    result_t res;

    uuid_generate(f);
    uuid_generate(d);
    gf_fd_unref(create_file(root_gfid, "a", f, &res));
    make_dir(root_gfid, "d", d, &res);
    set_loc2(&args, d, "b");
    call(GF_FOP_RENAME, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, f, 16);
    assert_memory_equal(res.postparent.ia_gfid, root_gfid, 16); /* old parent */
    assert_memory_equal(res.postparent2.ia_gfid, d, 16);        /* new parent */
    assert_int_equal(res.postparent2.ia_nlink, res.preparent2.ia_nlink);
    snprintf(path, sizeof(path), "%s/d/b", brick);
    assert_gfid_xattr(path, f);
    args = entry_args(root_gfid, "a");
    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_errno, ENOENT);
    args = (gf_args_t){0};
    uuid_copy(args.loc.gfid, f); /* the handle still finds it */
    call(GF_FOP_STAT, &args, &res);
    assert_int_equal(res.op_ret, 0);
}

static void test_rename_replaces_victim(void **state)
{
    gf_args_t args = entry_args(root_gfid, "new");
    char handle[PATH_MAX];
    uuid_t f, victim;
    result_t res;

    uuid_generate(f);
    uuid_generate(victim);
    gf_fd_unref(create_file(root_gfid, "new", f, &res));
    gf_fd_unref(create_file(root_gfid, "old", victim, &res));
    set_loc2(&args, root_gfid, "old");
    call(GF_FOP_RENAME, &args, &res);
    assert_int_equal(res.op_ret, 0);
    handle_of(victim, handle, sizeof(handle));
    assert_int_equal(access(handle, F_OK), -1); /* the victim lost its last name */
    handle_of(f, handle, sizeof(handle));
    assert_int_equal(access(handle, F_OK), 0);
    assert_int_equal(links_of("old"), 2);
}

static void test_rename_directory_moves_handle(void **state)
{
    char handle[PATH_MAX], link[PATH_MAX], want[PATH_MAX], text[37];
    gf_args_t args;
    uuid_t a, b, c, f;
    result_t res;
    ssize_t n;

    uuid_generate(a);
    uuid_generate(b);
    uuid_generate(c);
    uuid_generate(f);
    make_dir(root_gfid, "a", a, &res);
    make_dir(a, "b", b, &res);
    make_dir(root_gfid, "c", c, &res);
    gf_fd_unref(create_file(b, "inside", f, &res));
    args = entry_args(a, "b");
    set_loc2(&args, c, "b2");
    call(GF_FOP_RENAME, &args, &res);
    assert_int_equal(res.op_ret, 0);
    handle_of(b, handle, sizeof(handle));
    n = readlink(handle, link, sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = '\0';
    uuid_unparse_lower(c, text);
    snprintf(want, sizeof(want), "../../%02x/%02x/%s/b2", c[0], c[1], text);
    assert_string_equal(link, want);
    args = entry_args(b, "inside"); /* entries under the moved directory resolve */
    call(GF_FOP_LOOKUP, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, f, 16);
}

static void test_rename_errors(void **state)
{
    gf_args_t args = entry_args(root_gfid, "d1");
    uuid_t d1, d2, f;
    result_t res;

    uuid_generate(d1);
    uuid_generate(d2);
    uuid_generate(f);
    make_dir(root_gfid, "d1", d1, &res);
    make_dir(root_gfid, "d2", d2, &res);
    gf_fd_unref(create_file(d2, "x", f, &res));
    set_loc2(&args, root_gfid, "d2");
    call(GF_FOP_RENAME, &args, &res);
    assert_true(res.op_errno == ENOTEMPTY || res.op_errno == EEXIST);
    args = entry_args(d2, "x");
    set_loc2(&args, root_gfid, "d1");
    call(GF_FOP_RENAME, &args, &res);
    assert_int_equal(res.op_errno, EISDIR);
    args = entry_args(root_gfid, "missing");
    set_loc2(&args, root_gfid, "y");
    call(GF_FOP_RENAME, &args, &res);
    assert_int_equal(res.op_errno, ENOENT);
    args = entry_args(root_gfid, "d1");
    set_loc2(&args, d1, "inside-itself");
    call(GF_FOP_RENAME, &args, &res);
    assert_int_equal(res.op_errno, EINVAL);
}

static void test_symlink_and_readlink(void **state)
{
    gf_args_t args = entry_args(root_gfid, "sl");
    char path[PATH_MAX];
    result_t res;
    uuid_t s;

    uuid_generate(s);
    args.linkname = "../some/where";
    args.xdata = gfid_req(s);
    call_as(1000, 1000, GF_FOP_SYMLINK, &args, &res);
    gf_dict_unref(args.xdata);
    assert_int_equal(res.op_ret, 0);
    assert_true(S_ISLNK(res.stat.ia_mode));
    assert_int_equal(res.stat.ia_uid, 1000);
    snprintf(path, sizeof(path), "%s/sl", brick);
    assert_gfid_xattr(path, s); /* on the link itself */
    args = (gf_args_t){0};
    uuid_copy(args.loc.gfid, s);
    call(GF_FOP_READLINK, &args, &res);
    assert_int_equal(res.op_ret, (int32_t)strlen("../some/where"));
    assert_string_equal(res.linkname, "../some/where");
    assert_true(S_ISLNK(res.stat.ia_mode));
}

static void test_mknod_fifo_and_link_file(void **state)
{
    static const char target[] = "vol-client-1";
    gf_args_t args = entry_args(root_gfid, "fifo");
    char path[PATH_MAX], value[64];
    struct stat st;
    result_t res;
    uuid_t g;

    args.mode = S_IFIFO | 0640;
    call(GF_FOP_MKNOD, &args, &res);
    assert_int_equal(res.op_ret, 0);
    snprintf(path, sizeof(path), "%s/fifo", brick);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0640);

    /* distribute's link file: ---------T with its target in an xattr from xdata */
    uuid_generate(g);
    args = entry_args(root_gfid, "linkfile");
    args.mode = S_IFREG | S_ISVTX;
    args.xdata = gfid_req(g);
    assert_int_equal(
        gf_dict_set_bin(args.xdata, "trusted.glusterfs.dht.linkto", target, sizeof(target)), 0);
    call(GF_FOP_MKNOD, &args, &res);
    gf_dict_unref(args.xdata);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.stat.ia_mode & 07777, S_ISVTX);
    snprintf(path, sizeof(path), "%s/linkfile", brick);
    assert_int_equal(lgetxattr(path, "trusted.glusterfs.dht.linkto", value, sizeof(value)),
                     (ssize_t)sizeof(target));
    assert_string_equal(value, target);
    assert_int_equal(lgetxattr(path, "gfid-req", value, sizeof(value)), -1);
}

/* distribute's own mknod of a link file for a gfid the brick holds: a hard link. */
static void test_internal_mknod_links_known_gfid(void **state)
{
    gf_args_t args = entry_args(root_gfid, "lf1");
    result_t res;
    uuid_t g;

    uuid_generate(g);
    args.mode = S_IFREG | S_ISVTX;
    args.xdata = gfid_req(g);
    assert_int_equal(gf_dict_set_int32(args.xdata, "glusterfs-internal-fop", 1), 0);
    call(GF_FOP_MKNOD, &args, &res); /* the first: a new file */
    assert_int_equal(res.op_ret, 0);
    args.loc.name = "lf2";
    call(GF_FOP_MKNOD, &args, &res); /* the second: the same file */
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, g, 16);
    assert_int_equal(res.stat.ia_nlink, 2);
    assert_int_equal(links_of("lf1"), 3);
    gf_dict_unref(args.xdata);
    args = entry_args(root_gfid, "plain");
    args.mode = S_IFREG | 0644;
    args.xdata = gfid_req(g); /* a client's mknod with a known gfid: refused */
    call(GF_FOP_MKNOD, &args, &res);
    assert_int_equal(res.op_ret, -1);
    gf_dict_unref(args.xdata);
}

/* ---- what distribute asks of a brick ------------------------------------------------------ */

static const unsigned char layout_a[16] = {0, 0, 0, 1, 0,    0,    0,    0,
                                           0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
static const unsigned char layout_b[16] = {0,    0, 0, 1, 0,    0,    0,    0,
                                           0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};

/* Args creating name in the root, expecting the root's layout to be `expect`. */
static gf_args_t preop_args(const char *name, const unsigned char *expect)
{
    gf_args_t args = entry_args(root_gfid, name);

    args.mode = 0644;
    args.xdata = gf_dict_new();
    assert_int_equal(
        gf_dict_set_str(args.xdata, "glusterfs.preop.parent.key", "trusted.glusterfs.dht"), 0);
    assert_int_equal(gf_dict_set_bin(args.xdata, "trusted.glusterfs.dht", expect, 16), 0);
    return args;
}

static void test_create_checks_parent_layout(void **state)
{
    gf_args_t args = preop_args("stale", layout_b);
    char path[PATH_MAX], value[64];
    const pair_t *flag;
    result_t res;

    assert_int_equal(lsetxattr(brick, "trusted.glusterfs.dht", layout_a, 16, 0), 0);
    args.mode = 0755;
    call(GF_FOP_MKDIR, &args, &res); /* the client holds another layout */
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(res.op_errno, EIO);
    flag = find_pair(res.xdata, res.n_xdata, "glusterfs.preop.check.failed");
    assert_non_null(flag);
    snprintf(path, sizeof(path), "%s/stale", brick);
    assert_int_equal(access(path, F_OK), -1);
    gf_dict_unref(args.xdata);

    args = preop_args("fresh", layout_a);
    call(GF_FOP_MKNOD, &args, &res);
    assert_int_equal(res.op_ret, 0);
    snprintf(path, sizeof(path), "%s/fresh", brick);
    /* neither the check's key nor the parent's layout lands on the new file */
    assert_int_equal(lgetxattr(path, "trusted.glusterfs.dht", value, sizeof(value)), -1);
    assert_int_equal(llistxattr(path, value, sizeof(value)), (ssize_t)sizeof("trusted.gfid"));
    gf_dict_unref(args.xdata);
}

static void test_lookup_answers_xattrs_asked(void **state)
{
    gf_args_t args = entry_args(root_gfid, "dir");
    char path[PATH_MAX];
    const pair_t *p;
    result_t res;
    uuid_t d;

    uuid_generate(d);
    make_dir(root_gfid, "dir", d, &res);
    snprintf(path, sizeof(path), "%s/dir", brick);
    assert_int_equal(lsetxattr(path, "trusted.glusterfs.dht", layout_b, 16, 0), 0);
    assert_int_equal(lsetxattr(path, "user.a", "1", 1, 0), 0);
    assert_int_equal(lsetxattr(path, "user.b", "22", 2, 0), 0);
    args.xdata = gf_dict_new();
    assert_int_equal(gf_dict_set_uint64(args.xdata, "trusted.glusterfs.dht", 16), 0);
    assert_int_equal(gf_dict_set_uint64(args.xdata, "trusted.glusterfs.dht.mds", 4), 0);
    assert_int_equal(gf_dict_set_uint64(args.xdata, "user.*", 0), 0);
    assert_int_equal(gf_dict_set_uint64(args.xdata, "trusted.gfid", 16), 0);
    call(GF_FOP_LOOKUP, &args, &res);
    gf_dict_unref(args.xdata);
    assert_int_equal(res.op_ret, 0);
    p = find_pair(res.xdata, res.n_xdata, "trusted.glusterfs.dht");
    assert_non_null(p);
    assert_int_equal(p->len, 16);
    assert_memory_equal(p->value, layout_b, 16);
    assert_null(find_pair(res.xdata, res.n_xdata, "trusted.glusterfs.dht.mds")); /* absent */
    assert_null(find_pair(res.xdata, res.n_xdata, "trusted.gfid"));              /* posix's own */
    assert_non_null(find_pair(res.xdata, res.n_xdata, "user.a"));                /* a pattern */
    assert_non_null(find_pair(res.xdata, res.n_xdata, "user.b"));
    assert_int_equal(res.n_xdata, 3);
}

static void test_readdirp_entry_dicts(void **state)
{
    gf_args_t args = entry_args(root_gfid, "lf");
    gf_inode_t *inode;
    char path[PATH_MAX];
    result_t res;
    int i;

    args.mode = S_IFREG | S_ISVTX;
    call(GF_FOP_MKNOD, &args, &res);
    gf_fd_unref(create_file(root_gfid, "plain", NULL, &res));
    snprintf(path, sizeof(path), "%s/lf", brick);
    assert_int_equal(lsetxattr(path, "trusted.glusterfs.dht.linkto", "v-client-0", 11, 0), 0);
    args = (gf_args_t){.size = 64 << 10};
    args.fd = open_root(&inode);
    args.xdata = gf_dict_new();
    assert_int_equal(gf_dict_set_uint64(args.xdata, "trusted.glusterfs.dht.linkto", 256), 0);
    call(GF_FOP_READDIRP, &args, &res);
    gf_dict_unref(args.xdata);
    assert_int_equal(res.op_ret, 4);
    i = find_entry(&res, "lf");
    assert_int_equal(res.entry_pairs[i], 1);
    i = find_entry(&res, "plain");
    assert_int_equal(res.entry_pairs[i], 0);
    gf_fd_unref(args.fd);
    gf_inode_unref(inode);
}

/* ---- xattrop --------------------------------------------------------------------------------- */

/* xattrop operations: the GF_XATTROP_* numbers of the wire (fops.x). */
enum {
    XOP_ADD_ARRAY = 0,
    XOP_ADD_ARRAY64 = 1,
    XOP_OR_ARRAY = 2,
    XOP_GET_AND_SET = 4,
    XOP_ADD_ARRAY_WITH_DEFAULT = 5,
    XOP_ADD_ARRAY64_WITH_DEFAULT = 6,
};

/* Runs an xattrop of op on gfid with key = the len bytes at v. */
static void xattrop(const uuid_t gfid, int op, const char *key, const void *v, size_t len,
                    result_t *res)
{
    gf_args_t args = {.flags = op};

    uuid_copy(args.loc.gfid, gfid);
    args.xattr = gf_dict_new();
    assert_int_equal(gf_dict_set_bin(args.xattr, key, v, len), 0);
    call(GF_FOP_XATTROP, &args, res);
    gf_dict_unref(args.xattr);
}

static void be32s(unsigned char *out, const uint32_t *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        out[4 * i] = (unsigned char)(v[i] >> 24);
        out[4 * i + 1] = (unsigned char)(v[i] >> 16);
        out[4 * i + 2] = (unsigned char)(v[i] >> 8);
        out[4 * i + 3] = (unsigned char)v[i];
    }
}

static void be64s(unsigned char *out, const uint64_t *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        be32s(out + 8 * i, (uint32_t[]){(uint32_t)(v[i] >> 32)}, 1);
        be32s(out + 8 * i + 4, (uint32_t[]){(uint32_t)v[i]}, 1);
    }
}

/* Asserts the xattrop's reply for key holds exactly want[len]. */
static void assert_xattr_reply(const result_t *res, const char *key, const void *want, size_t len)
{
    const pair_t *p = find_pair(res->xattr, res->n_xattr, key);

    assert_int_equal(res->op_ret, 0);
    assert_non_null(p);
    assert_int_equal(p->len, len);
    assert_memory_equal(p->value, want, len);
}

static void test_xattrop_add_array(void **state)
{
    unsigned char v[12], want[12], disk[12];
    char path[PATH_MAX];
    result_t res;
    uuid_t g;

    uuid_generate(g);
    gf_fd_unref(create_file(root_gfid, "c", g, &res));
    snprintf(path, sizeof(path), "%s/c", brick);
    be32s(v, (uint32_t[]){0, 0, 0}, 3); /* all zeros: answered, never created */
    xattrop(g, XOP_ADD_ARRAY, "trusted.afr.v-client-0", v, 12, &res);
    assert_xattr_reply(&res, "trusted.afr.v-client-0", v, 12);
    assert_int_equal(lgetxattr(path, "trusted.afr.v-client-0", disk, 12), -1);
    be32s(v, (uint32_t[]){1, 2, 0xffffffff}, 3);
    xattrop(g, XOP_ADD_ARRAY, "trusted.afr.v-client-0", v, 12, &res);
    xattrop(g, XOP_ADD_ARRAY, "trusted.afr.v-client-0", v, 12, &res);
    be32s(want, (uint32_t[]){2, 4, 0xfffffffe}, 3); /* -1 + -1 */
    assert_xattr_reply(&res, "trusted.afr.v-client-0", want, 12);
    assert_int_equal(lgetxattr(path, "trusted.afr.v-client-0", disk, 12), 12);
    assert_memory_equal(disk, want, 12);
}

static void test_xattrop_add_array64_and_defaults(void **state)
{
    unsigned char v[32], want[16];
    result_t res;
    uuid_t g;

    uuid_generate(g);
    make_dir(root_gfid, "q", g, &res);
    be64s(v, (uint64_t[]){5, 1ull << 40}, 2);
    xattrop(g, XOP_ADD_ARRAY64, "trusted.q.size", v, 16, &res);
    xattrop(g, XOP_ADD_ARRAY64, "trusted.q.size", v, 16, &res);
    be64s(want, (uint64_t[]){10, 1ull << 41}, 2);
    assert_xattr_reply(&res, "trusted.q.size", want, 16);

    /* absent: value + default; present and non-zero: value only */
    be64s(v, (uint64_t[]){3, 0, 100, 7}, 4); /* values 3, 0; defaults 100, 7 */
    xattrop(g, XOP_ADD_ARRAY64_WITH_DEFAULT, "trusted.q.count", v, 32, &res);
    be64s(want, (uint64_t[]){103, 7}, 2);
    assert_xattr_reply(&res, "trusted.q.count", want, 16);
    xattrop(g, XOP_ADD_ARRAY64_WITH_DEFAULT, "trusted.q.count", v, 32, &res);
    be64s(want, (uint64_t[]){106, 7}, 2);
    assert_xattr_reply(&res, "trusted.q.count", want, 16);

    be32s(v, (uint32_t[]){1, 50}, 2); /* 32-bit: value 1, default 50 */
    xattrop(g, XOP_ADD_ARRAY_WITH_DEFAULT, "trusted.q.dirs", v, 8, &res);
    be32s(want, (uint32_t[]){51}, 1);
    assert_xattr_reply(&res, "trusted.q.dirs", want, 4);
}

static void test_xattrop_get_and_set_and_refusals(void **state)
{
    unsigned char v[4] = {1, 2, 3, 4}, w[4] = {9, 9, 9, 9};
    result_t res;
    uuid_t g;

    uuid_generate(g);
    gf_fd_unref(create_file(root_gfid, "gs", g, &res));
    xattrop(g, XOP_GET_AND_SET, "trusted.x", v, 4, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.n_xattr, 0); /* there was nothing before */
    xattrop(g, XOP_GET_AND_SET, "trusted.x", w, 4, &res);
    assert_xattr_reply(&res, "trusted.x", v, 4); /* the old value */
    xattrop(g, XOP_OR_ARRAY, "trusted.x", w, 4, &res);
    assert_int_equal(res.op_errno, EINVAL); /* bricks do not serve OR/AND */
    xattrop(g, XOP_ADD_ARRAY, "trusted.gfid", w, 4, &res);
    assert_int_equal(res.op_errno, EPERM);
}

typedef struct {
    gf_fd_t *fd;
    int rounds;
} adder_t;

/* Thread: fxattrop +1 on "trusted.n", rounds times, each checked. */
static void *adder(void *arg)
{
    adder_t *a = arg;
    unsigned char one[4];
    int i;

    be32s(one, (uint32_t[]){1}, 1);
    for (i = 0; i < a->rounds; i++) {
        gf_args_t args = {.fd = a->fd, .flags = XOP_ADD_ARRAY};
        result_t res;

        args.xattr = gf_dict_new();
        gf_dict_set_bin(args.xattr, "trusted.n", one, 4);
        call(GF_FOP_FXATTROP, &args, &res);
        gf_dict_unref(args.xattr);
        if (res.op_ret != 0)
            return (void *)1;
    }
    return NULL;
}

static void test_fxattrop_is_atomic(void **state)
{
    adder_t a = {.rounds = 200};
    pthread_t t[4];
    unsigned char want[4];
    char path[PATH_MAX], disk[4];
    result_t res;
    void *failed;
    int i;

    a.fd = create_file(root_gfid, "n", NULL, &res);
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, adder, &a), 0);
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], &failed), 0);
        assert_null(failed);
    }
    snprintf(path, sizeof(path), "%s/n", brick);
    be32s(want, (uint32_t[]){800}, 1);
    assert_int_equal(lgetxattr(path, "trusted.n", disk, 4), 4);
    assert_memory_equal(disk, want, 4);
    gf_fd_unref(a.fd);
}

/* ---- sparse files and space ----------------------------------------------------------------- */

static void fd_op(gf_fop_t op, gf_fd_t *fd, int32_t flags, int64_t offset, uint64_t size,
                  result_t *res)
{
    gf_args_t args = {.fd = fd, .flags = flags, .offset = offset, .size = size};

    call(op, &args, res);
}

static void test_sparse_file_and_seek(void **state)
{
    const int64_t far = 1ll << 30;
    result_t res;
    gf_fd_t *fd;

    fd = create_file(root_gfid, "sparse", NULL, &res);
    write_text(fd, "x", far);
    fd_op(GF_FOP_FSTAT, fd, 0, 0, 0, &res);
    assert_int_equal(res.stat.ia_size, far + 1);
    assert_true(res.stat.ia_blocks < 1024); /* not 1 GiB of blocks */
    read_at(fd, 4096, 8, &res);
    assert_int_equal(res.op_ret, 8);
    assert_memory_equal(res.data, "\0\0\0\0\0\0\0\0", 8);
    fd_op(GF_FOP_SEEK, fd, SEEK_HOLE, 0, 0, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.offset, 0);
    fd_op(GF_FOP_SEEK, fd, SEEK_DATA, 0, 0, &res);
    assert_int_equal(res.op_ret, 0);
    assert_true(res.offset > 0 && res.offset <= far);
    fd_op(GF_FOP_SEEK, fd, SEEK_DATA, far + 1, 0, &res);
    assert_int_equal(res.op_errno, ENXIO); /* past the end */
    fd_op(GF_FOP_SEEK, fd, SEEK_END, 0, 0, &res);
    assert_int_equal(res.op_errno, EINVAL);
    gf_fd_unref(fd);
}

/* Writes text at offset, inside the file's size. */
static void write_inside(gf_fd_t *fd, const char *text, int64_t offset)
{
    struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
    gf_args_t args = {.fd = fd, .vector = &iov, .count = 1, .offset = offset};
    result_t res;

    call(GF_FOP_WRITE, &args, &res);
    assert_int_equal(res.op_ret, (int32_t)strlen(text));
}

static void test_fallocate_discard_zerofill(void **state)
{
    const uint64_t mib = 1 << 20;
    uint64_t full;
    result_t res;
    gf_fd_t *fd;

    fd = create_file(root_gfid, "space", NULL, &res);
    fd_op(GF_FOP_FALLOCATE, fd, 0, 0, mib, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.prestat.ia_size, 0);
    assert_int_equal(res.poststat.ia_size, mib);
    full = res.poststat.ia_blocks;
    assert_true(full >= mib / 512);
    fd_op(GF_FOP_FALLOCATE, fd, 1, mib, mib, &res); /* keep size */
    assert_int_equal(res.poststat.ia_size, mib);
    write_inside(fd, "data here", 4096);
    fd_op(GF_FOP_DISCARD, fd, 0, 0, mib / 2, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.poststat.ia_size, mib); /* a hole, same size */
    assert_true(res.poststat.ia_blocks < res.prestat.ia_blocks);
    read_at(fd, 4096, 9, &res);
    assert_memory_equal(res.data, "\0\0\0\0\0\0\0\0\0", 9);
    write_inside(fd, "more", mib - 4);
    fd_op(GF_FOP_ZEROFILL, fd, 0, mib - 4, 2 * 4096, &res);
    assert_int_equal(res.op_ret, 0);
    assert_true(res.poststat.ia_size >= mib + 4096); /* grows past the end */
    read_at(fd, mib - 4, 4, &res);
    assert_memory_equal(res.data, "\0\0\0\0", 4);
    gf_fd_unref(fd);
}

/* ---- fds ------------------------------------------------------------------------------------- */

static void test_fd_xattrs_and_listing(void **state)
{
    gf_args_t args = {0};
    result_t res;
    gf_fd_t *fd;

    fd = create_file(root_gfid, "fx", NULL, &res);
    args.fd = fd;
    args.xattr = gf_dict_new();
    assert_int_equal(gf_dict_set_bin(args.xattr, "user.color", "red", 3), 0);
    assert_int_equal(gf_dict_set_bin(args.xattr, "trusted.t", "t", 1), 0);
    call(GF_FOP_FSETXATTR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    args.flags = XATTR_CREATE;
    call(GF_FOP_FSETXATTR, &args, &res);
    assert_int_equal(res.op_errno, EEXIST);
    gf_dict_unref(args.xattr);
    args.xattr = NULL;
    args.name = "user.color";
    call(GF_FOP_FGETXATTR, &args, &res);
    assert_int_equal(res.op_ret, 3);
    assert_string_equal(res.xattr_value, "red");
    args.name = NULL; /* all: user and trusted, not posix's own */
    call(GF_FOP_FGETXATTR, &args, &res);
    assert_int_equal(res.n_xattr, 2);
    assert_non_null(find_pair(res.xattr, res.n_xattr, "trusted.t"));
    assert_null(find_pair(res.xattr, res.n_xattr, "trusted.gfid"));
    args.name = "user.color";
    call(GF_FOP_FREMOVEXATTR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    call(GF_FOP_FREMOVEXATTR, &args, &res);
    assert_int_equal(res.op_errno, ENODATA);
    gf_fd_unref(fd);
}

/* An fd nobody opened (protocol/server's anonymous fd) is opened on first use. */
static void test_anonymous_fd(void **state)
{
    gf_inode_t *fresh, *inode;
    result_t res;
    gf_fd_t *fd;
    int before;

    gf_fd_unref(create_file(root_gfid, "anon", NULL, &res));
    fresh = gf_inode_new(itable);
    inode = gf_inode_link(fresh, NULL, NULL, &res.stat);
    gf_inode_unref(fresh);
    before = count_fds();
    fd = gf_fd_create(inode, O_RDWR, 0);
    write_text(fd, "anonymous", 0);
    read_at(fd, 0, 100, &res);
    assert_int_equal(res.op_ret, 9);
    assert_memory_equal(res.data, "anonymous", 9);
    assert_int_equal(count_fds(), before + 1);
    gf_fd_unref(fd);
    assert_int_equal(count_fds(), before);
    fd = gf_fd_create(gf_inode_table_root(itable), O_RDONLY, 0); /* a directory */
    gf_inode_unref(fd->inode);
    fd_op(GF_FOP_FSYNCDIR, fd, 0, 0, 0, &res);
    assert_int_equal(res.op_ret, 0);
    gf_fd_unref(fd);
    gf_inode_unref(inode);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, case_setup, case_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(test_init_marks_brick),
        CASE(test_idle_brick_holds_no_fd),
        CASE(test_other_volume_refused),
        CASE(test_create_sets_gfid_and_handle),
        CASE(test_create_without_gfid_req),
        CASE(test_create_owner_and_mode),
        CASE(test_mkdir_in_setgid_dir),
        CASE(test_write_then_read),
        CASE(test_open_by_gfid_and_release),
        CASE(test_mkdir_handle_is_symlink),
        CASE(test_nested_entries_resolve),
        CASE(test_deep_tree_resolves),
        CASE(test_lookup_by_name),
        CASE(test_lookup_heals_missing_gfid),
        CASE(test_readdirp_lists_with_gfids),
        CASE(test_readdir_pages_by_offset),
        CASE(test_unlink_removes_handle),
        CASE(test_rmdir),
        CASE(test_entry_errors),
        CASE(test_setattr_and_truncate),
        CASE(test_user_xattrs),
        CASE(test_io_stats_counts),
        CASE(test_hard_link),
        CASE(test_link_errors),
        CASE(test_rename_file_across_dirs),
        CASE(test_rename_replaces_victim),
        CASE(test_rename_directory_moves_handle),
        CASE(test_rename_errors),
        CASE(test_symlink_and_readlink),
        CASE(test_mknod_fifo_and_link_file),
        CASE(test_internal_mknod_links_known_gfid),
        CASE(test_create_checks_parent_layout),
        CASE(test_lookup_answers_xattrs_asked),
        CASE(test_readdirp_entry_dicts),
        CASE(test_xattrop_add_array),
        CASE(test_xattrop_add_array64_and_defaults),
        CASE(test_xattrop_get_and_set_and_refusals),
        CASE(test_fxattrop_is_atomic),
        CASE(test_sparse_file_and_seek),
        CASE(test_fallocate_discard_zerofill),
        CASE(test_fd_xattrs_and_listing),
        CASE(test_anonymous_fd),
    };

    if (geteuid() != 0) {
        fprintf(stderr, "test-posix: skipped, trusted.* xattrs need root\n");
        return 77; /* automake's "skipped" */
    }
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
