/*
 * Unit tests of features/locks, loaded for real over storage/posix (a brick
 * graph built from a volfile, as in test-posix): byte-range locks (conflicts,
 * owners, merging and splitting, F_GETLK, waiting requests granted in order,
 * release on flush and on the release of the fd), inode locks (domains, the
 * unlock rule, the protection of waiters), entry locks (names, the whole
 * directory), and everything of a client ending when it goes away.
 *
 * Calls come from fake clients: each request names a client (any distinct
 * pointer) and a lock owner. Waiting requests are seen as callbacks not yet
 * run; their order shows in a counter.
 *
 * The modules are found under TEST_XLATOR_DIR (the build's xlators/
 * directory). trusted.* xattrs of the brick need root: without it the program
 * reports itself skipped (exit 77).
 */
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

#define CLIENT_GONE     0x4c4b0001 /* the IPC ops of doc/locks.md */
#define CLIENT_FREED    0x4c4b0002
#define ENTRYLK_LOCK    0
#define ENTRYLK_UNLOCK  1
#define ENTRYLK_LOCK_NB 2
#define ENTRYLK_RDLCK   0
#define ENTRYLK_WRLCK   1

static const uuid_t root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static char xl_dir[] = "/tmp/test-locks-xl-XXXXXX";
static char brick[64];
static gf_graph_t *graph;
static gf_inode_table_t *itable;
static uint64_t locks_blocks; /* the translator's allocations after init */
static int answers;           /* answers seen so far, to tell their order */

/* A caller: its client connection and lock owner. */
typedef struct {
    void *client;
    const char *owner;
    uint32_t owner_len; /* 0: strlen(owner) */
} who_t;

static int client_a, client_b, client_c;
static const who_t A = {.client = &client_a, .owner = "owner-a"},
                   B = {.client = &client_b, .owner = "owner-b"},
                   C = {.client = &client_c, .owner = "owner-c"},
                   A2 = {.client = &client_a, .owner = "owner-a2"};

/* The answer to one request. */
typedef struct {
    bool done;
    int order; /* 1 for the first answer of the case, 2 for the next... */
    int32_t op_ret, op_errno;
    gf_flock_t flock;
} res_t;

static int group_setup(void **state)
{
    static const char *const modules[] = {"storage/posix", "features/locks", NULL};

    xlt_dir_make(xl_dir, modules, "test-locks");
    return 0;
}

static int group_teardown(void **state)
{
    return xlt_dir_remove(xl_dir);
}

static gf_xlator_t *locks_xl(void)
{
    return gf_graph_find(graph, "t-locks");
}

static int case_setup(void **state)
{
    char dir[] = "/tmp/test-locks-brick-XXXXXX", text[512], err[512] = "";
    gf_volfile_t *vf = NULL;

    assert_non_null(mkdtemp(dir));
    snprintf(brick, sizeof(brick), "%s", dir);
    snprintf(text, sizeof(text),
             "volume t-posix\n  type storage/posix\n  option directory %s\nend-volume\n"
             "volume t-locks\n  type features/locks\n  subvolumes t-posix\nend-volume\n",
             brick);
    assert_int_equal(gf_volfile_parse(text, strlen(text), &vf, err, sizeof(err)), 0);
    if (gf_graph_construct(vf, xl_dir, brick, &graph, err, sizeof(err)))
        fail_msg("construct: %s", err);
    gf_volfile_free(vf);
    if (gf_graph_init(graph, err, sizeof(err)))
        fail_msg("init: %s", err);
    itable = gf_inode_table_new(0, NULL);
    assert_non_null(itable);
    locks_blocks = locks_xl()->mem_acct.blocks;
    answers = 0;
    return 0;
}

static int case_teardown(void **state)
{
    char cmd[PATH_MAX + 16];
    uint64_t blocks;

    gf_inode_table_destroy(itable); /* forgets every inode: the ctxs go */
    itable = NULL;
    blocks = locks_xl()->mem_acct.blocks;
    gf_graph_fini(graph);
    graph = NULL;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", brick);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(blocks, locks_blocks); /* no lock, waiter or ctx left behind */
    return 0;
}

