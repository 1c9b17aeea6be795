/*
 * Tests of cluster/distribute over real bricks, in one process: each case builds
 * a graph of 2 or 3 storage/posix translators over fresh mkdtemp directories with
 * distribute on top (loaded with the graph loader, as a client would), calls fops
 * through distribute, and checks the replies and what landed on each brick
 * directory: trusted.glusterfs.dht on every copy of every directory, complete and
 * as GlusterFS lays it out; every file on the brick its name hashes to; listings
 * without duplicates across bricks; self-heal of directories missing on a brick
 * or carrying a malformed layout; rmdir refused when any brick's copy holds files.
 *
 * posix unwinds before returning, so every call here completes before gf_wind
 * returns. The modules are found under TEST_XLATOR_DIR as in test-posix.c.
 * trusted.* xattrs need root: without it the program reports itself skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "dht.h"
#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/graph.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/volfile.h"

#define MAX_BRICKS 3
#define MAX_NAMES  256

static const uuid_t root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static char xl_dir[] = "/tmp/test-dht-xl-XXXXXX";

/* One case's bricks and graph. */
static int nbricks;
static char bricks[MAX_BRICKS][64];
static gf_graph_t *graph;
static gf_inode_table_t *itable;
static gf_inode_t *root;
static uint64_t dht_blocks; /* distribute's allocations right after init */

/* What a fop replied, copied out in the callback. */
typedef struct {
    bool done;
    int32_t op_ret, op_errno;
    gf_iatt_t stat;
    struct statvfs statfs;
    char data[64];
    size_t n_entries;
    char names[MAX_NAMES][NAME_MAX + 1];
    uint64_t offs[MAX_NAMES];
} result_t;

static int group_setup(void **state)
{
    static const char *const modules[] = {"storage/posix", "cluster/distribute", NULL};

    xlt_dir_make(xl_dir, modules, "test-dht-fops");
    return 0;
}

static int group_teardown(void **state)
{
    return xlt_dir_remove(xl_dir);
}

static gf_xlator_t *dht_xl(void)
{
    return gf_graph_find(graph, "vol-dht");
}

static gf_xlator_t *brick_xl(int i)
{
    char name[32];

    snprintf(name, sizeof(name), "vol-client-%d", i);
    return gf_graph_find(graph, name);
}

/* Builds n posix bricks under distribute and tells distribute they are up. */
static void start_volume(int n)
{
    char text[4096], err[512] = "";
    gf_volfile_t *vf = NULL;
    size_t len = 0;
    int i;

    nbricks = n;
    for (i = 0; i < n; i++) {
        snprintf(bricks[i], sizeof(bricks[i]), "/tmp/test-dht-brick-XXXXXX");
        assert_non_null(mkdtemp(bricks[i]));
        len += snprintf(text + len, sizeof(text) - len,
                        "volume vol-client-%d\n  type storage/posix\n  option directory %s\n"
                        "end-volume\n",
                        i, bricks[i]);
    }
    len += snprintf(text + len, sizeof(text) - len,
                    "volume vol-dht\n  type cluster/distribute\n  subvolumes");
    for (i = 0; i < n; i++)
        len += snprintf(text + len, sizeof(text) - len, " vol-client-%d", i);
    snprintf(text + len, sizeof(text) - len, "\nend-volume\n");
    assert_int_equal(gf_volfile_parse(text, strlen(text), &vf, err, sizeof(err)), 0);
    if (gf_graph_construct(vf, xl_dir, NULL, &graph, err, sizeof(err)) != 0)
        fail_msg("construct: %s", err);
    gf_volfile_free(vf);
    if (gf_graph_init(graph, err, sizeof(err)) != 0)
        fail_msg("init: %s", err);
    itable = gf_inode_table_new(0, NULL);
    assert_non_null(itable);
    root = gf_inode_table_root(itable);
    dht_blocks = dht_xl()->mem_acct.blocks;
}

static int setup2(void **state)
{
    start_volume(2);
    return 0;
}

static int setup3(void **state)
{
    start_volume(3);
    return 0;
}

static int case_teardown(void **state)
{
    char cmd[PATH_MAX + 16];
    uint64_t blocks;
    int i;

    gf_inode_unref(root);
    gf_inode_table_destroy(itable);
    blocks = dht_xl()->mem_acct.blocks;
    gf_graph_fini(graph);
    graph = NULL;
    for (i = 0; i < nbricks; i++) {
        snprintf(cmd, sizeof(cmd), "rm -rf %s", bricks[i]);
        assert_int_equal(system(cmd), 0);
    }
    /* every call and inode ctx gave back what it took */
    assert_int_equal(blocks, dht_blocks);
    return 0;
}

static int capture_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    result_t *res = cookie;
    size_t i;

    res->done = true;
    res->op_ret = rsp->op_ret;
    res->op_errno = rsp->op_errno;
    res->stat = rsp->stat;
    res->statfs = rsp->statfs;
    if (rsp->count == 1 && rsp->vector[0].iov_len < sizeof(res->data))
        memcpy(res->data, rsp->vector[0].iov_base, rsp->vector[0].iov_len);
    res->n_entries = rsp->n_entries;
    for (i = 0; i < rsp->n_entries && i < MAX_NAMES; i++) {
        snprintf(res->names[i], sizeof(res->names[i]), "%s", rsp->entries[i].d_name);
        res->offs[i] = rsp->entries[i].d_off;
    }
    return 0;
}

/* Winds op through xl (distribute, or a brick to set up odd states). */
static void call_on(gf_xlator_t *xl, gf_fop_t op, gf_args_t *args, result_t *res)
{
    gf_frame_t *frame = gf_frame_root_new(NULL);

    assert_non_null(frame);
    memset(res, 0, sizeof(*res));
    gf_wind(frame, xl, op, args, capture_cbk, res);
    assert_true(res->done);
    gf_frame_root_destroy(frame);
}

static void call(gf_fop_t op, gf_args_t *args, result_t *res)
{
    call_on(dht_xl(), op, args, res);
}

/* Args naming name in directory dir (a linked inode). */
static gf_args_t entry_args(gf_inode_t *dir, const char *name)
{
    gf_args_t args = {0};

    gf_inode_gfid(dir, args.loc.pargfid);
    args.loc.parent = dir;
    args.loc.name = name;
    return args;
}

