/*
 * Unit tests of the inode table: linking by gfid and by name, unlink, rename,
 * the root inode, gfid collisions, the LRU (order, limit, pinning, cascades),
 * forget callbacks, per-translator ctx, and concurrent use. Every table here
 * belongs to a fake translator whose memory account must be empty again once
 * the table is destroyed, so leaks fail the tests too.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "glusterfs/inode.h"
#include "glusterfs/xlator.h"

static int forget_calls;
static gf_inode_t *forget_last;
static uint64_t forget_ctx_seen;
static bool forget_this_ok;

static void fake_forget(gf_xlator_t *this, gf_inode_t *inode)
{
    forget_calls++;
    forget_last = inode;
    forget_this_ok = gf_this == this;
    if (gf_inode_ctx_get(inode, this, &forget_ctx_seen) != 0)
        forget_ctx_seen = 0;
}

static const gf_xlator_desc_t fake_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "test/fake",
    .forget = fake_forget,
};

static gf_xlator_t fake_xl = {.name = "fake", .desc = &fake_desc};

static const uuid_t root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static int setup(void **state)
{
    forget_calls = 0;
    forget_last = NULL;
    forget_ctx_seen = 0;
    forget_this_ok = false;
    memset(&fake_xl.mem_acct, 0, sizeof(fake_xl.mem_acct));
    return 0;
}

static gf_inode_table_t *table(size_t lru_limit)
{
    gf_inode_table_t *t = gf_inode_table_new(lru_limit, &fake_xl);
    assert_non_null(t);
    return t;
}

/* Destroys t and checks that it gave back all it allocated. */
static void table_done(gf_inode_table_t *t)
{
    gf_inode_table_destroy(t);
    assert_int_equal(fake_xl.mem_acct.blocks, 0);
    assert_int_equal(fake_xl.mem_acct.bytes, 0);
}

static gf_iatt_t iatt(const uuid_t gfid, uint32_t mode)
{
    gf_iatt_t ia;
    memset(&ia, 0, sizeof(ia));
    uuid_copy(ia.ia_gfid, gfid);
    ia.ia_mode = mode;
    return ia;
}

/* Links a fresh inode with a random gfid as parent/name; returns it referenced. */
static gf_inode_t *make(gf_inode_table_t *t, gf_inode_t *parent, const char *name,
                        uint32_t mode)
{
    uuid_t gfid;
    uuid_generate(gfid);
    gf_iatt_t ia = iatt(gfid, mode);
    gf_inode_t *fresh = gf_inode_new(t);
    assert_non_null(fresh);
    gf_inode_t *linked = gf_inode_link(fresh, parent, name, &ia);
    assert_ptr_equal(linked, fresh);
    gf_inode_unref(fresh);
    return linked;
}

/* Links and drops an inode; returns its gfid in out. */
static void make_cached(gf_inode_table_t *t, gf_inode_t *parent, const char *name, uuid_t out)
{
    gf_inode_t *inode = make(t, parent, name, S_IFREG | 0644);
    gf_inode_gfid(inode, out);
    gf_inode_unref(inode);
}

static bool present(gf_inode_table_t *t, const uuid_t gfid)
{
    gf_inode_t *inode = gf_inode_find(t, gfid);
    gf_inode_unref(inode);
    return inode != NULL;
}

static void test_root_present(void **state)
{
    gf_inode_table_t *t = table(4);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *found = gf_inode_find(t, root_gfid);
    assert_non_null(root);
    assert_ptr_equal(root, found);
    assert_int_equal(root->ia_type, S_IFDIR);
    uuid_t gfid;
    gf_inode_gfid(root, gfid);
    assert_int_equal(uuid_compare(gfid, root_gfid), 0);
    gf_inode_unref(found);
    gf_inode_unref(root);
    assert_int_equal(gf_inode_table_count(t), 1);
    assert_int_equal(gf_inode_table_lru_count(t), 0);
    assert_ptr_equal(gf_inode_table_xlator(t), &fake_xl);
    table_done(t);
}