/* ---- calls --------------------------------------------------------------------------------- */

static int answer_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    res_t *res = cookie;

    res->done = true;
    res->order = ++answers;
    res->op_ret = rsp->op_ret;
    res->op_errno = rsp->op_errno;
    res->flock = rsp->flock;
    gf_frame_root_destroy(frame);
    return 0;
}

/* Winds op with args to the locks translator as w; res is filled when (and
 * if) the call is answered. */
static void call(const who_t *w, gf_fop_t op, gf_args_t *args, res_t *res)
{
    gf_frame_t *root = gf_frame_root_new(NULL);

    assert_non_null(root);
    memset(res, 0, sizeof(*res));
    root->root->client = w->client;
    root->root->pid = 100;
    root->root->lk_owner_len = w->owner_len ? w->owner_len : (uint32_t)strlen(w->owner);
    memcpy(root->root->lk_owner, w->owner, root->root->lk_owner_len);
    gf_wind(root, locks_xl(), op, args, answer_cbk, res);
}

/* A linked inode of a new gfid (the caller holds a reference). */
static gf_inode_t *some_inode(mode_t type)
{
    gf_inode_t *fresh = gf_inode_new(itable), *linked;
    gf_iatt_t ia = {.ia_mode = type | 0644};

    uuid_generate(ia.ia_gfid);
    linked = gf_inode_link(fresh, NULL, NULL, &ia);
    gf_inode_unref(fresh);
    assert_non_null(linked);
    return linked;
}

/* An fd on a new file of the brick, made through the graph. */
static gf_fd_t *new_file(const char *name)
{
    gf_args_t args = {.flags = O_RDWR, .mode = 0644};
    gf_inode_t *inode = gf_inode_new(itable);
    res_t res;

    uuid_copy(args.loc.pargfid, root_gfid);
    args.loc.name = name;
    args.loc.inode = inode;
    args.fd = gf_fd_create(inode, O_RDWR, 0);
    call(&A, GF_FOP_CREATE, &args, &res);
    assert_int_equal(res.op_ret, 0);
    gf_inode_unref(inode);
    return args.fd;
}

static void lk(const who_t *w, gf_fd_t *fd, int cmd, int16_t type, int64_t start, int64_t len,
               res_t *res)
{
    gf_args_t args = {.fd = fd, .cmd = cmd};

    args.flock = (gf_flock_t){.l_type = type, .l_start = start, .l_len = len, .l_pid = 7};
    call(w, GF_FOP_LK, &args, res);
}

static void inodelk(const who_t *w, gf_inode_t *inode, const char *domain, int cmd, int16_t type,
                    int64_t start, int64_t len, res_t *res)
{
    gf_args_t args = {.cmd = cmd, .volume = domain};

    args.loc.inode = inode;
    args.flock = (gf_flock_t){.l_type = type, .l_start = start, .l_len = len};
    call(w, GF_FOP_INODELK, &args, res);
}

static void entrylk(const who_t *w, gf_inode_t *dir, const char *domain, int cmd, int type,
                    const char *name, res_t *res)
{
    gf_args_t args = {.cmd = cmd, .flags = type, .name = name, .volume = domain};

    args.loc.inode = dir;
    call(w, GF_FOP_ENTRYLK, &args, res);
}

/* Sends the IPC op about client, as protocol/server does. */
static void client_event(void *client, int op)
{
    const who_t w = {.client = client, .owner = "any"};
    gf_args_t args = {.flags = op};
    res_t res;

    call(&w, GF_FOP_IPC, &args, &res);
    assert_true(res.done);
    assert_int_equal(res.op_ret, 0);
}

/* A client's connection ended and its last call is over. */
static void client_gone(void *client)
{
    client_event(client, CLIENT_GONE);
    client_event(client, CLIENT_FREED);
}

static void assert_ok(const res_t *res)
{
    assert_true(res->done);
    assert_int_equal(res->op_ret, 0);
}