/* Looks name up in dir; returns the linked inode (a reference) or NULL. */
static gf_inode_t *lookup(gf_inode_t *dir, const char *name, result_t *res)
{
    gf_args_t args = entry_args(dir, name);
    gf_inode_t *fresh = gf_inode_new(itable), *linked = NULL;

    args.loc.inode = fresh;
    call(GF_FOP_LOOKUP, &args, res);
    if (res->op_ret == 0)
        linked = gf_inode_link(fresh, dir, name, &res->stat);
    gf_inode_unref(fresh);
    return linked;
}

/* Looks up the root by gfid, as a client does first. */
static void lookup_root(result_t *res)
{
    gf_args_t args = {0};

    uuid_copy(args.loc.gfid, root_gfid);
    args.loc.inode = root;
    args.loc.path = "/";
    call(GF_FOP_LOOKUP, &args, res);
}

/* Makes directory name in dir; returns its linked inode. */
static gf_inode_t *make_dir(gf_inode_t *dir, const char *name, result_t *res)
{
    gf_args_t args = entry_args(dir, name);
    gf_inode_t *fresh = gf_inode_new(itable), *linked = NULL;

    args.loc.inode = fresh;
    args.mode = 0755;
    call(GF_FOP_MKDIR, &args, res);
    if (res->op_ret == 0)
        linked = gf_inode_link(fresh, dir, name, &res->stat);
    gf_inode_unref(fresh);
    return linked;
}

/* Creates file name in dir holding text; returns its linked inode. */
static gf_inode_t *make_file(gf_inode_t *dir, const char *name, const char *text)
{
    gf_args_t args = entry_args(dir, name);
    gf_inode_t *fresh = gf_inode_new(itable), *linked;
    struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
    gf_fd_t *fd = gf_fd_create(fresh, O_RDWR, 0);
    gf_args_t w = {.fd = fd, .vector = &iov, .count = 1};
    result_t res;

    args.loc.inode = fresh;
    args.fd = fd;
    args.flags = O_RDWR;
    args.mode = 0644;
    call(GF_FOP_CREATE, &args, &res);
    assert_int_equal(res.op_ret, 0);
    linked = gf_inode_link(fresh, dir, name, &res.stat);
    call(GF_FOP_WRITE, &w, &res);
    assert_int_equal(res.op_ret, (int32_t)strlen(text));
    gf_fd_unref(fd);
    gf_inode_unref(fresh);
    return linked;
}

/* Reads the layout xattr of brick i's copy of rel into *r. */
static int disk_range(int i, const char *rel, dht_range_t *r)
{
    char path[PATH_MAX];
    unsigned char v[32];
    uint32_t type;
    ssize_t n;

    snprintf(path, sizeof(path), "%s/%s", bricks[i], rel);
    n = lgetxattr(path, DHT_LAYOUT_XATTR, v, sizeof(v));
    if (n < 0)
        return -errno;
    return dht_layout_decode(v, (size_t)n, r, &type);
}

/* Asserts every brick's copy of rel has a layout, and together they are complete. */
static void assert_disk_layout_complete(const char *rel)
{
    dht_layout_t *l = dht_layout_new(nbricks);
    int i;

    assert_non_null(l);
    for (i = 0; i < nbricks; i++)
        assert_int_equal(disk_range(i, rel, &l->r[i]), 0);
    assert_true(dht_layout_complete(l));
    gf_free(l);
}

/* Which bricks hold rel (a bit each). */
static unsigned held_by(const char *rel)
{
    char path[PATH_MAX];
    unsigned mask = 0;
    struct stat st;
    int i;

    for (i = 0; i < nbricks; i++) {
        snprintf(path, sizeof(path), "%s/%s", bricks[i], rel);
        if (lstat(path, &st) == 0)
            mask |= 1u << i;
    }
    return mask;
}

/* The brick that the on-disk layout of directory rel hashes name to. */
static int hashed_brick(const char *rel, const char *name)
{
    dht_layout_t *l = dht_layout_new(nbricks);
    int i, h;

    assert_non_null(l);
    for (i = 0; i < nbricks; i++)
        assert_int_equal(disk_range(i, rel, &l->r[i]), 0);
    h = dht_layout_search(l, dht_dm_hash(name, strlen(name)));
    gf_free(l);
    return h;
}

static void test_root_layout_healed_at_first_lookup(void **state)
{
    dht_layout_t *want = dht_layout_new(nbricks);
    const char *names[MAX_BRICKS] = {"vol-client-0", "vol-client-1", "vol-client-2"};
    const bool all[MAX_BRICKS] = {true, true, true};
    dht_range_t r;
    result_t res;
    int i;

    assert_int_equal(disk_range(0, "", &r), -ENODATA);
    lookup_root(&res);
    assert_int_equal(res.op_ret, 0);
    assert_true(GF_IA_ISDIR(&res.stat));
    assert_memory_equal(res.stat.ia_gfid, root_gfid, 16);
    /* what GlusterFS gives "/": seeded by the hash of the path */
    dht_layout_fresh(want, names, all, dht_dm_hash("/", 1));
    for (i = 0; i < nbricks; i++) {
        assert_int_equal(disk_range(i, "", &r), 0);
        assert_int_equal(r.start, want->r[i].start);
        assert_int_equal(r.stop, want->r[i].stop);
        assert_int_equal(r.commit, 1);
    }
    gf_free(want);
}

static void test_files_land_on_hashed_brick(void **state)
{
    char name[32], text[32];
    gf_inode_t *f;
    result_t res;
    int i, used = 0;

    lookup_root(&res);
    for (i = 0; i < 24; i++) {
        snprintf(name, sizeof(name), "file-%d", i);
        snprintf(text, sizeof(text), "content %d", i);
        gf_inode_unref(make_file(root, name, text));
        assert_int_equal(held_by(name), 1u << hashed_brick("", name));
        used |= held_by(name);
    }
    assert_int_equal(used, (1u << nbricks) - 1); /* 24 names spread over every brick */
    f = lookup(root, "file-7", &res);
    assert_non_null(f);
    assert_int_equal(res.stat.ia_size, strlen("content 7"));
    gf_inode_unref(f);
}

/* Lookups, stat and reads go where the file is, with no prior lookup of the
 * parent (the table's root only) and a fresh inode table. */
