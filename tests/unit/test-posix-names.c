/*
 * Unit tests of storage/posix, loaded for real (the fixture is posix-fixture.h):
 * hard links, renames, symlinks and device nodes through the handle tree; what
 * distribute asks of a brick (layout preop checks, xattrs in lookup and
 * readdirp); xattrop arithmetic; sparse files and space; fd xattrs and anonymous
 * fds. trusted.* xattrs need root: without it the program reports itself
 * skipped (exit 77).
 */
#include "posix-fixture.h"

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

    return posix_test_run(tests, sizeof(tests) / sizeof(tests[0]), "test-posix-names");
}