static void assert_fails(const res_t *res, int err)
{
    assert_true(res->done);
    assert_int_equal(res->op_ret, -1);
    assert_int_equal(res->op_errno, err);
}

/* ---- posix locks --------------------------------------------------------------------------- */

static void test_posix_conflicts_and_getlk(void **state)
{
    gf_fd_t *fd = new_file("f");
    res_t r;

    lk(&A, fd, F_SETLK, F_WRLCK, 0, 100, &r);
    assert_ok(&r);
    lk(&B, fd, F_SETLK, F_RDLCK, 50, 10, &r);
    assert_fails(&r, EAGAIN);
    lk(&A2, fd, F_SETLK, F_RDLCK, 50, 10, &r); /* same client, another owner */
    assert_fails(&r, EAGAIN);
    lk(&B, fd, F_GETLK, F_RDLCK, 99, 1, &r);
    assert_ok(&r);
    assert_int_equal(r.flock.l_type, F_WRLCK);
    assert_int_equal(r.flock.l_start, 0);
    assert_int_equal(r.flock.l_len, 100);
    assert_int_equal(r.flock.l_pid, 7);
    assert_int_equal(r.flock.owner_len, strlen("owner-a"));
    assert_memory_equal(r.flock.owner, "owner-a", r.flock.owner_len);
    lk(&B, fd, F_GETLK, F_WRLCK, 100, 0, &r); /* past A's range: free */
    assert_int_equal(r.flock.l_type, F_UNLCK);
    lk(&B, fd, F_SETLK, F_WRLCK, 100, 0, &r); /* to the end of the file */
    assert_ok(&r);
    lk(&A, fd, F_GETLK, F_RDLCK, 1 << 30, 1, &r);
    assert_int_equal(r.flock.l_type, F_WRLCK);
    assert_int_equal(r.flock.l_len, 0);
    lk(&A, fd, F_SETLK, F_WRLCK, -1, 1, &r);
    assert_fails(&r, EINVAL);
    gf_fd_unref(fd);
}

static void test_posix_read_locks_share(void **state)
{
    gf_fd_t *fd = new_file("f");
    res_t r;

    lk(&A, fd, F_SETLK, F_RDLCK, 0, 10, &r);
    assert_ok(&r);
    lk(&B, fd, F_SETLK, F_RDLCK, 5, 10, &r);
    assert_ok(&r);
    lk(&C, fd, F_SETLK, F_WRLCK, 9, 1, &r);
    assert_fails(&r, EAGAIN);
    lk(&C, fd, F_SETLK, F_WRLCK, 15, 1, &r);
    assert_ok(&r);
    lk(&A, fd, F_SETLK, F_WRLCK, 0, 5, &r); /* A upgrades the part nobody else reads */
    assert_ok(&r);
    gf_fd_unref(fd);
}

static void test_posix_owner_merges_and_splits(void **state)
{
    gf_fd_t *fd = new_file("f");
    res_t r;

    lk(&A, fd, F_SETLK, F_WRLCK, 0, 10, &r);
    lk(&A, fd, F_SETLK, F_WRLCK, 10, 10, &r); /* touches: one lock 0-19 */
    lk(&B, fd, F_GETLK, F_RDLCK, 15, 1, &r);
    assert_int_equal(r.flock.l_start, 0);
    assert_int_equal(r.flock.l_len, 20);
    lk(&A, fd, F_SETLK, F_UNLCK, 5, 10, &r); /* splits it: 0-4 and 15-19 */
    assert_ok(&r);
    lk(&B, fd, F_GETLK, F_RDLCK, 7, 1, &r);
    assert_int_equal(r.flock.l_type, F_UNLCK);
    lk(&B, fd, F_GETLK, F_RDLCK, 2, 1, &r);
    assert_int_equal(r.flock.l_start, 0);
    assert_int_equal(r.flock.l_len, 5);
    lk(&B, fd, F_GETLK, F_RDLCK, 17, 1, &r);
    assert_int_equal(r.flock.l_start, 15);
    assert_int_equal(r.flock.l_len, 5);
    lk(&A, fd, F_SETLK, F_RDLCK, 0, 20, &r); /* replaces both by one read lock */
    lk(&B, fd, F_SETLK, F_RDLCK, 0, 20, &r);
    assert_ok(&r);
    lk(&A, fd, F_SETLK, F_UNLCK, 100, 10, &r); /* unlocking nothing succeeds */
    assert_ok(&r);
    gf_fd_unref(fd);
}