static void test_read_back_through_fresh_table(void **state)
{
    gf_args_t args = {0};
    gf_inode_t *f;
    result_t res;
    gf_fd_t *fd;

    gf_inode_unref(make_file(root, "alpha", "hello alpha"));
    gf_inode_unref(root);
    gf_inode_table_destroy(itable);
    itable = gf_inode_table_new(0, NULL);
    root = gf_inode_table_root(itable);
    f = lookup(root, "alpha", &res);
    assert_non_null(f);
    args.loc.inode = f;
    gf_inode_gfid(f, args.loc.gfid);
    args.fd = fd = gf_fd_create(f, O_RDONLY, 0);
    call(GF_FOP_OPEN, &args, &res);
    assert_int_equal(res.op_ret, 0);
    args = (gf_args_t){.fd = fd, .size = 64};
    call(GF_FOP_READ, &args, &res);
    assert_int_equal(res.op_ret, 11);
    assert_memory_equal(res.data, "hello alpha", 11);
    args = (gf_args_t){.fd = fd};
    call(GF_FOP_FSTAT, &args, &res);
    assert_int_equal(res.stat.ia_size, 11);
    gf_fd_unref(fd);
    gf_inode_unref(f);
}

static void test_missing_name_is_enoent(void **state)
{
    result_t res;

    assert_null(lookup(root, "nothing-here", &res));
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(res.op_errno, ENOENT);
}

/* A file placed on a brick its name does not hash to is still found. */
static void test_lookup_finds_misplaced_file(void **state)
{
    gf_args_t args = entry_args(root, "stray");
    gf_inode_t *fresh, *f;
    result_t res;
    int h, other;

    lookup_root(&res);
    h = hashed_brick("", "stray");
    other = (h + 1) % nbricks;
    fresh = gf_inode_new(itable);
    args.loc.inode = fresh;
    args.fd = gf_fd_create(fresh, O_RDWR, 0);
    args.flags = O_RDWR;
    args.mode = 0644;
    call_on(brick_xl(other), GF_FOP_CREATE, &args, &res);
    assert_int_equal(res.op_ret, 0);
    gf_fd_unref(args.fd);
    gf_inode_unref(fresh);
    f = lookup(root, "stray", &res);
    assert_non_null(f);
    assert_true(GF_IA_ISREG(&res.stat));
    args = (gf_args_t){0};
    args.loc.inode = f;
    gf_inode_gfid(f, args.loc.gfid);
    call(GF_FOP_STAT, &args, &res);
    assert_int_equal(res.op_ret, 0);
    gf_inode_unref(f);
}

static void test_mkdir_everywhere_with_one_gfid(void **state)
{
    char path[PATH_MAX];
    gf_inode_t *d, *sub;
    uuid_t gfid;
    result_t res;
    int i;

    d = make_dir(root, "d1", &res);
    assert_non_null(d);
    for (i = 0; i < nbricks; i++) {
        snprintf(path, sizeof(path), "%s/d1", bricks[i]);
        assert_int_equal(lgetxattr(path, "trusted.gfid", gfid, 16), 16);
        assert_memory_equal(gfid, res.stat.ia_gfid, 16);
    }
    assert_disk_layout_complete("d1");
    sub = make_dir(d, "d2", &res);
    assert_non_null(sub);
    assert_disk_layout_complete("d1/d2");
    gf_inode_unref(make_file(sub, "inner", "x"));
    assert_int_equal(held_by("d1/d2/inner"), 1u << hashed_brick("d1/d2", "inner"));
    assert_null(make_dir(root, "d1", &res));
    assert_int_equal(res.op_errno, EEXIST);
    gf_inode_unref(sub);
    gf_inode_unref(d);
}

/* Lists directory dir with readdirp, size bytes per call, into names. */
static size_t list_dir(gf_inode_t *dir, uint64_t size, char names[][NAME_MAX + 1])
{
    gf_fd_t *fd = gf_fd_create(dir, O_RDONLY, 0);
    gf_args_t args = {0};
    uint64_t off = 0;
    result_t res;
    size_t n = 0, i, calls = 0;

    args.loc.inode = dir;
    gf_inode_gfid(dir, args.loc.gfid);
    args.fd = fd;
    call(GF_FOP_OPENDIR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    do {
        args = (gf_args_t){.fd = fd, .offset = (int64_t)off, .size = size};
        call(GF_FOP_READDIRP, &args, &res);
        assert_true(res.op_ret >= 0);
        for (i = 0; i < res.n_entries && n < MAX_NAMES; i++)
            strcpy(names[n++], res.names[i]);
        if (res.n_entries)
            off = res.offs[res.n_entries - 1];
        assert_true(++calls < 1000);
    } while (res.n_entries);
    gf_fd_unref(fd);
    return n;
}

static int count_name(char names[][NAME_MAX + 1], size_t n, const char *name)
{
    size_t i;
    int c = 0;

    for (i = 0; i < n; i++)
        c += !strcmp(names[i], name);
    return c;
}

/* Every name once, "." and ".." once, directories once, even in small batches. */
static void test_readdirp_lists_each_name_once(void **state)
{
    static char names[MAX_NAMES][NAME_MAX + 1];
    char name[32];
    gf_inode_t *d;
    result_t res;
    size_t n;
    int i;

    lookup_root(&res);
    for (i = 0; i < 30; i++) {
        snprintf(name, sizeof(name), "f%02d", i);
        gf_inode_unref(make_file(root, name, "x"));
    }
    gf_inode_unref(make_dir(root, "sub-a", &res));
    gf_inode_unref(make_dir(root, "sub-b", &res));
    d = lookup(root, "sub-a", &res);
    assert_non_null(d);
    gf_inode_unref(d);
    n = list_dir(root, 300, names); /* a few entries per call */
    assert_int_equal(n, 30 + 2 + 2);
    assert_int_equal(count_name(names, n, "."), 1);
    assert_int_equal(count_name(names, n, ".."), 1);
    assert_int_equal(count_name(names, n, "sub-a"), 1);
    assert_int_equal(count_name(names, n, "sub-b"), 1);
    for (i = 0; i < 30; i++) {
        snprintf(name, sizeof(name), "f%02d", i);
        assert_int_equal(count_name(names, n, name), 1);
    }
    assert_int_equal(count_name(names, n, ".glusterfs"), 0);
    n = list_dir(root, 0, names); /* one call per brick */
    assert_int_equal(n, 34);
}

/* A directory made on one brick only (an older brick set, say) is made on
 * the others at lookup, with the same gfid, and given a layout. */
static void test_lookup_heals_missing_directory(void **state)
{
    gf_args_t args = entry_args(root, "partial");
    char path[PATH_MAX];
    gf_inode_t *d;
    result_t res;
    uuid_t gfid, got;
    int i;

    lookup_root(&res);
    uuid_generate(gfid);
    args.mode = 0750;
    args.xdata = gf_dict_new();
    assert_int_equal(gf_dict_set_gfuuid(args.xdata, "gfid-req", gfid), 0);
    call_on(brick_xl(1), GF_FOP_MKDIR, &args, &res);
    gf_dict_unref(args.xdata);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by("partial"), 2u);
    d = lookup(root, "partial", &res);
    assert_non_null(d);
    assert_int_equal(held_by("partial"), (1u << nbricks) - 1);
    for (i = 0; i < nbricks; i++) {
        struct stat st;

        snprintf(path, sizeof(path), "%s/partial", bricks[i]);
        assert_int_equal(lgetxattr(path, "trusted.gfid", got, 16), 16);
        assert_memory_equal(got, gfid, 16);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
    }
    assert_disk_layout_complete("partial");
    gf_inode_unref(d);
}