static void test_link_find_grep(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *file = make(t, root, "a", S_IFREG | 0600);
    uuid_t gfid;
    gf_inode_gfid(file, gfid);
    assert_false(uuid_is_null(gfid));
    assert_int_equal(file->ia_type, S_IFREG);
    assert_int_equal(file->mode, S_IFREG | 0600);

    gf_inode_t *byid = gf_inode_find(t, gfid);
    gf_inode_t *byname = gf_inode_grep(t, root, "a");
    assert_ptr_equal(byid, file);
    assert_ptr_equal(byname, file);
    assert_null(gf_inode_grep(t, root, "b"));
    gf_inode_unref(byid);
    gf_inode_unref(byname);
    gf_inode_unref(file);
    gf_inode_unref(root);
    table_done(t);
}

static void test_fresh_inode_unlinked(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *inode = gf_inode_new(t);
    uuid_t gfid;
    gf_inode_gfid(inode, gfid);
    assert_true(uuid_is_null(gfid));
    assert_int_equal(gf_inode_table_count(t), 2);
    gf_inode_unref(inode);
    assert_int_equal(gf_inode_table_count(t), 1);
    assert_int_equal(gf_inode_table_lru_count(t), 0);
    table_done(t);
}

static void test_link_without_name(void **state)
{
    gf_inode_table_t *t = table(0);
    uuid_t gfid;
    uuid_generate(gfid);
    gf_iatt_t ia = iatt(gfid, S_IFDIR | 0755);
    gf_inode_t *fresh = gf_inode_new(t);
    gf_inode_t *linked = gf_inode_link(fresh, NULL, NULL, &ia);
    gf_inode_unref(fresh);
    assert_ptr_equal(linked, fresh);
    gf_inode_unref(linked);
    assert_int_equal(gf_inode_table_lru_count(t), 1);
    assert_true(present(t, gfid));
    table_done(t);
}

static void test_gfid_collision(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *first = make(t, root, "one", S_IFREG | 0644);
    gf_iatt_t ia = iatt(first->gfid, S_IFREG | 0600);

    gf_inode_t *second = gf_inode_new(t);
    gf_inode_t *linked = gf_inode_link(second, root, "two", &ia);
    assert_ptr_equal(linked, first);
    assert_true(uuid_is_null(second->gfid));
    assert_int_equal(first->mode, S_IFREG | 0600);
    gf_inode_unref(second);
    assert_int_equal(gf_inode_table_count(t), 2);

    gf_inode_t *a = gf_inode_grep(t, root, "one");
    gf_inode_t *b = gf_inode_grep(t, root, "two");
    assert_ptr_equal(a, first);
    assert_ptr_equal(b, first);
    gf_inode_unref(a);
    gf_inode_unref(b);
    gf_inode_unref(linked);
    gf_inode_unref(first);
    gf_inode_unref(root);
    table_done(t);
}

static void test_link_rejects_bad_input(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *file = make(t, root, "f", S_IFREG | 0644);
    gf_inode_t *fresh = gf_inode_new(t);
    uuid_t gfid;
    uuid_generate(gfid);
    gf_iatt_t ia = iatt(gfid, S_IFREG | 0644);
    gf_iatt_t null_ia = iatt(gfid, S_IFREG | 0644);
    uuid_clear(null_ia.ia_gfid);

    assert_null(gf_inode_link(fresh, root, "x", &null_ia));
    assert_null(gf_inode_link(fresh, root, "a/b", &ia));
    assert_null(gf_inode_link(fresh, root, "", &ia));
    assert_null(gf_inode_link(fresh, root, NULL, &ia));
    assert_null(gf_inode_link(fresh, file, "x", &ia)); /* parent not a directory */
    assert_null(gf_inode_link(file, root, "g", &ia));  /* already linked elsewhere */
    assert_null(gf_inode_link(NULL, root, "x", &ia));
    assert_true(uuid_is_null(fresh->gfid));
    assert_false(present(t, gfid));

    gf_inode_t *unlinked_parent = gf_inode_new(t);
    assert_null(gf_inode_link(fresh, unlinked_parent, "x", &ia));
    gf_inode_unref(unlinked_parent);
    gf_inode_unref(fresh);
    gf_inode_unref(file);
    gf_inode_unref(root);
    table_done(t);
}