static void test_posix_waiters_granted_in_order(void **state)
{
    gf_fd_t *fd = new_file("f");
    res_t a, b, c, u;

    lk(&A, fd, F_SETLK, F_WRLCK, 0, 0, &a);
    assert_ok(&a);
    lk(&B, fd, F_SETLKW, F_WRLCK, 0, 10, &b);
    lk(&C, fd, F_SETLKW, F_WRLCK, 5, 10, &c);
    assert_false(b.done); /* waiting, no thread blocked: the call returned */
    assert_false(c.done);
    lk(&A, fd, F_SETLK, F_UNLCK, 0, 0, &u);
    assert_ok(&u);
    assert_ok(&b); /* the first to ask */
    assert_int_equal(b.flock.l_type, F_WRLCK);
    assert_int_equal(b.flock.l_len, 10);
    assert_false(c.done); /* still stopped by B */
    lk(&B, fd, F_SETLK, F_UNLCK, 0, 10, &u);
    assert_ok(&c);
    assert_true(b.order < u.order && u.order > c.order); /* C answered within B's unlock */
    lk(&C, fd, F_SETLK, F_UNLCK, 0, 0, &u);
    gf_fd_unref(fd);
}

static void test_posix_flush_ends_owner_locks(void **state)
{
    gf_fd_t *fd = new_file("f");
    gf_args_t args = {.fd = fd};
    res_t r, w;

    lk(&A, fd, F_SETLK, F_WRLCK, 0, 10, &r);
    lk(&A2, fd, F_SETLK, F_WRLCK, 20, 10, &r);
    lk(&B, fd, F_SETLKW, F_WRLCK, 0, 30, &w);
    assert_false(w.done);
    call(&A, GF_FOP_FLUSH, &args, &r); /* A's close: A's locks go, not A2's */
    assert_ok(&r);
    assert_false(w.done);
    lk(&B, fd, F_SETLK, F_WRLCK, 0, 10, &r);
    assert_ok(&r);
    call(&A2, GF_FOP_FLUSH, &args, &r);
    assert_ok(&w);
    lk(&B, fd, F_SETLK, F_UNLCK, 0, 0, &r);
    gf_fd_unref(fd);
}

static void test_posix_release_ends_fd_locks(void **state)
{
    gf_fd_t *fd = new_file("f"), *other = gf_fd_create(fd->inode, O_RDWR, 0);
    res_t r;

    lk(&A, other, F_SETLK, F_WRLCK, 0, 0, &r);
    assert_ok(&r);
    lk(&B, fd, F_SETLK, F_RDLCK, 0, 1, &r);
    assert_fails(&r, EAGAIN);
    gf_fd_unref(other); /* the last reference: released */
    lk(&B, fd, F_SETLK, F_RDLCK, 0, 1, &r);
    assert_ok(&r);
    lk(&B, fd, F_SETLK, F_UNLCK, 0, 0, &r);
    gf_fd_unref(fd);
}

/* ---- inode locks ---------------------------------------------------------------------------- */