/* A layout value of the wrong size is replaced by a complete layout. */
static void test_lookup_rewrites_malformed_layout(void **state)
{
    char path[PATH_MAX];
    gf_inode_t *d;
    result_t res;

    d = make_dir(root, "bad", &res);
    assert_non_null(d);
    gf_inode_unref(d);
    snprintf(path, sizeof(path), "%s/bad", bricks[0]);
    assert_int_equal(lsetxattr(path, DHT_LAYOUT_XATTR, "short", 5, 0), 0);
    gf_inode_unref(root);
    gf_inode_table_destroy(itable); /* forget the layout the ctx remembers */
    itable = gf_inode_table_new(0, NULL);
    root = gf_inode_table_root(itable);
    d = lookup(root, "bad", &res);
    assert_non_null(d);
    assert_disk_layout_complete("bad");
    gf_inode_unref(d);
}

static void remove_entry(gf_fop_t op, gf_inode_t *dir, const char *name, gf_inode_t *inode,
                         result_t *res)
{
    gf_args_t args = entry_args(dir, name);

    args.loc.inode = inode;
    if (inode)
        gf_inode_gfid(inode, args.loc.gfid);
    call(op, &args, res);
}

static void test_rmdir_not_empty_keeps_every_copy(void **state)
{
    dht_range_t before[MAX_BRICKS], after;
    gf_inode_t *d, *f;
    result_t res;
    int i;

    d = make_dir(root, "full", &res);
    assert_non_null(d);
    f = make_file(d, "keep", "x");
    for (i = 0; i < nbricks; i++)
        assert_int_equal(disk_range(i, "full", &before[i]), 0);
    remove_entry(GF_FOP_RMDIR, root, "full", d, &res);
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(res.op_errno, ENOTEMPTY);
    assert_int_equal(held_by("full"), (1u << nbricks) - 1);
    for (i = 0; i < nbricks; i++) {
        assert_int_equal(disk_range(i, "full", &after), 0);
        assert_int_equal(after.start, before[i].start);
        assert_int_equal(after.stop, before[i].stop);
    }
    remove_entry(GF_FOP_UNLINK, d, "keep", f, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by("full/keep"), 0);
    remove_entry(GF_FOP_RMDIR, root, "full", d, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by("full"), 0);
    gf_inode_unref(f);
    gf_inode_unref(d);
}

/* unlink finds the file's brick by lookup when the inode is new to it. */
static void test_unlink_without_prior_lookup(void **state)
{
    gf_inode_t *fresh = gf_inode_new(itable);
    result_t res;

    gf_inode_unref(make_file(root, "gone", "x"));
    assert_int_not_equal(held_by("gone"), 0);
    remove_entry(GF_FOP_UNLINK, root, "gone", fresh, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by("gone"), 0);
    remove_entry(GF_FOP_UNLINK, root, "gone", NULL, &res);
    assert_int_equal(res.op_errno, ENOENT);
    gf_inode_unref(fresh);
}

static void test_chmod_directory_on_every_brick(void **state)
{
    gf_args_t args = {0};
    char path[PATH_MAX];
    struct stat st;
    gf_inode_t *d;
    result_t res;
    int i;

    d = make_dir(root, "modes", &res);
    args.loc.inode = d;
    gf_inode_gfid(d, args.loc.gfid);
    args.stat.ia_mode = 0700;
    args.valid = GF_SET_ATTR_MODE;
    call(GF_FOP_SETATTR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    for (i = 0; i < nbricks; i++) {
        snprintf(path, sizeof(path), "%s/modes", bricks[i]);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
    }
    gf_inode_unref(d);
}

static void test_statfs_adds_up_bricks(void **state)
{
    gf_args_t args = {0};
    result_t one, all;

    uuid_copy(args.loc.gfid, root_gfid);
    args.loc.inode = root;
    call_on(brick_xl(0), GF_FOP_STATFS, &args, &one);
    call(GF_FOP_STATFS, &args, &all);
    assert_int_equal(all.op_ret, 0);
    /* the bricks share one file system here: n times its blocks */
    assert_int_equal(all.statfs.f_blocks, nbricks * one.statfs.f_blocks);
    assert_int_equal(all.statfs.f_files, nbricks * one.statfs.f_files);
}

/* Args renaming (or linking) name in sdir, the object inode, to dname in ddir. */
static gf_args_t two_names(gf_inode_t *sdir, const char *name, gf_inode_t *inode, gf_inode_t *ddir,
                           const char *dname)
{
    gf_args_t args = entry_args(sdir, name);

    args.loc.inode = inode;
    if (inode)
        gf_inode_gfid(inode, args.loc.gfid);
    args.loc2.parent = ddir;
    gf_inode_gfid(ddir, args.loc2.pargfid);
    args.loc2.name = dname;
    return args;
}

/* Renames sdir/name (inode) to ddir/dname through distribute, and moves the
 * name in the inode table as a client does on success. */
static void rename_entry(gf_inode_t *sdir, const char *name, gf_inode_t *inode, gf_inode_t *ddir,
                         const char *dname, result_t *res)
{
    gf_args_t args = two_names(sdir, name, inode, ddir, dname);

    call(GF_FOP_RENAME, &args, res);
    if (res->op_ret == 0)
        gf_inode_rename(itable, sdir, name, ddir, dname, inode);
}

/* Writes into out a name "PREFIX-N" of directory rel that hashes to brick
 * want (want < 0: any brick but avoid). */
static void name_on(const char *rel, const char *prefix, int want, int avoid, char *out, size_t len)
{
    int i, h;

    for (i = 0;; i++) {
        snprintf(out, len, "%s-%d", prefix, i);
        h = hashed_brick(rel, out);
        if (want >= 0 ? h == want : h != avoid)
            return;
    }
}

/* Reads brick i's copy of file rel into buf (NUL-terminated); its length or -errno. */
static ssize_t brick_read(int i, const char *rel, char *buf, size_t len)
{
    char path[PATH_MAX];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", bricks[i], rel);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    n = read(fd, buf, len - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return n;
}

/* Asserts brick i holds rel as a GlusterFS link file to brick target, with gfid. */
static void assert_link_file(int i, const char *rel, int target, const uuid_t gfid)
{
    char path[PATH_MAX], want[32], got[64];
    struct stat st;
    uuid_t g;
    ssize_t n;

    snprintf(path, sizeof(path), "%s/%s", bricks[i], rel);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, S_ISVTX);
    assert_int_equal(st.st_size, 0);
    snprintf(want, sizeof(want), "vol-client-%d", target);
    n = lgetxattr(path, DHT_LINKTO_XATTR, got, sizeof(got));
    assert_int_equal(n, strlen(want) + 1); /* with its NUL, as GlusterFS writes it */
    assert_string_equal(got, want);
    assert_int_equal(lgetxattr(path, "trusted.gfid", g, 16), 16);
    assert_memory_equal(g, gfid, 16);
}

