/*
 * Unit tests of asynchronous calls (xlator.c): wind and unwind through frames,
 * the default pass-through, errors at a leaf, event propagation, argument copies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"

static gf_xlator_t *seen_this;
static gf_reply_t last;
static void *last_cookie;
static int cbk_calls;

/* A leaf whose stat answers with the offset it was given as the size. */
static int leaf_stat(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {.op_ret = 0};

    seen_this = gf_this;
    rsp.stat.ia_size = args->offset;
    return gf_unwind(frame, &rsp);
}

static int leaf_notify(gf_xlator_t *this, gf_event_t ev, void *data)
{
    *(int *)this->priv = ev;
    return 0;
}

static gf_xlator_desc_t leaf_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "test/leaf",
    .notify = leaf_notify,
    .fops = {[GF_FOP_STAT] = leaf_stat},
};
static gf_xlator_desc_t mid_desc = {.abi_version = GF_XLATOR_ABI_VERSION, .type = "test/mid"};

static gf_xlator_t leaf, mid, top;
static gf_xlator_t *mid_children[1] = {&leaf};
static gf_xlator_t *leaf_parents[1] = {&mid};
static int leaf_event;

static int setup(void **state)
{
    memset(&leaf, 0, sizeof(leaf));
    memset(&mid, 0, sizeof(mid));
    memset(&top, 0, sizeof(top));
    leaf.name = "leaf";
    leaf.desc = &leaf_desc;
    leaf.priv = &leaf_event;
    leaf.parents = leaf_parents;
    leaf.n_parents = 1;
    mid.name = "mid";
    mid.desc = &mid_desc;
    mid.children = mid_children;
    mid.n_children = 1;
    top.name = "top";
    cbk_calls = 0;
    seen_this = NULL;
    leaf_event = 0;
    memset(&last, 0, sizeof(last));
    return 0;
}

static int top_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    cbk_calls++;
    last = *rsp;
    last_cookie = cookie;
    assert_ptr_equal(this, &top);
    assert_ptr_equal(gf_this, &top);
    return 0;
}

static void test_wind_through_default(void **state)
{
    gf_frame_t *root = gf_frame_root_new(&top);
    gf_args_t args = {.offset = 4242};
    int cookie;

    gf_this = &top;
    gf_wind(root, &mid, GF_FOP_STAT, &args, top_cbk, &cookie);
    assert_int_equal(cbk_calls, 1);
    assert_int_equal(last.op_ret, 0);
    assert_int_equal(last.stat.ia_size, 4242);
    assert_ptr_equal(last_cookie, &cookie);
    assert_ptr_equal(seen_this, &leaf);
    assert_ptr_equal(gf_this, &top);
    gf_frame_root_destroy(root);
    gf_this = NULL;
}

static void test_missing_fop_at_leaf_is_enosys(void **state)
{
    gf_frame_t *root = gf_frame_root_new(&top);
    gf_args_t args = {0};

    gf_this = &top;
    gf_wind(root, &mid, GF_FOP_MKDIR, &args, top_cbk, NULL);
    assert_int_equal(cbk_calls, 1);
    assert_int_equal(last.op_ret, -1);
    assert_int_equal(last.op_errno, ENOSYS);
    gf_frame_root_destroy(root);
    gf_this = NULL;
}

static void test_bad_fop_number_is_einval(void **state)
{
    gf_frame_t *root = gf_frame_root_new(&top);
    gf_args_t args = {0};

    gf_wind(root, &mid, GF_FOP_MAXVALUE, &args, top_cbk, NULL);
    assert_int_equal(cbk_calls, 1);
    assert_int_equal(last.op_errno, EINVAL);
    gf_wind(root, &mid, GF_FOP_NULL, &args, top_cbk, NULL);
    assert_int_equal(cbk_calls, 2);
    gf_frame_root_destroy(root);
}