static void test_unlink(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *file = make(t, root, "a", S_IFREG | 0644);
    gf_inode_t *other = make(t, root, "b", S_IFREG | 0644);

    assert_int_equal(gf_inode_unlink(other, root, "a"), -ENOENT);
    gf_inode_t *still = gf_inode_grep(t, root, "a");
    assert_ptr_equal(still, file);
    gf_inode_unref(still);

    assert_int_equal(gf_inode_unlink(file, root, "a"), 0);
    assert_null(gf_inode_grep(t, root, "a"));
    assert_true(present(t, file->gfid));
    assert_int_equal(gf_inode_unlink(file, root, "a"), -ENOENT);
    assert_int_equal(gf_inode_unlink(NULL, root, "b"), 0);
    assert_null(gf_inode_grep(t, root, "b"));

    gf_inode_unref(other);
    gf_inode_unref(file);
    gf_inode_unref(root);
    table_done(t);
}

static void test_rename(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *d1 = make(t, root, "d1", S_IFDIR | 0755);
    gf_inode_t *d2 = make(t, root, "d2", S_IFDIR | 0755);
    gf_inode_t *x = make(t, d1, "x", S_IFREG | 0644);
    gf_inode_t *y = make(t, d2, "y", S_IFREG | 0644);

    assert_int_equal(gf_inode_rename(t, d1, "x", d2, "y", x), 0);
    assert_null(gf_inode_grep(t, d1, "x"));
    gf_inode_t *now = gf_inode_grep(t, d2, "y");
    assert_ptr_equal(now, x);
    gf_inode_unref(now);
    assert_true(present(t, y->gfid)); /* replaced name, inode still known by gfid */

    /* A missing old name is fine; a bad new parent is not. */
    assert_int_equal(gf_inode_rename(t, d1, "nothing", d1, "z", y), 0);
    now = gf_inode_grep(t, d1, "z");
    assert_ptr_equal(now, y);
    gf_inode_unref(now);
    assert_int_equal(gf_inode_rename(t, d1, "z", x, "w", y), -EINVAL);
    assert_int_equal(gf_inode_rename(t, d1, "z", NULL, "w", y), -EINVAL);

    gf_inode_unref(x);
    gf_inode_unref(y);
    gf_inode_unref(d1);
    gf_inode_unref(d2);
    gf_inode_unref(root);
    table_done(t);
}

static void test_directory_keeps_one_name(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *dir = make(t, root, "a", S_IFDIR | 0755);
    gf_iatt_t ia = iatt(dir->gfid, S_IFDIR | 0755);
    gf_inode_t *again = gf_inode_link(dir, root, "b", &ia);
    assert_ptr_equal(again, dir);
    assert_null(gf_inode_grep(t, root, "a"));
    gf_inode_t *b = gf_inode_grep(t, root, "b");
    assert_ptr_equal(b, dir);
    gf_inode_unref(b);
    gf_inode_unref(again);
    gf_inode_unref(dir);
    gf_inode_unref(root);
    table_done(t);
}

static void test_no_directory_loops(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *a = make(t, root, "a", S_IFDIR | 0755);
    gf_inode_t *b = make(t, a, "b", S_IFDIR | 0755);

    /* a moved under its own child: the old name goes, the looping one is not added. */
    assert_int_equal(gf_inode_rename(t, root, "a", b, "a", a), 0);
    assert_null(gf_inode_grep(t, root, "a"));
    assert_null(gf_inode_grep(t, b, "a"));
    gf_iatt_t ia = iatt(root_gfid, S_IFDIR | 0755);
    gf_inode_t *r = gf_inode_link(root, b, "root", &ia);
    assert_ptr_equal(r, root);
    assert_null(gf_inode_grep(t, b, "root"));
    gf_inode_unref(r);

    gf_inode_unref(b);
    gf_inode_unref(a);
    gf_inode_unref(root);
    table_done(t);
}