/* Asserts brick i holds rel as a plain file with text. */
static void assert_data(int i, const char *rel, const char *text)
{
    char buf[64];

    assert_int_equal(brick_read(i, rel, buf, sizeof(buf)), (ssize_t)strlen(text));
    assert_string_equal(buf, text);
}

/* Looks name up in dir through distribute with a fresh inode table (nothing
 * cached) and reads it: its content into buf, or -errno. */
static ssize_t read_fresh(const char *name, char *buf, size_t len)
{
    gf_args_t args = {0};
    result_t res;
    gf_inode_t *f;
    gf_fd_t *fd;

    gf_inode_unref(root);
    gf_inode_table_destroy(itable);
    itable = gf_inode_table_new(0, NULL);
    root = gf_inode_table_root(itable);
    f = lookup(root, name, &res);
    if (!f)
        return -res.op_errno;
    args.loc.inode = f;
    gf_inode_gfid(f, args.loc.gfid);
    args.fd = fd = gf_fd_create(f, O_RDONLY, 0);
    call(GF_FOP_OPEN, &args, &res);
    assert_int_equal(res.op_ret, 0);
    args = (gf_args_t){.fd = fd, .size = len - 1};
    call(GF_FOP_READ, &args, &res);
    assert_true(res.op_ret >= 0 && (size_t)res.op_ret < len);
    memcpy(buf, res.data, (size_t)res.op_ret);
    buf[res.op_ret] = '\0';
    gf_fd_unref(fd);
    gf_inode_unref(f);
    return res.op_ret;
}

/* rsync's temporary names hash as their final name: no link file is needed. */
static void test_rename_rsync_temporary_name(void **state)
{
    gf_inode_t *f;
    result_t res;

    lookup_root(&res);
    f = make_file(root, "src", "x");
    rename_entry(root, "src", f, root, ".src.XyZ123", &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by(".src.XyZ123"), 1u << hashed_brick("", "src"));
    assert_int_equal(held_by("src"), 0);
    gf_inode_unref(f);
}

/* The data stays where it is under the new name; the new name's hashed brick
 * gets a link file to it; lookups and listings find it once, by its new name. */
static void test_rename_file_across_bricks(void **state)
{
    static char names[MAX_NAMES][NAME_MAX + 1];
    char dst[32], buf[64];
    gf_inode_t *f;
    result_t res;
    uuid_t gfid;
    int s, hd;
    size_t n;

    lookup_root(&res);
    f = make_file(root, "mover", "moving data");
    gf_inode_gfid(f, gfid);
    s = hashed_brick("", "mover");
    name_on("", "moved", -1, s, dst, sizeof(dst));
    hd = hashed_brick("", dst);
    rename_entry(root, "mover", f, root, dst, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, gfid, 16);
    assert_int_equal(held_by("mover"), 0);
    assert_int_equal(held_by(dst), 1u << s | 1u << hd);
    assert_data(s, dst, "moving data");
    assert_link_file(hd, dst, s, gfid);
    gf_inode_unref(f);
    assert_int_equal(read_fresh(dst, buf, sizeof(buf)), 11);
    assert_string_equal(buf, "moving data");
    assert_int_equal(read_fresh("mover", buf, sizeof(buf)), -ENOENT);
    n = list_dir(root, 0, names);
    assert_int_equal(count_name(names, n, dst), 1);
    assert_int_equal(n, 1 + 2);
}

/* Renaming a file away from its hashed brick and on: each later rename
 * removes the link file the one before left; back to a name of the data's
 * brick, no link file is left anywhere. */
static void test_rename_file_twice_moves_link_file(void **state)
{
    char b[32], c[32], home[32], buf[64];
    gf_inode_t *f;
    result_t res;
    uuid_t gfid;
    int s;

    lookup_root(&res);
    f = make_file(root, "a", "abc");
    gf_inode_gfid(f, gfid);
    s = hashed_brick("", "a");
    name_on("", "b", (s + 1) % nbricks, -1, b, sizeof(b));
    name_on("", "c", (s + 2) % nbricks, -1, c, sizeof(c));
    name_on("", "home", s, -1, home, sizeof(home));
    rename_entry(root, "a", f, root, b, &res);
    assert_int_equal(res.op_ret, 0);
    rename_entry(root, b, f, root, c, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by(b), 0);
    assert_int_equal(held_by(c), 1u << s | 1u << hashed_brick("", c));
    assert_data(s, c, "abc");
    assert_link_file(hashed_brick("", c), c, s, gfid);
    rename_entry(root, c, f, root, home, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by(c), 0);
    assert_int_equal(held_by(home), 1u << s);
    assert_data(s, home, "abc");
    gf_inode_unref(f);
    assert_int_equal(read_fresh(home, buf, sizeof(buf)), 3);
}

