/*
 * Unit tests of the refcounted objects around open files: fds (reference on
 * the inode, release callbacks, ctx slots), per-connection fd tables (numbers,
 * reuse, bogus numbers, destroy releasing everything, concurrent use) and byte
 * buffers. Memory accounts must be back where they started after each case.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "glusterfs/buf.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/xlator.h"

static int release_calls;
static gf_fd_t *release_last;
static uint64_t release_ctx_seen;
static bool release_this_ok;

static void fake_release(gf_xlator_t *this, gf_fd_t *fd)
{
    release_calls++;
    release_last = fd;
    release_this_ok = gf_this == this;
    if (gf_fd_ctx_get(fd, this, &release_ctx_seen) != 0)
        release_ctx_seen = 0;
}

static const gf_xlator_desc_t fake_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "test/fake",
    .release = fake_release,
};

static const gf_xlator_desc_t silent_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "test/silent",
};

static gf_xlator_t fake_xl = {.name = "fake", .desc = &fake_desc};
static gf_xlator_t other_xl = {.name = "other", .desc = &fake_desc};
static gf_xlator_t silent_xl = {.name = "silent", .desc = &silent_desc};

/* Every case gets a table of its own, owned by the fake translator. */
typedef struct {
    gf_inode_table_t *table;
    gf_inode_t *inode; /* a linked file, referenced */
    uint64_t global_blocks;
} fixture_t;

static int setup(void **state)
{
    static fixture_t f;
    release_calls = 0;
    release_last = NULL;
    release_ctx_seen = 0;
    release_this_ok = false;
    memset(&fake_xl.mem_acct, 0, sizeof(fake_xl.mem_acct));
    f.global_blocks = gf_mem_global_acct.blocks;
    f.table = gf_inode_table_new(0, &fake_xl);
    gf_iatt_t ia;
    memset(&ia, 0, sizeof(ia));
    uuid_generate(ia.ia_gfid);
    ia.ia_mode = S_IFREG | 0644;
    gf_inode_t *root = gf_inode_table_root(f.table);
    gf_inode_t *fresh = gf_inode_new(f.table);
    f.inode = gf_inode_link(fresh, root, "file", &ia);
    gf_inode_unref(fresh);
    gf_inode_unref(root);
    *state = &f;
    return f.inode ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    gf_inode_unref(f->inode);
    gf_inode_table_destroy(f->table);
    assert_int_equal(fake_xl.mem_acct.blocks, 0);
    assert_int_equal(gf_mem_global_acct.blocks, f->global_blocks);
    return 0;
}

static gf_fd_t *open_fd(fixture_t *f, gf_xlator_t *xl, uint64_t value)
{
    gf_fd_t *fd = gf_fd_create(f->inode, O_RDWR, 1234);
    assert_non_null(fd);
    if (xl)
        assert_int_equal(gf_fd_ctx_set(fd, xl, value), 0);
    return fd;
}

static void test_fd_holds_inode(void **state)
{
    fixture_t *f = *state;
    assert_null(gf_fd_create(NULL, 0, 0));
    gf_fd_t *fd = open_fd(f, NULL, 0);
    assert_ptr_equal(fd->inode, f->inode);
    assert_int_equal(fd->flags, O_RDWR);
    assert_int_equal(fd->pid, 1234);

    gf_inode_t *inode = f->inode;
    f->inode = NULL;
    gf_inode_unref(inode); /* only the fd holds it now: not cached yet */
    assert_int_equal(gf_inode_table_lru_count(f->table), 0);
    gf_fd_unref(fd);
    assert_int_equal(gf_inode_table_lru_count(f->table), 1);
}

static void test_fd_release_at_last_unref(void **state)
{
    fixture_t *f = *state;
    gf_fd_t *fd = open_fd(f, &fake_xl, 77);
    assert_ptr_equal(gf_fd_ref(fd), fd);
    gf_fd_unref(fd);
    assert_int_equal(release_calls, 0);
    gf_fd_unref(fd);
    assert_int_equal(release_calls, 1);
    assert_ptr_equal(release_last, fd);
    assert_true(release_this_ok);
    assert_int_equal(release_ctx_seen, 77);
    assert_null(gf_this);
}

