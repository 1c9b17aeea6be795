/*
 * Unit tests of storage/posix and debug/io-stats, loaded for real (the fixture,
 * posix-fixture.h, builds a brick graph per case and calls fops through it): the
 * brick's on-disk format (trusted.gfid, .glusterfs handles, volume id), entries,
 * data, attributes, user xattrs and io-stats counters. test-posix-names.c has
 * links and renames, what distribute asks, xattrop, sparse files and fds.
 * trusted.* xattrs need root: without it the program reports itself skipped.
 */
#include "posix-fixture.h"

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
    };

    return posix_test_run(tests, sizeof(tests) / sizeof(tests[0]), "test-posix");
}