/* A destination whose data is on its hashed brick is replaced by the link
 * file there; one whose data is on a third brick (behind a link file) loses
 * that data too. Nothing of the old files is left, and the name reads the new
 * content. */
static void test_rename_replaces_destination_elsewhere(void **state)
{
    char dst[32], far[32], buf[64];
    gf_inode_t *f, *old;
    result_t res;
    uuid_t gfid;
    int s, hd, third;

    lookup_root(&res);
    f = make_file(root, "new", "new text");
    gf_inode_gfid(f, gfid);
    s = hashed_brick("", "new");
    name_on("", "victim", -1, s, dst, sizeof(dst));
    hd = hashed_brick("", dst);
    old = make_file(root, dst, "old text");
    assert_int_equal(held_by(dst), 1u << hd);
    rename_entry(root, "new", f, root, dst, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by(dst), 1u << s | 1u << hd);
    assert_data(s, dst, "new text");
    assert_link_file(hd, dst, s, gfid);
    gf_inode_unref(old);
    gf_inode_unref(f);
    assert_int_equal(read_fresh(dst, buf, sizeof(buf)), 8);
    assert_string_equal(buf, "new text");

    /* the old file of the new name lives on a third brick, behind a link file */
    f = make_file(root, "newer", "newer text");
    gf_inode_gfid(f, gfid);
    s = hashed_brick("", "newer");
    name_on("", "far", -1, s, dst, sizeof(dst));
    hd = hashed_brick("", dst);
    third = 3 - s - hd; /* the bricks are 0, 1 and 2 */
    name_on("", "far-old", third, -1, far, sizeof(far));
    old = make_file(root, far, "far text");
    rename_entry(root, far, old, root, dst, &res); /* leaves it behind a link file */
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by(dst), 1u << third | 1u << hd);
    gf_inode_unref(old);
    rename_entry(root, "newer", f, root, dst, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by(dst), 1u << s | 1u << hd);
    assert_int_equal(held_by(far), 0);
    assert_data(s, dst, "newer text");
    assert_link_file(hd, dst, s, gfid);
    gf_inode_unref(f);
}

/* A failure of the rename of the data (here ENAMETOOLONG) fails the call and
 * removes the link file made for it: the file is as it was. */
static void test_rename_failure_removes_link_file(void **state)
{
    char dst[NAME_MAX + 40], buf[64];
    gf_inode_t *f;
    result_t res;
    int s, i;

    lookup_root(&res);
    f = make_file(root, "stay", "still here");
    s = hashed_brick("", "stay");
    for (i = 0;; i++) {
        memset(dst, 'n', NAME_MAX + 8);
        snprintf(dst + NAME_MAX + 8, 32, "%d", i);
        if (hashed_brick("", dst) != s)
            break;
    }
    rename_entry(root, "stay", f, root, dst, &res);
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(res.op_errno, ENAMETOOLONG);
    assert_int_equal(held_by("stay"), 1u << s);
    assert_data(s, "stay", "still here");
    gf_inode_unref(f);
    assert_int_equal(read_fresh("stay", buf, sizeof(buf)), 10);
}

/* Two names of one file: rename(2) does nothing, and so does distribute. */
static void test_rename_onto_own_hard_link(void **state)
{
    gf_args_t args;
    gf_inode_t *f;
    result_t res;

    lookup_root(&res);
    f = make_file(root, "one", "same");
    args = two_names(root, "one", f, root, "two");
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_ret, 0);
    rename_entry(root, "one", f, root, "two", &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_not_equal(held_by("one"), 0);
    assert_int_not_equal(held_by("two"), 0);
    gf_inode_unref(f);
}

/* A file cannot replace a directory, nor a directory a file; a missing old
 * name is ENOENT. */
static void test_rename_posix_errors(void **state)
{
    gf_inode_t *f, *d;
    result_t res;

    lookup_root(&res);
    f = make_file(root, "plainfile", "x");
    d = make_dir(root, "somedir", &res);
    rename_entry(root, "plainfile", f, root, "somedir", &res);
    assert_int_equal(res.op_errno, EISDIR);
    rename_entry(root, "somedir", d, root, "plainfile", &res);
    assert_int_equal(res.op_errno, ENOTDIR);
    rename_entry(root, "nothing", NULL, root, "other", &res);
    assert_int_equal(res.op_errno, ENOENT);
    assert_int_not_equal(held_by("plainfile"), 0);
    assert_int_equal(held_by("somedir"), (1u << nbricks) - 1);
    gf_inode_unref(d);
    gf_inode_unref(f);
}

/* A directory is renamed on every brick, keeping its gfid and its layout;
 * what it holds is found under the new name. */
static void test_rename_directory(void **state)
{
    dht_range_t before[MAX_BRICKS], after;
    char path[PATH_MAX], buf[64];
    gf_inode_t *d, *sub;
    result_t res;
    uuid_t gfid, got;
    int i;

    lookup_root(&res);
    d = make_dir(root, "olddir", &res);
    gf_inode_gfid(d, gfid);
    gf_inode_unref(make_file(d, "inside", "inner text"));
    sub = make_dir(d, "deeper", &res);
    for (i = 0; i < nbricks; i++)
        assert_int_equal(disk_range(i, "olddir", &before[i]), 0);
    rename_entry(root, "olddir", d, root, "newdir", &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by("olddir"), 0);
    assert_int_equal(held_by("newdir"), (1u << nbricks) - 1);
    assert_int_equal(held_by("newdir/deeper"), (1u << nbricks) - 1);
    for (i = 0; i < nbricks; i++) {
        snprintf(path, sizeof(path), "%s/newdir", bricks[i]);
        assert_int_equal(lgetxattr(path, "trusted.gfid", got, 16), 16);
        assert_memory_equal(got, gfid, 16);
        assert_int_equal(disk_range(i, "newdir", &after), 0);
        assert_int_equal(after.start, before[i].start);
        assert_int_equal(after.stop, before[i].stop);
    }
    assert_int_equal(held_by("newdir/inside"), 1u << hashed_brick("newdir", "inside"));
    gf_inode_unref(sub);
    gf_inode_unref(d);
    d = lookup(root, "newdir", &res);
    assert_non_null(d);
    gf_inode_unref(lookup(d, "inside", &res));
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(res.stat.ia_size, 10);
    gf_inode_unref(d);
    assert_int_equal(
        brick_read(hashed_brick("newdir", "inside"), "newdir/inside", buf, sizeof(buf)), 10);
}