static void test_inodelk_domains_and_unlock_rule(void **state)
{
    gf_inode_t *ino = some_inode(S_IFREG);
    res_t r;

    inodelk(&A, ino, "dom1", F_SETLK, F_WRLCK, 0, 0, &r);
    assert_ok(&r);
    inodelk(&B, ino, "dom1", F_SETLK, F_WRLCK, 0, 1, &r);
    assert_fails(&r, EAGAIN);
    inodelk(&B, ino, "dom2", F_SETLK, F_WRLCK, 0, 0, &r); /* another domain */
    assert_ok(&r);
    inodelk(&A, ino, "dom1", F_SETLK, F_WRLCK, 0, 10, &r); /* nested: same owner */
    assert_ok(&r);
    inodelk(&A, ino, "dom1", F_SETLK, F_UNLCK, 0, 5, &r); /* no lock of that range */
    assert_fails(&r, EINVAL);
    inodelk(&B, ino, "dom1", F_SETLK, F_UNLCK, 0, 10, &r); /* not B's */
    assert_fails(&r, EINVAL);
    inodelk(&A, ino, "dom1", F_GETLK, F_WRLCK, 0, 0, &r);
    assert_fails(&r, ENOTSUP);
    inodelk(&A, ino, "dom1", F_SETLK, F_UNLCK, 0, 10, &r);
    assert_ok(&r);
    inodelk(&A, ino, "dom1", F_SETLK, F_UNLCK, 0, 0, &r);
    assert_ok(&r);
    inodelk(&B, ino, "dom1", F_SETLK, F_WRLCK, 0, 1, &r);
    assert_ok(&r);
    inodelk(&B, ino, "dom1", F_SETLK, F_UNLCK, 0, 1, &r);
    inodelk(&B, ino, "dom2", F_SETLK, F_UNLCK, 0, 0, &r);
    assert_ok(&r);
    gf_inode_unref(ino);
}

static void test_inodelk_needs_an_owner(void **state)
{
    gf_inode_t *ino = some_inode(S_IFREG);
    const who_t nobody = {.client = &client_a, .owner = ""};
    const who_t zeros = {.client = &client_a, .owner = "\0\0\0\0", .owner_len = 4};
    gf_args_t args = {.cmd = F_SETLK, .volume = "d"};
    res_t r;

    inodelk(&nobody, ino, "d", F_SETLK, F_WRLCK, 0, 0, &r);
    assert_fails(&r, EINVAL);
    args.loc.inode = ino;
    args.flock.l_type = F_WRLCK;
    call(&zeros, GF_FOP_INODELK, &args, &r); /* an owner of zeros is no owner */
    assert_fails(&r, EINVAL);
    gf_inode_unref(ino);
}

static void test_inodelk_waiters_not_starved(void **state)
{
    gf_inode_t *ino = some_inode(S_IFREG);
    res_t a, b, c, n, u;

    inodelk(&A, ino, "d", F_SETLK, F_RDLCK, 0, 0, &a);
    inodelk(&B, ino, "d", F_SETLKW, F_WRLCK, 0, 0, &b);
    assert_false(b.done);
    inodelk(&C, ino, "d", F_SETLK, F_RDLCK, 0, 0, &c); /* would share with A, but B waits */
    assert_fails(&c, EAGAIN);
    inodelk(&C, ino, "d", F_SETLKW, F_RDLCK, 0, 0, &c);
    assert_false(c.done);
    inodelk(&A, ino, "d", F_SETLK, F_RDLCK, 0, 0, &n); /* A holds one: nested, granted */
    assert_ok(&n);
    inodelk(&A, ino, "d", F_SETLK, F_UNLCK, 0, 0, &u);
    assert_false(b.done);
    inodelk(&A, ino, "d", F_SETLK, F_UNLCK, 0, 0, &u);
    assert_ok(&b);
    assert_false(c.done);
    inodelk(&B, ino, "d", F_SETLK, F_UNLCK, 0, 0, &u);
    assert_ok(&c);
    inodelk(&C, ino, "d", F_SETLK, F_UNLCK, 0, 0, &u);
    assert_ok(&u);
    gf_inode_unref(ino);
}

/* ---- entry locks ---------------------------------------------------------------------------- */