static void test_lru_limit_and_order(void **state)
{
    enum { LIMIT = 4, EXTRA = 3 };
    gf_inode_table_t *t = table(LIMIT);
    gf_inode_t *root = gf_inode_table_root(t);
    uuid_t gfids[LIMIT + EXTRA];
    char name[16];
    for (int i = 0; i < LIMIT + EXTRA; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        make_cached(t, root, name, gfids[i]);
    }
    assert_int_equal(gf_inode_table_lru_count(t), LIMIT);
    assert_int_equal(gf_inode_table_count(t), 1 + LIMIT);
    for (int i = 0; i < LIMIT + EXTRA; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        gf_inode_t *byname = gf_inode_grep(t, root, name);
        assert_int_equal(present(t, gfids[i]), i >= EXTRA);
        assert_int_equal(byname != NULL, i >= EXTRA);
        gf_inode_unref(byname);
    }
    gf_inode_unref(root);
    table_done(t);
}

static void test_lru_recently_used_survives(void **state)
{
    gf_inode_table_t *t = table(4);
    gf_inode_t *root = gf_inode_table_root(t);
    uuid_t g[6];
    make_cached(t, root, "f0", g[0]);
    make_cached(t, root, "f1", g[1]);
    make_cached(t, root, "f2", g[2]);
    make_cached(t, root, "f3", g[3]);
    assert_true(present(t, g[0])); /* touching f0 makes f1 the oldest */
    make_cached(t, root, "f4", g[4]);
    make_cached(t, root, "f5", g[5]);
    assert_true(present(t, g[0]));
    assert_false(present(t, g[1]));
    assert_false(present(t, g[2]));
    assert_true(present(t, g[3]));
    assert_true(present(t, g[4]));
    assert_true(present(t, g[5]));
    gf_inode_unref(root);
    table_done(t);
}

static void test_lru_unlimited(void **state)
{
    enum { N = 1000 }; /* also makes both hashes grow several times */
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    static uuid_t g[N];
    char name[16];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        make_cached(t, root, name, g[i]);
    }
    assert_int_equal(gf_inode_table_lru_count(t), N);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        gf_inode_t *byname = gf_inode_grep(t, root, name);
        assert_non_null(byname);
        assert_int_equal(uuid_compare(byname->gfid, g[i]), 0);
        gf_inode_unref(byname);
    }
    gf_inode_unref(root);
    table_done(t);
}

static void test_referenced_and_looked_up_are_pinned(void **state)
{
    gf_inode_table_t *t = table(1);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *held = make(t, root, "held", S_IFREG | 0644);
    gf_inode_t *looked = make(t, root, "looked", S_IFREG | 0644);
    gf_inode_lookup(looked);
    gf_inode_lookup(looked);
    gf_inode_unref(looked);
    uuid_t g[3];
    for (int i = 0; i < 3; i++)
        make_cached(t, root, "other", g[i]);
    assert_int_equal(gf_inode_table_lru_count(t), 1);
    assert_true(present(t, held->gfid));
    assert_true(present(t, looked->gfid));

    gf_inode_forget(looked, 1);
    assert_int_equal(gf_inode_table_lru_count(t), 1);
    uuid_t lg;
    gf_inode_gfid(looked, lg);
    gf_inode_forget(looked, 5); /* more than counted: down to 0, now on the LRU */
    assert_true(present(t, lg));
    make_cached(t, root, "last", g[0]);
    assert_false(present(t, lg));
    gf_inode_unref(held);
    gf_inode_unref(root);
    table_done(t);
}