static void test_frames_are_freed(void **state)
{
    uint64_t before = __atomic_load_n(&gf_mem_global_acct.blocks, __ATOMIC_RELAXED);
    gf_frame_t *root = gf_frame_root_new(&top);
    gf_args_t args = {0};
    int i;

    for (i = 0; i < 100; i++)
        gf_wind(root, &mid, GF_FOP_STAT, &args, top_cbk, NULL);
    gf_frame_root_destroy(root);
    assert_int_equal(cbk_calls, 100);
    assert_int_equal(__atomic_load_n(&gf_mem_global_acct.blocks, __ATOMIC_RELAXED), before);
}

static void test_unwind_of_root_is_refused(void **state)
{
    gf_frame_t *root = gf_frame_root_new(&top);
    gf_reply_t rsp = {0};

    assert_int_equal(gf_unwind(root, &rsp), -EINVAL);
    gf_frame_root_destroy(root);
}

static void test_notify_propagates_up_by_default(void **state)
{
    int top_seen = 0;
    gf_xlator_t *mid_parents[1] = {&top};

    mid.parents = mid_parents;
    mid.n_parents = 1;
    top.desc = &leaf_desc; /* records the event in priv */
    top.priv = &top_seen;
    gf_xlator_notify(&mid, GF_EVENT_CHILD_UP, &leaf);
    assert_int_equal(top_seen, GF_EVENT_CHILD_UP);
    gf_xlator_notify(&mid, GF_EVENT_PARENT_UP, NULL);
    assert_int_equal(leaf_event, GF_EVENT_PARENT_UP);
    mid.parents = NULL;
    mid.n_parents = 0;
}

static void test_fop_names(void **state)
{
    assert_string_equal(gf_fop_name(GF_FOP_LOOKUP), "lookup");
    assert_string_equal(gf_fop_name(GF_FOP_WRITE), "writev");
    assert_int_equal(GF_FOP_LOOKUP, 27);
    assert_int_equal(GF_FOP_READDIRP, 40);
    assert_string_equal(gf_fop_name(GF_FOP_MAXVALUE), "unknown");
    assert_string_equal(gf_fop_name(-3), "unknown");
}

static void test_args_dup_is_deep(void **state)
{
    char path[] = "/a/b", name[] = "b", data[] = "payload";
    struct iovec iov = {data, sizeof(data)};
    gf_args_t args = {.offset = 7, .vector = &iov, .count = 1};
    gf_args_t *dup;

    args.loc.path = path;
    args.loc.name = name;
    args.xdata = gf_dict_new();
    assert_int_equal(gf_dict_set_str(args.xdata, "k", "v"), 0);
    dup = gf_args_dup(&args);
    assert_non_null(dup);
    path[1] = 'X';
    name[0] = 'Y';
    assert_string_equal(dup->loc.path, "/a/b");
    assert_string_equal(dup->loc.name, "b");
    assert_ptr_not_equal(dup->vector, args.vector);
    assert_ptr_equal(dup->vector[0].iov_base, data);
    assert_int_equal(dup->offset, 7);
    assert_ptr_equal(dup->xdata, args.xdata);
    gf_dict_unref(args.xdata);
    {
        const char *v = NULL;
        assert_int_equal(gf_dict_get_str(dup->xdata, "k", &v), 0);
        assert_string_equal(v, "v");
    }
    gf_args_free(dup);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_wind_through_default, setup),
        cmocka_unit_test_setup(test_missing_fop_at_leaf_is_enosys, setup),
        cmocka_unit_test_setup(test_bad_fop_number_is_einval, setup),
        cmocka_unit_test_setup(test_frames_are_freed, setup),
        cmocka_unit_test_setup(test_unwind_of_root_is_refused, setup),
        cmocka_unit_test_setup(test_notify_propagates_up_by_default, setup),
        cmocka_unit_test(test_fop_names),
        cmocka_unit_test(test_args_dup_is_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