static void test_entrylk_names(void **state)
{
    gf_inode_t *dir = some_inode(S_IFDIR);
    res_t r;

    entrylk(&A, dir, "dht", ENTRYLK_LOCK_NB, ENTRYLK_WRLCK, "x", &r);
    assert_ok(&r);
    entrylk(&B, dir, "dht", ENTRYLK_LOCK_NB, ENTRYLK_WRLCK, "y", &r);
    assert_ok(&r);
    entrylk(&B, dir, "dht", ENTRYLK_LOCK_NB, ENTRYLK_WRLCK, "x", &r);
    assert_fails(&r, EAGAIN);
    entrylk(&B, dir, "dht", ENTRYLK_LOCK_NB, ENTRYLK_WRLCK, NULL, &r); /* every name */
    assert_fails(&r, EAGAIN);
    entrylk(&A, dir, "dht", ENTRYLK_LOCK_NB, ENTRYLK_RDLCK, "z", &r);
    entrylk(&B, dir, "dht", ENTRYLK_LOCK_NB, ENTRYLK_RDLCK, "z", &r); /* types do not matter */
    assert_fails(&r, EAGAIN);
    entrylk(&B, dir, "other", ENTRYLK_LOCK_NB, ENTRYLK_WRLCK, "x", &r); /* another domain */
    assert_ok(&r);
    entrylk(&A, dir, "dht", ENTRYLK_UNLOCK, ENTRYLK_RDLCK, "x", &r); /* held as a write lock */
    assert_fails(&r, EINVAL);
    entrylk(&A, dir, "dht", ENTRYLK_UNLOCK, ENTRYLK_WRLCK, "x", &r);
    assert_ok(&r);
    entrylk(&A, dir, "dht", ENTRYLK_UNLOCK, ENTRYLK_RDLCK, "z", &r);
    entrylk(&B, dir, "dht", ENTRYLK_UNLOCK, ENTRYLK_WRLCK, "y", &r);
    entrylk(&B, dir, "other", ENTRYLK_UNLOCK, ENTRYLK_WRLCK, "x", &r);
    assert_ok(&r);
    entrylk(&A, dir, "dht", 9, ENTRYLK_WRLCK, "x", &r);
    assert_fails(&r, EINVAL);
    gf_inode_unref(dir);
}

static void test_entrylk_waiters(void **state)
{
    gf_inode_t *dir = some_inode(S_IFDIR);
    res_t a, b, c, u;

    entrylk(&A, dir, "d", ENTRYLK_LOCK, ENTRYLK_WRLCK, NULL, &a); /* the whole directory */
    assert_ok(&a);
    entrylk(&B, dir, "d", ENTRYLK_LOCK, ENTRYLK_WRLCK, "x", &b);
    entrylk(&C, dir, "d", ENTRYLK_LOCK, ENTRYLK_WRLCK, "y", &c);
    assert_false(b.done);
    assert_false(c.done);
    entrylk(&A, dir, "d", ENTRYLK_UNLOCK, ENTRYLK_WRLCK, NULL, &u);
    assert_ok(&b);
    assert_ok(&c); /* x and y do not clash: both go, in order */
    assert_true(b.order < c.order);
    entrylk(&B, dir, "d", ENTRYLK_UNLOCK, ENTRYLK_WRLCK, "x", &u);
    entrylk(&C, dir, "d", ENTRYLK_UNLOCK, ENTRYLK_WRLCK, "y", &u);
    assert_ok(&u);
    gf_inode_unref(dir);
}

/* ---- a client going away --------------------------------------------------------------------- */