static void test_eviction_cascades_to_parent(void **state)
{
    gf_inode_table_t *t = table(1);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *dir = make(t, root, "d", S_IFDIR | 0755);
    uuid_t dg, fg, gg;
    gf_inode_gfid(dir, dg);
    make_cached(t, dir, "f", fg);
    gf_inode_unref(dir); /* pinned by f's name */
    assert_int_equal(gf_inode_table_lru_count(t), 1);
    assert_int_equal(gf_inode_table_count(t), 3);

    /* g pushes f out; f's name goes, d falls to the LRU and pushes g out. */
    make_cached(t, root, "g", gg);
    assert_false(present(t, fg));
    assert_false(present(t, gg));
    assert_true(present(t, dg));
    assert_int_equal(gf_inode_table_count(t), 2);
    gf_inode_unref(root);
    table_done(t);
}

static void test_forget_on_eviction(void **state)
{
    gf_inode_table_t *t = table(1);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *inode = make(t, root, "a", S_IFREG | 0644);
    assert_int_equal(gf_inode_ctx_set(inode, &fake_xl, 42), 0);
    gf_inode_t *victim = inode;
    gf_inode_unref(inode);
    assert_int_equal(forget_calls, 0);

    uuid_t g;
    make_cached(t, root, "b", g);
    assert_int_equal(forget_calls, 1);
    assert_ptr_equal(forget_last, victim);
    assert_true(forget_this_ok);
    assert_int_equal(forget_ctx_seen, 42);
    assert_null(gf_this);
    gf_inode_unref(root);
    table_done(t);
    assert_int_equal(forget_calls, 1); /* b had no ctx */
}

static void test_no_forget_without_ctx(void **state)
{
    gf_inode_table_t *t = table(1);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *inode = make(t, root, "a", S_IFREG | 0644);
    assert_int_equal(gf_inode_ctx_set(inode, &fake_xl, 1), 0);
    assert_int_equal(gf_inode_ctx_del(inode, &fake_xl, NULL), 0);
    gf_inode_unref(inode);
    uuid_t g;
    make_cached(t, root, "b", g);
    assert_int_equal(gf_inode_table_lru_count(t), 1);
    assert_int_equal(forget_calls, 0);
    gf_inode_unref(root);
    table_done(t);
}

static void test_forget_on_destroy(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *held = make(t, root, "held", S_IFREG | 0644);
    gf_inode_t *cached = make(t, root, "cached", S_IFREG | 0644);
    gf_inode_t *fresh = gf_inode_new(t);
    assert_int_equal(gf_inode_ctx_set(root, &fake_xl, 1), 0);
    assert_int_equal(gf_inode_ctx_set(held, &fake_xl, 2), 0);
    assert_int_equal(gf_inode_ctx_set(cached, &fake_xl, 3), 0);
    assert_int_equal(gf_inode_ctx_set(fresh, &fake_xl, 4), 0);
    gf_inode_unref(cached);
    gf_inode_unref(root);
    table_done(t); /* held and fresh are still referenced: destroy forgets them anyway */
    assert_int_equal(forget_calls, 4);
}

static void test_ctx_set_get_del(void **state)
{
    gf_inode_table_t *t = table(0);
    gf_inode_t *inode = gf_inode_new(t);
    gf_xlator_t others[9];
    memset(others, 0, sizeof(others));
    uint64_t v = 0;

    assert_int_equal(gf_inode_ctx_get(inode, &fake_xl, &v), -ENOENT);
    assert_int_equal(gf_inode_ctx_get(inode, NULL, &v), -ENOENT);
    assert_int_equal(gf_inode_ctx_set(inode, NULL, 1), -EINVAL);
    assert_int_equal(gf_inode_ctx_set(inode, &fake_xl, 7), 0);
    assert_int_equal(gf_inode_ctx_set(inode, &fake_xl, 8), 0);
    for (int i = 0; i < 9; i++) /* more than the first allocation holds */
        assert_int_equal(gf_inode_ctx_set(inode, &others[i], 100 + i), 0);
    assert_int_equal(gf_inode_ctx_get(inode, &fake_xl, &v), 0);
    assert_int_equal(v, 8);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(gf_inode_ctx_get(inode, &others[i], &v), 0);
        assert_int_equal(v, 100 + i);
    }
    assert_int_equal(gf_inode_ctx_del(inode, &fake_xl, &v), 0);
    assert_int_equal(v, 8);
    assert_int_equal(gf_inode_ctx_get(inode, &fake_xl, &v), -ENOENT);
    assert_int_equal(gf_inode_ctx_del(inode, &fake_xl, &v), -ENOENT);
    assert_int_equal(gf_inode_ctx_set(inode, &fake_xl, 9), 0); /* reuses the freed slot */
    assert_int_equal(gf_inode_ctx_get(inode, &fake_xl, &v), 0);
    assert_int_equal(v, 9);
    assert_int_equal(gf_inode_ctx_del(inode, &fake_xl, NULL), 0);
    gf_inode_unref(inode);
    assert_int_equal(forget_calls, 0);
    table_done(t);
}