/* Over an empty directory a rename replaces it; over one with a file on any
 * brick it is refused with ENOTEMPTY and nothing changes. */
static void test_rename_directory_over_directory(void **state)
{
    gf_inode_t *a, *full, *empty, *f;
    result_t res;

    lookup_root(&res);
    a = make_dir(root, "dir-a", &res);
    full = make_dir(root, "dir-full", &res);
    f = make_file(full, "only", "x");
    empty = make_dir(root, "dir-empty", &res);
    rename_entry(root, "dir-a", a, root, "dir-full", &res);
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(res.op_errno, ENOTEMPTY);
    assert_int_equal(held_by("dir-a"), (1u << nbricks) - 1);
    assert_int_equal(held_by("dir-full/only"), 1u << hashed_brick("dir-full", "only"));
    rename_entry(root, "dir-a", a, root, "dir-empty", &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by("dir-a"), 0);
    assert_int_equal(held_by("dir-empty"), (1u << nbricks) - 1);
    gf_inode_unref(f);
    gf_inode_unref(empty);
    gf_inode_unref(full);
    gf_inode_unref(a);
}

/* When a brick refuses its copy (here the new parent is missing on it), the
 * copies already renamed are renamed back and the call fails. */
static void test_rename_directory_undone_on_failure(void **state)
{
    gf_args_t args;
    gf_inode_t *d, *p;
    result_t res;
    int hd, x;

    lookup_root(&res);
    d = make_dir(root, "keepdir", &res);
    p = make_dir(root, "parent", &res);
    hd = hashed_brick("parent", "keepdir");
    x = (hd + 1) % nbricks;
    args = entry_args(root, "parent");
    gf_inode_gfid(p, args.loc.gfid);
    call_on(brick_xl(x), GF_FOP_RMDIR, &args, &res);
    assert_int_equal(res.op_ret, 0);
    rename_entry(root, "keepdir", d, p, "keepdir", &res);
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(held_by("keepdir"), (1u << nbricks) - 1);
    assert_int_equal(held_by("parent/keepdir"), 0);
    gf_inode_unref(p);
    gf_inode_unref(d);
}

/* A hard link whose name hashes elsewhere: the link on the file's brick, a
 * link file on the name's hashed brick; both names read the same file. */
static void test_link_across_bricks(void **state)
{
    char dst[32], sp[PATH_MAX], dp[PATH_MAX], buf[64];
    struct stat a, b;
    gf_args_t args;
    gf_inode_t *f, *d;
    result_t res;
    uuid_t gfid;
    int s, hd;

    lookup_root(&res);
    f = make_file(root, "orig", "linked text");
    gf_inode_gfid(f, gfid);
    s = hashed_brick("", "orig");
    name_on("", "alias", -1, s, dst, sizeof(dst));
    hd = hashed_brick("", dst);
    args = two_names(root, "orig", f, root, dst);
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_ret, 0);
    assert_memory_equal(res.stat.ia_gfid, gfid, 16);
    assert_int_equal(held_by(dst), 1u << s | 1u << hd);
    snprintf(sp, sizeof(sp), "%s/orig", bricks[s]);
    snprintf(dp, sizeof(dp), "%s/%s", bricks[s], dst);
    assert_int_equal(lstat(sp, &a), 0);
    assert_int_equal(lstat(dp, &b), 0);
    assert_int_equal(a.st_ino, b.st_ino);
    assert_link_file(hd, dst, s, gfid);
    call(GF_FOP_LINK, &args, &res); /* the name exists now */
    assert_int_equal(res.op_errno, EEXIST);
    args = two_names(root, "orig", f, root, "name-0"); /* exists, on some brick */
    gf_inode_unref(make_file(root, "name-0", "y"));
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_errno, EEXIST);
    d = make_dir(root, "nolinks", &res);
    args = two_names(root, "nolinks", d, root, "dirlink");
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_errno, EPERM);
    gf_inode_unref(d);
    gf_inode_unref(f);
    assert_int_equal(read_fresh(dst, buf, sizeof(buf)), 11);
    assert_string_equal(buf, "linked text");
}

/* When the hard link fails (the file vanished from its brick behind
 * distribute's back), the link file made for it is removed again. */
static void test_link_failure_removes_link_file(void **state)
{
    char dst[32];
    gf_args_t args;
    gf_inode_t *f;
    result_t res;
    int s;

    lookup_root(&res);
    f = make_file(root, "vanishing", "x");
    s = hashed_brick("", "vanishing");
    name_on("", "ghost", -1, s, dst, sizeof(dst));
    args = entry_args(root, "vanishing");
    call_on(brick_xl(s), GF_FOP_UNLINK, &args, &res);
    assert_int_equal(res.op_ret, 0);
    args = two_names(root, "vanishing", f, root, dst);
    call(GF_FOP_LINK, &args, &res);
    assert_int_equal(res.op_ret, -1);
    assert_int_equal(held_by(dst), 0);
    gf_inode_unref(f);
}

/* Makes, on brick i only, what the stock client's rename leaves on a name's
 * hashed brick: a link file (---------T, with the link xattr naming where the
 * file is). */
static void make_link_file(int i, gf_inode_t *dir, const char *name, int target)
{
    gf_args_t args = entry_args(dir, name);
    gf_inode_t *fresh = gf_inode_new(itable);
    char to[32];
    result_t res;

    snprintf(to, sizeof(to), "vol-client-%d", target);
    args.loc.inode = fresh;
    args.mode = S_IFREG | S_ISVTX;
    args.xdata = gf_dict_new();
    assert_int_equal(gf_dict_set_bin(args.xdata, DHT_LINKTO_XATTR, to, strlen(to) + 1), 0);
    call_on(brick_xl(i), GF_FOP_MKNOD, &args, &res);
    assert_int_equal(res.op_ret, 0);
    gf_dict_unref(args.xdata);
    gf_inode_unref(fresh);
}