static void test_client_gone_ends_its_locks(void **state)
{
    gf_inode_t *ino = some_inode(S_IFREG), *dir = some_inode(S_IFDIR);
    gf_fd_t *fd = new_file("f");
    res_t r, pw, iw, ew, aw;

    lk(&A, fd, F_SETLK, F_WRLCK, 0, 0, &r);
    inodelk(&A, ino, "d", F_SETLK, F_WRLCK, 0, 0, &r);
    entrylk(&A, dir, "d", ENTRYLK_LOCK, ENTRYLK_WRLCK, "name", &r);
    inodelk(&B, ino, "e", F_SETLK, F_WRLCK, 0, 0, &r);
    lk(&B, fd, F_SETLKW, F_RDLCK, 0, 1, &pw);
    inodelk(&B, ino, "d", F_SETLKW, F_WRLCK, 0, 0, &iw);
    entrylk(&B, dir, "d", ENTRYLK_LOCK, ENTRYLK_WRLCK, NULL, &ew);
    inodelk(&A2, ino, "e", F_SETLKW, F_WRLCK, 0, 0, &aw); /* A waits behind B */
    assert_false(pw.done || iw.done || ew.done || aw.done);

    client_gone(&client_a);
    assert_ok(&pw); /* what A held is free: B's waiters are granted */
    assert_ok(&iw);
    assert_ok(&ew);
    assert_fails(&aw, EAGAIN); /* A's own waiter is answered */
    client_gone(&client_a);    /* nothing left of A: harmless */

    lk(&C, fd, F_SETLK, F_RDLCK, 0, 1, &r); /* B's read lock shares */
    assert_ok(&r);
    client_gone(&client_b);
    client_gone(&client_c);
    inodelk(&A, ino, "e", F_SETLK, F_WRLCK, 0, 0, &r);
    assert_ok(&r);
    inodelk(&A, ino, "e", F_SETLK, F_UNLCK, 0, 0, &r);
    gf_fd_unref(fd);
    gf_inode_unref(ino);
    gf_inode_unref(dir);
}

/* An inode is referenced only while it holds locks or waiters. */
static void test_inode_held_only_while_locked(void **state)
{
    gf_inode_t *ino = some_inode(S_IFREG);
    res_t r;

    inodelk(&A, ino, "d", F_SETLK, F_WRLCK, 0, 0, &r);
    gf_inode_unref(ino);
    assert_int_equal(gf_inode_table_lru_count(itable), 0); /* the lock keeps it */
    client_gone(&client_a);
    assert_int_equal(gf_inode_table_lru_count(itable), 1); /* unreferenced now */
}

/* A request that arrives after its client went away (it was on its way) gets
 * nothing; once the client is freed, its address may serve a new client. */
static void test_requests_after_client_gone(void **state)
{
    gf_inode_t *ino = some_inode(S_IFREG);
    res_t r, w;

    inodelk(&A, ino, "d", F_SETLK, F_WRLCK, 0, 0, &r);
    client_event(&client_b, CLIENT_GONE);
    inodelk(&B, ino, "d", F_SETLKW, F_WRLCK, 0, 0, &w); /* would wait forever */
    assert_fails(&w, EAGAIN);
    inodelk(&B, ino, "e", F_SETLK, F_WRLCK, 0, 0, &r); /* granted, and dropped at once */
    inodelk(&C, ino, "e", F_SETLK, F_WRLCK, 0, 0, &r);
    assert_ok(&r);
    client_event(&client_b, CLIENT_FREED);
    inodelk(&B, ino, "f", F_SETLK, F_WRLCK, 0, 0, &r); /* a new client at that address */
    assert_ok(&r);
    inodelk(&C, ino, "f", F_SETLK, F_WRLCK, 0, 0, &r);
    assert_fails(&r, EAGAIN);
    client_gone(&client_a);
    client_gone(&client_b);
    client_gone(&client_c);
    gf_inode_unref(ino);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, case_setup, case_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(test_posix_conflicts_and_getlk),
        CASE(test_posix_read_locks_share),
        CASE(test_posix_owner_merges_and_splits),
        CASE(test_posix_waiters_granted_in_order),
        CASE(test_posix_flush_ends_owner_locks),
        CASE(test_posix_release_ends_fd_locks),
        CASE(test_inodelk_domains_and_unlock_rule),
        CASE(test_inodelk_needs_an_owner),
        CASE(test_inodelk_waiters_not_starved),
        CASE(test_entrylk_names),
        CASE(test_entrylk_waiters),
        CASE(test_client_gone_ends_its_locks),
        CASE(test_inode_held_only_while_locked),
        CASE(test_requests_after_client_gone),
    };

    if (geteuid() != 0) {
        fprintf(stderr, "test-locks: skipped, the brick's trusted.* xattrs need root\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