static void test_fd_release_only_for_ctx_holders(void **state)
{
    fixture_t *f = *state;
    gf_fd_t *fd = open_fd(f, &fake_xl, 1);
    assert_int_equal(gf_fd_ctx_set(fd, &other_xl, 2), 0);
    assert_int_equal(gf_fd_ctx_set(fd, &silent_xl, 3), 0);
    assert_int_equal(gf_fd_ctx_del(fd, &fake_xl, NULL), 0);
    gf_fd_unref(fd);
    assert_int_equal(release_calls, 1); /* other_xl only; silent_xl has no release */
    assert_int_equal(release_ctx_seen, 2);
}

static void test_fd_ctx(void **state)
{
    fixture_t *f = *state;
    gf_fd_t *fd = open_fd(f, NULL, 0);
    uint64_t v = 0;
    assert_int_equal(gf_fd_ctx_get(fd, &fake_xl, &v), -ENOENT);
    assert_int_equal(gf_fd_ctx_set(fd, &fake_xl, 5), 0);
    assert_int_equal(gf_fd_ctx_set(fd, &other_xl, 6), 0);
    assert_int_equal(gf_fd_ctx_set(fd, &fake_xl, 7), 0);
    assert_int_equal(gf_fd_ctx_get(fd, &fake_xl, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(gf_fd_ctx_get(fd, &other_xl, &v), 0);
    assert_int_equal(v, 6);
    assert_int_equal(gf_fd_ctx_del(fd, &other_xl, &v), 0);
    assert_int_equal(v, 6);
    assert_int_equal(gf_fd_ctx_del(fd, &other_xl, &v), -ENOENT);
    assert_int_equal(gf_fd_ctx_get(fd, &other_xl, &v), -ENOENT);
    gf_fd_unref(fd);
    assert_int_equal(release_calls, 1);
}

static void test_fdtable_add_get_remove(void **state)
{
    fixture_t *f = *state;
    gf_fdtable_t *t = gf_fdtable_new();
    gf_fd_t *fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = open_fd(f, NULL, 0);
        assert_int_equal(gf_fdtable_add(t, fds[i]), i);
    }
    assert_int_equal(gf_fdtable_add(t, NULL), -EINVAL);
    assert_int_equal(gf_fdtable_count(t), 3);
    for (int i = 0; i < 3; i++) {
        gf_fd_t *got = gf_fdtable_get(t, i);
        assert_ptr_equal(got, fds[i]);
        gf_fd_unref(got);
    }
    gf_fd_t *removed = gf_fdtable_remove(t, 1);
    assert_ptr_equal(removed, fds[1]);
    assert_null(gf_fdtable_get(t, 1));
    assert_null(gf_fdtable_remove(t, 1));
    assert_int_equal(gf_fdtable_count(t), 2);
    gf_fd_unref(removed);
    for (int i = 0; i < 3; i++)
        gf_fd_unref(fds[i]);
    gf_fdtable_destroy(t);
}

static void test_fdtable_reuses_lowest_slot(void **state)
{
    fixture_t *f = *state;
    gf_fdtable_t *t = gf_fdtable_new();
    gf_fd_t *fd = open_fd(f, NULL, 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(gf_fdtable_add(t, fd), i);
    gf_fd_unref(gf_fdtable_remove(t, 3));
    gf_fd_unref(gf_fdtable_remove(t, 1));
    assert_int_equal(gf_fdtable_add(t, fd), 1);
    assert_int_equal(gf_fdtable_add(t, fd), 3);
    assert_int_equal(gf_fdtable_add(t, fd), 5);
    assert_int_equal(gf_fdtable_count(t), 6);
    gf_fd_unref(fd);
    gf_fdtable_destroy(t);
}

static void test_fdtable_bogus_numbers(void **state)
{
    fixture_t *f = *state;
    gf_fdtable_t *t = gf_fdtable_new();
    const int64_t bogus[] = {0, 1, 16, -1, INT64_MIN, INT64_MAX, (int64_t)1 << 40};
    for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
        assert_null(gf_fdtable_get(t, bogus[i]));
        assert_null(gf_fdtable_remove(t, bogus[i]));
    }
    gf_fd_t *fd = open_fd(f, NULL, 0);
    assert_int_equal(gf_fdtable_add(t, fd), 0);
    for (size_t i = 1; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
        assert_null(gf_fdtable_get(t, bogus[i]));
        assert_null(gf_fdtable_remove(t, bogus[i]));
    }
    assert_int_equal(gf_fdtable_count(t), 1);
    gf_fd_unref(fd);
    gf_fdtable_destroy(t);
}

static void test_fdtable_destroy_releases_all(void **state)
{
    fixture_t *f = *state;
    enum { N = 40 }; /* more than the first allocation holds */
    gf_fdtable_t *t = gf_fdtable_new();
    for (int i = 0; i < N; i++) {
        gf_fd_t *fd = open_fd(f, &fake_xl, (uint64_t)i);
        assert_int_equal(gf_fdtable_add(t, fd), i);
        gf_fd_unref(fd);
    }
    gf_fd_unref(gf_fdtable_remove(t, 7));
    assert_int_equal(release_calls, 1);
    assert_int_equal(gf_fdtable_count(t), N - 1);
    gf_inode_t *inode = f->inode;
    f->inode = NULL;
    gf_inode_unref(inode); /* the fds keep it out of the LRU until destroy */
    assert_int_equal(gf_inode_table_lru_count(f->table), 0);
    gf_fdtable_destroy(t);
    assert_int_equal(release_calls, N);
    assert_int_equal(gf_inode_table_lru_count(f->table), 1);
}

/* Each thread adds, reads back and removes its own fds; non-NULL on a mismatch. */
static void *fd_worker(void *arg)
{
    gf_fdtable_t *t = ((void **)arg)[0];
    gf_fd_t *fd = ((void **)arg)[1];
    for (int i = 0; i < 2000; i++) {
        int64_t no = gf_fdtable_add(t, fd);
        gf_fd_t *got = gf_fdtable_get(t, no);
        gf_fd_t *out = gf_fdtable_remove(t, no);
        gf_fd_unref(got);
        gf_fd_unref(out);
        if (no < 0 || got != fd || out != fd)
            return (void *)1;
    }
    return NULL;
}

static void test_fdtable_concurrent(void **state)
{
    fixture_t *f = *state;
    enum { THREADS = 4 };
    gf_fdtable_t *t = gf_fdtable_new();
    pthread_t th[THREADS];
    void *args[THREADS][2];
    for (int i = 0; i < THREADS; i++) {
        args[i][0] = t;
        args[i][1] = open_fd(f, &fake_xl, (uint64_t)i);
        assert_int_equal(pthread_create(&th[i], NULL, fd_worker, args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        assert_null(ret);
        gf_fd_unref(args[i][1]);
    }
    assert_int_equal(gf_fdtable_count(t), 0);
    assert_int_equal(release_calls, THREADS);
    gf_fdtable_destroy(t);
}

static void test_buf_refcount(void **state)
{
    fixture_t *f = *state;
    gf_buf_t *buf = gf_buf_new(100);
    assert_non_null(buf);
    assert_int_equal(buf->size, 100);
    memset(buf->data, 'x', buf->size); /* the bytes are really there */
    assert_int_equal(gf_mem_global_acct.blocks, f->global_blocks + 1);
    assert_ptr_equal(gf_buf_ref(buf), buf);
    gf_buf_unref(buf);
    assert_int_equal(gf_mem_global_acct.blocks, f->global_blocks + 1);
    gf_buf_unref(buf);
    assert_int_equal(gf_mem_global_acct.blocks, f->global_blocks);
    assert_null(gf_buf_new(SIZE_MAX));
    assert_null(gf_buf_ref(NULL));
    gf_buf_unref(NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_fd_holds_inode),
        T(test_fd_release_at_last_unref),
        T(test_fd_release_only_for_ctx_holders),
        T(test_fd_ctx),
        T(test_fdtable_add_get_remove),
        T(test_fdtable_reuses_lowest_slot),
        T(test_fdtable_bogus_numbers),
        T(test_fdtable_destroy_releases_all),
        T(test_fdtable_concurrent),
        T(test_buf_refcount),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