/* A name whose hashed brick in the root is not `avoid`, and a file of that
 * name made on brick `avoid` itself (as a rename of the stock client leaves it). */
static void make_moved_file(int avoid, char *name, size_t len)
{
    gf_args_t args;
    gf_inode_t *fresh;
    gf_fd_t *fd;
    result_t res;
    int i;

    for (i = 0;; i++) {
        snprintf(name, len, "moved-%d", i);
        if (hashed_brick("", name) != avoid)
            break;
    }
    fresh = gf_inode_new(itable);
    fd = gf_fd_create(fresh, O_RDWR, 0);
    args = entry_args(root, name);
    args.loc.inode = fresh;
    args.fd = fd;
    args.flags = O_RDWR;
    args.mode = 0644;
    call_on(brick_xl(avoid), GF_FOP_CREATE, &args, &res);
    assert_int_equal(res.op_ret, 0);
    gf_fd_unref(fd);
    gf_inode_unref(fresh);
}

/* Link files of the stock client are never listed: the file they point to
 * is, once, from where it is. */
static void test_listing_leaves_link_files_out(void **state)
{
    static char names[MAX_NAMES][NAME_MAX + 1];
    char moved[32];
    result_t res;
    size_t n;

    lookup_root(&res);
    gf_inode_unref(make_file(root, "plain", "x"));
    make_moved_file(0, moved, sizeof(moved));
    make_link_file(hashed_brick("", moved), root, moved, 0);
    make_link_file(1, root, "dangling", 2);
    n = list_dir(root, 0, names);
    assert_int_equal(count_name(names, n, moved), 1);
    assert_int_equal(count_name(names, n, "dangling"), 0);
    assert_int_equal(count_name(names, n, "plain"), 1);
    assert_int_equal(n, 2 + 2); /* and . and .. */
}

/* unlink of a file that lives away from its hashed brick removes the link
 * file there too. */
static void test_unlink_removes_link_file(void **state)
{
    char moved[32];
    gf_inode_t *f;
    result_t res;
    int h;

    lookup_root(&res);
    make_moved_file(0, moved, sizeof(moved));
    h = hashed_brick("", moved);
    make_link_file(h, root, moved, 0);
    assert_int_equal(held_by(moved), 1u | 1u << h);
    f = lookup(root, moved, &res); /* found where it is, not on the link file's brick */
    assert_non_null(f);
    assert_int_equal(res.stat.ia_mode & 07777, 0644);
    remove_entry(GF_FOP_UNLINK, root, moved, f, &res);
    assert_int_equal(res.op_ret, 0);
    assert_int_equal(held_by(moved), 0);
    gf_inode_unref(f);
}

static void notify_child(int i, gf_event_t ev)
{
    gf_xlator_notify(dht_xl(), ev, brick_xl(i));
}

/* Parents hear CHILD_UP once every brick is up, CHILD_DOWN once none is. */
static void test_child_up_needs_every_brick(void **state)
{
    gf_xlator_t parent = {.name = "probe"};
    gf_xlator_t *parents[1] = {&parent};
    gf_xlator_t *dht = dht_xl();
    int i;

    dht->parents = parents;
    dht->n_parents = 1;
    for (i = 0; i < nbricks - 1; i++)
        notify_child(i, GF_EVENT_CHILD_UP);
    notify_child(nbricks - 1, GF_EVENT_CHILD_DOWN);
    assert_int_equal(((dht_priv_t *)dht->priv)->told, 0);
    notify_child(nbricks - 1, GF_EVENT_CHILD_UP);
    assert_int_equal(((dht_priv_t *)dht->priv)->told, GF_EVENT_CHILD_UP);
    notify_child(0, GF_EVENT_CHILD_DOWN);
    assert_int_equal(((dht_priv_t *)dht->priv)->told, GF_EVENT_CHILD_UP);
    for (i = 1; i < nbricks; i++)
        notify_child(i, GF_EVENT_CHILD_DOWN);
    assert_int_equal(((dht_priv_t *)dht->priv)->told, GF_EVENT_CHILD_DOWN);
    dht->parents = NULL;
    dht->n_parents = 0;
}

int main(void)
{
#define CASE2(fn) cmocka_unit_test_setup_teardown(fn, setup2, case_teardown)
#define CASE3(fn) cmocka_unit_test_setup_teardown(fn, setup3, case_teardown)
    const struct CMUnitTest tests[] = {
        CASE2(test_root_layout_healed_at_first_lookup),
        CASE3(test_root_layout_healed_at_first_lookup),
        CASE2(test_files_land_on_hashed_brick),
        CASE3(test_files_land_on_hashed_brick),
        CASE3(test_read_back_through_fresh_table),
        CASE2(test_missing_name_is_enoent),
        CASE3(test_lookup_finds_misplaced_file),
        CASE3(test_mkdir_everywhere_with_one_gfid),
        CASE2(test_readdirp_lists_each_name_once),
        CASE3(test_readdirp_lists_each_name_once),
        CASE3(test_lookup_heals_missing_directory),
        CASE2(test_lookup_rewrites_malformed_layout),
        CASE3(test_rmdir_not_empty_keeps_every_copy),
        CASE2(test_unlink_without_prior_lookup),
        CASE3(test_chmod_directory_on_every_brick),
        CASE3(test_statfs_adds_up_bricks),
        CASE3(test_rename_rsync_temporary_name),
        CASE3(test_rename_file_across_bricks),
        CASE2(test_rename_file_across_bricks),
        CASE3(test_rename_file_twice_moves_link_file),
        CASE3(test_rename_replaces_destination_elsewhere),
        CASE3(test_rename_failure_removes_link_file),
        CASE3(test_rename_onto_own_hard_link),
        CASE3(test_rename_posix_errors),
        CASE3(test_rename_directory),
        CASE3(test_rename_directory_over_directory),
        CASE3(test_rename_directory_undone_on_failure),
        CASE3(test_link_across_bricks),
        CASE3(test_link_failure_removes_link_file),
        CASE3(test_listing_leaves_link_files_out),
        CASE3(test_unlink_removes_link_file),
        CASE3(test_child_up_needs_every_brick),
    };

    if (geteuid() != 0) {
        printf("test-dht-fops: needs root (trusted.* xattrs); skipped\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
