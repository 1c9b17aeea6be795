/*
 * The storage/posix tests' fixture (contract in posix-fixture.h).
 */
#include "posix-fixture.h"

const uuid_t root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

char xl_dir[] = "/tmp/test-posix-xl-XXXXXX";
char log_path[PATH_MAX];

/* One case's brick and graph. */
char brick[64];
gf_graph_t *graph;
gf_inode_table_t *itable;
uint64_t posix_blocks; /* posix's allocations right after init */



int group_setup(void **state)
{
    static const char *const modules[] = {"storage/posix", "debug/io-stats", NULL};

    xlt_dir_make(xl_dir, modules, "test-posix");
    snprintf(log_path, sizeof(log_path), "%s/test.log", xl_dir);
    return 0;
}

int group_teardown(void **state)
{
    return xlt_dir_remove(xl_dir);
}

/* Builds and initializes the brick graph over dir with volume_id; returns what
 * gf_graph_init returned (graph is NULL unless it succeeded). */
int start_brick(const char *dir, const char *volume_id)
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

gf_xlator_t *posix_xl(void)
{
    return gf_graph_find(graph, "test-posix");
}

int case_setup(void **state)
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

int case_teardown(void **state)
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
const pair_t *find_pair(const pair_t *v, size_t n, const char *key)
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
void call_as(uint32_t uid, uint32_t gid, gf_fop_t op, gf_args_t *args, result_t *res)
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

void call(gf_fop_t op, gf_args_t *args, result_t *res)
{
    call_as(0, 0, op, args, res);
}

/* Args naming name in the directory pargfid. */
gf_args_t entry_args(const uuid_t pargfid, const char *name)
{
    gf_args_t args = {0};

    uuid_copy(args.loc.pargfid, pargfid);
    args.loc.name = name;
    return args;
}

/* An xdata dict carrying gfid-req. */
gf_dict_t *gfid_req(const uuid_t gfid)
{
    gf_dict_t *xdata = gf_dict_new();

    assert_non_null(xdata);
    assert_int_equal(gf_dict_set_gfuuid(xdata, "gfid-req", gfid), 0);
    return xdata;
}

/* Creates name in pargfid with the given gfid-req (NULL: none), opened O_RDWR;
 * returns the open fd (one reference) and fills res. */
gf_fd_t *create_file(const uuid_t pargfid, const char *name, const uuid_t gfid,
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

void make_dir(const uuid_t pargfid, const char *name, const uuid_t gfid, result_t *res)
{
    gf_args_t args = entry_args(pargfid, name);

    args.mode = 0755;
    args.xdata = gfid_req(gfid);
    call(GF_FOP_MKDIR, &args, res);
    gf_dict_unref(args.xdata);
}

/* The path of gfid's handle under the brick. */
void handle_of(const uuid_t gfid, char *buf, size_t len)
{
    char text[37];

    uuid_unparse_lower(gfid, text);
    snprintf(buf, len, "%s/.glusterfs/%02x/%02x/%s", brick, gfid[0], gfid[1], text);
}

/* Asserts that path carries trusted.gfid equal to gfid. */
void assert_gfid_xattr(const char *path, const uuid_t gfid)
{
    uuid_t found;

    assert_int_equal(lgetxattr(path, "trusted.gfid", found, sizeof(found)), 16);
    assert_memory_equal(found, gfid, 16);
}

/* Number of descriptors the process holds. */
int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Writes text at offset through fd; asserts all of it was written. */
void write_text(gf_fd_t *fd, const char *text, int64_t offset)
{
    struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
    gf_args_t args = {.fd = fd, .vector = &iov, .count = 1, .offset = offset};
    result_t res;

    call(GF_FOP_WRITE, &args, &res);
    assert_int_equal(res.op_ret, (int32_t)strlen(text));
    assert_int_equal(res.poststat.ia_size, offset + strlen(text));
}

/* Reads up to size bytes at offset through fd into res. */
void read_at(gf_fd_t *fd, int64_t offset, uint64_t size, result_t *res)
{
    gf_args_t args = {.fd = fd, .offset = offset, .size = size};

    call(GF_FOP_READ, &args, res);
}

/* Opens the root directory. */
gf_fd_t *open_root(gf_inode_t **inode)
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
int find_entry(const result_t *res, const char *name)
{
    size_t i;

    for (i = 0; i < res->n_entries; i++)
        if (!strcmp(res->names[i], name))
            return (int)i;
    return -1;
}

int posix_test_run(const struct CMUnitTest *tests, size_t n, const char *name)
{
    if (geteuid() != 0) {
        fprintf(stderr, "%s: skipped, trusted.* xattrs need root\n", name);
        return 77; /* automake's "skipped" */
    }
    return _cmocka_run_group_tests(name, tests, n, group_setup, group_teardown);
}