/* Each thread links, finds, greps and drops its own names under the root.
 * Returns non-NULL on a mismatch (no cmocka asserts off the main thread). */
static void *hammer(void *arg)
{
    gf_inode_table_t *t = arg;
    gf_inode_t *root = gf_inode_table_root(t);
    void *bad = NULL;
    char name[32];
    for (int i = 0; i < 500 && !bad; i++) {
        snprintf(name, sizeof(name), "%p-%d", (void *)&name, i);
        gf_iatt_t ia = iatt(root_gfid, S_IFREG | 0644);
        uuid_generate(ia.ia_gfid);
        gf_inode_t *fresh = gf_inode_new(t);
        gf_inode_t *inode = gf_inode_link(fresh, root, name, &ia);
        gf_inode_unref(fresh);
        gf_inode_t *again = gf_inode_grep(t, root, name);
        gf_inode_t *byid = gf_inode_find(t, ia.ia_gfid);
        if (!inode || again != inode || byid != inode)
            bad = (void *)1;
        gf_inode_unref(again);
        gf_inode_unref(byid);
        gf_inode_unref(inode);
    }
    gf_inode_unref(root);
    return bad;
}

static void test_concurrent_use(void **state)
{
    enum { THREADS = 4, LIMIT = 64 };
    gf_inode_table_t *t = table(LIMIT);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, t), 0);
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        assert_null(ret);
    }
    assert_int_equal(gf_inode_table_lru_count(t), LIMIT);
    assert_int_equal(gf_inode_table_count(t), 1 + LIMIT);
    table_done(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_root_present, setup),
        cmocka_unit_test_setup(test_link_find_grep, setup),
        cmocka_unit_test_setup(test_fresh_inode_unlinked, setup),
        cmocka_unit_test_setup(test_link_without_name, setup),
        cmocka_unit_test_setup(test_gfid_collision, setup),
        cmocka_unit_test_setup(test_link_rejects_bad_input, setup),
        cmocka_unit_test_setup(test_unlink, setup),
        cmocka_unit_test_setup(test_rename, setup),
        cmocka_unit_test_setup(test_directory_keeps_one_name, setup),
        cmocka_unit_test_setup(test_no_directory_loops, setup),
        cmocka_unit_test_setup(test_lru_limit_and_order, setup),
        cmocka_unit_test_setup(test_lru_recently_used_survives, setup),
        cmocka_unit_test_setup(test_lru_unlimited, setup),
        cmocka_unit_test_setup(test_referenced_and_looked_up_are_pinned, setup),
        cmocka_unit_test_setup(test_eviction_cascades_to_parent, setup),
        cmocka_unit_test_setup(test_forget_on_eviction, setup),
        cmocka_unit_test_setup(test_no_forget_without_ctx, setup),
        cmocka_unit_test_setup(test_forget_on_destroy, setup),
        cmocka_unit_test_setup(test_ctx_set_get_del, setup),
        cmocka_unit_test_setup(test_concurrent_use, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
