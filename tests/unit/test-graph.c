/*
 * Unit tests of graph building (graph.c) with a real translator module: the
 * noop translator of xl-noop.c, loaded with dlopen. The tests run against a
 * private translator directory made for them, where test/noop.so points to the
 * module built under TEST_XLATOR_DIR (directly, or in libtool's .libs), and
 * where a few other names point to files that are not what the volfile says.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
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

#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/graph.h"
#include "glusterfs/mem.h"
#include "glusterfs/options.h"
#include "glusterfs/volfile.h"

static char xl_dir[] = "/tmp/test-graph-XXXXXX";
static void *noop_handle; /* keeps the module loaded, so its trace outlives graphs */
static char *noop_trace;
static uint64_t blocks_at_start;

/* Links dir/test/NAME.so to target. */
static void link_module(const char *name, const char *target)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/test/%s.so", xl_dir, name);
    assert_int_equal(symlink(target, path), 0);
}

/* The path of the C library, a shared object with no translator descriptor. */
static const char *libc_path(void)
{
    void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    struct link_map *map = NULL;

    assert_non_null(h);
    assert_int_equal(dlinfo(h, RTLD_DI_LINKMAP, &map), 0);
    dlclose(h);
    return map->l_name;
}

static int make_xlator_dir(void **state)
{
    char noop[PATH_MAX], sub[PATH_MAX];

    snprintf(noop, sizeof(noop), "%s/test/noop.so", TEST_XLATOR_DIR);
    if (access(noop, F_OK) != 0)
        snprintf(noop, sizeof(noop), "%s/test/.libs/noop.so", TEST_XLATOR_DIR);
    assert_non_null(mkdtemp(xl_dir));
    snprintf(sub, sizeof(sub), "%s/test", xl_dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    link_module("noop", noop);
    link_module("other", noop);
    link_module("nodesc", libc_path());
    noop_handle = dlopen(noop, RTLD_NOW);
    assert_non_null(noop_handle);
    noop_trace = dlsym(noop_handle, "noop_trace");
    assert_non_null(noop_trace);
    return 0;
}

static int remove_xlator_dir(void **state)
{
    static const char *const names[] = {"noop", "other", "nodesc"};
    char path[PATH_MAX];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/test/%s.so", xl_dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/test", xl_dir);
    rmdir(path);
    rmdir(xl_dir);
    dlclose(noop_handle);
    return 0;
}

static int start_case(void **state)
{
    noop_trace[0] = '\0';
    blocks_at_start = gf_mem_global_acct.blocks;
    return 0;
}

static int check_no_leak(void **state)
{
    assert_int_equal(gf_mem_global_acct.blocks, blocks_at_start);
    return 0;
}

/* Parses text and builds its graph from dir; returns what construct returned. */
static int build(const char *text, const char *dir, gf_graph_t **g, char *err, size_t errlen)
{
    gf_volfile_t *vf = NULL;
    int ret;

    assert_int_equal(gf_volfile_parse(text, strlen(text), &vf, err, errlen), 0);
    ret = gf_graph_construct(vf, dir, "vol1-brick0", g, err, errlen);
    gf_volfile_free(vf);
    return ret;
}

/* Checks that building text fails with ret and a message containing phrase. */
static void refused(const char *text, const char *dir, int ret, const char *phrase)
{
    gf_graph_t *g = (gf_graph_t *)&g;
    char err[1024] = "";

    assert_int_equal(build(text, dir, &g, err, sizeof(err)), ret);
    assert_null(g);
    if (!strstr(err, phrase))
        fail_msg("error \"%s\" lacks \"%s\"", err, phrase);
}

/* The field that option key of xl's translator is bound to. */
static void *field(gf_xlator_t *xl, const char *key)
{
    const gf_option_t *opt = gf_option_find(xl->desc->options, key);

    assert_non_null(opt);
    return (char *)xl->priv + opt->offset;
}

static const char two_noops[] = "volume a\n"
                                "  type test/noop\n"
                                "  option count 7\n"
                                "  option flag on\n"
                                "end-volume\n"
                                "volume b\n"
                                "  type test/noop\n"
                                "  subvolumes a\n"
                                "end-volume\n";

static void test_construct_links_and_binds(void **state)
{
    gf_graph_t *g = NULL;
    gf_xlator_t *a, *b;
    char err[512] = "";

    if (build(two_noops, xl_dir, &g, err, sizeof(err)) != 0)
        fail_msg("construct failed: %s", err);
    a = gf_graph_find(g, "a");
    b = gf_graph_find(g, "b");
    assert_non_null(a);
    assert_ptr_equal(gf_graph_top(g), b);
    assert_null(gf_graph_find(g, "c"));
    assert_int_equal(g->n, 2);
    assert_int_equal(b->n_children, 1);
    assert_ptr_equal(b->children[0], a);
    assert_int_equal(a->n_parents, 1);
    assert_ptr_equal(a->parents[0], b);
    assert_int_equal(a->n_children + b->n_parents, 0);
    assert_string_equal(a->type, "test/noop");
    assert_string_equal(a->brick, "vol1-brick0");
    assert_ptr_equal(a->graph, g);
    assert_int_equal(*(int64_t *)field(a, "count"), 7);
    assert_true(*(bool *)field(a, "flag"));
    assert_int_equal(*(int64_t *)field(b, "count"), 3); /* the default */
    assert_false(*(bool *)field(b, "flag"));
    assert_true(a->mem_acct.blocks >= 2); /* its priv and its options, on its account */
    assert_false(a->initialized);
    assert_string_equal(noop_trace, "");
    gf_graph_fini(g);
    assert_string_equal(noop_trace, ""); /* never initialized: no fini */
}

static void test_init_order_and_fini(void **state)
{
    gf_graph_t *g = NULL;
    char err[512] = "";

    assert_int_equal(build(two_noops, xl_dir, &g, err, sizeof(err)), 0);
    if (gf_graph_init(g, err, sizeof(err)) != 0)
        fail_msg("init failed: %s", err);
    assert_true(g->initialized);
    assert_true(gf_graph_find(g, "a")->initialized);
    assert_string_equal(noop_trace, "init:a init:b parent_up:b parent_up:a ");
    assert_int_equal(gf_graph_init(g, err, sizeof(err)), -EALREADY);
    noop_trace[0] = '\0';
    gf_graph_fini(g);
    assert_string_equal(noop_trace, "fini:b fini:a ");
}

static void test_init_failure_finishes_the_started(void **state)
{
    static const char text[] = "volume a\ntype test/noop\nend-volume\n"
                               "volume b\ntype test/noop\noption fail-init on\n"
                               "subvolumes a\nend-volume\n";
    gf_graph_t *g = NULL;
    char err[512] = "";

    assert_int_equal(build(text, xl_dir, &g, err, sizeof(err)), 0);
    assert_int_equal(gf_graph_init(g, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "volume 'b' (test/noop) failed to initialize"));
    assert_string_equal(noop_trace, "init:a fini:a ");
    assert_false(g->initialized);
    assert_false(gf_graph_find(g, "a")->initialized);
    gf_graph_fini(g);
    assert_string_equal(noop_trace, "init:a fini:a "); /* no second fini */
}

static void test_unknown_option(void **state)
{
    refused("volume a\ntype test/noop\noption colour red\nend-volume\n", xl_dir, -EINVAL,
            "option 'colour' of volume 'a': no such option for translator test/noop "
            "(known options: count, flag, fail-init)");
}

static void test_bad_option_value(void **state)
{
    refused("volume a\ntype test/noop\nend-volume\n"
            "volume b\ntype test/noop\noption count 11\nsubvolumes a\nend-volume\n",
            xl_dir, -EINVAL,
            "option 'count' of volume 'b': '11' is out of range (accepted: 1 to 10)");
    refused("volume a\ntype test/noop\noption flag perhaps\nend-volume\n", xl_dir, -EINVAL,
            "option 'flag' of volume 'a': 'perhaps' is not a boolean");
}

static void test_missing_module(void **state)
{
    char want[PATH_MAX + 64];

    snprintf(want, sizeof(want), "translator test/missing not found: %s/test/missing.so",
             xl_dir);
    refused("volume a\ntype test/missing\nend-volume\n", xl_dir, -ENOENT, want);
}

static void test_bogus_xlator_dir(void **state)
{
    refused("volume a\ntype test/noop\nend-volume\n", "/nonexistent/xlators", -ENOENT,
            "volume 'a': translator test/noop not found: /nonexistent/xlators/test/noop.so "
            "does not exist");
}

static void test_missing_module_deep_in_graph(void **state)
{
    refused("volume a\ntype test/noop\nend-volume\n"
            "volume b\ntype test/missing\nsubvolumes a\nend-volume\n",
            xl_dir, -ENOENT, "volume 'b': translator test/missing not found");
}

static void test_module_of_another_type(void **state)
{
    refused("volume a\ntype test/other\nend-volume\n", xl_dir, -EINVAL,
            "it is a translator of type 'test/noop', not 'test/other'");
}

static void test_module_without_descriptor(void **state)
{
    refused("volume a\ntype test/nodesc\nend-volume\n", xl_dir, -EINVAL,
            "nodesc.so has no gf_xlator_desc descriptor");
}

static void test_default_xlator_dir_from_ctx(void **state)
{
    gf_ctx_t ctx = {.xlator_dir = xl_dir};
    gf_ctx_t *saved = gf_ctx;
    gf_graph_t *g = NULL;
    char err[512] = "";

    gf_ctx = NULL;
    assert_int_equal(build(two_noops, NULL, &g, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "no translator directory is set");
    gf_ctx = &ctx;
    assert_int_equal(build(two_noops, NULL, &g, err, sizeof(err)), 0);
    gf_ctx = saved;
    gf_graph_fini(g);
}

static void test_desc_check_abi(void **state)
{
    gf_xlator_desc_t desc = {.abi_version = GF_XLATOR_ABI_VERSION + 1, .type = "test/fake"};
    char err[256], want[256];

    assert_int_equal(gf_xlator_desc_check(&desc, "test/fake", err, sizeof(err)), -EINVAL);
    snprintf(want, sizeof(want),
             "its ABI version is %u but this program needs %u: rebuild the translator with "
             "this version",
             GF_XLATOR_ABI_VERSION + 1, GF_XLATOR_ABI_VERSION);
    assert_string_equal(err, want);
    desc.abi_version = GF_XLATOR_ABI_VERSION;
    assert_int_equal(gf_xlator_desc_check(&desc, "test/fake", err, sizeof(err)), 0);
}

static void test_desc_check_type(void **state)
{
    gf_xlator_desc_t desc = {.abi_version = GF_XLATOR_ABI_VERSION};
    char err[256];

    assert_int_equal(gf_xlator_desc_check(&desc, "test/fake", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "it is a translator of type '(none)', not 'test/fake'");
}

static void test_desc_check_option_outside_priv(void **state)
{
    static const gf_option_t opts[] = {
        {.key = "ok", .type = GF_OPT_BOOL, .offset = 7},
        {.key = "nofield", .type = GF_OPT_STR, .offset = GF_OPT_NO_FIELD},
        {.key = "big", .type = GF_OPT_INT, .offset = 4},
        {.key = NULL},
    };
    gf_xlator_desc_t desc = {.abi_version = GF_XLATOR_ABI_VERSION, .type = "test/fake",
                             .priv_size = 8, .options = opts};
    char err[256];

    assert_int_equal(gf_xlator_desc_check(&desc, "test/fake", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "its option 'big' binds at offset 4, outside its 8-byte private "
                             "struct");
    desc.priv_size = 12;
    assert_int_equal(gf_xlator_desc_check(&desc, "test/fake", err, sizeof(err)), 0);
}

/* ---- sub-graphs, grafts, accounting, descriptors, option scopes ---- */

/* A brick volfile's shape: two bricks below a top that uses them both. */
static const char two_bricks[] = "volume a-store\ntype test/noop\nend-volume\n"
                                 "volume a\ntype test/noop\nsubvolumes a-store\nend-volume\n"
                                 "volume b-store\ntype test/missing\nend-volume\n"
                                 "volume b\ntype test/noop\nsubvolumes b-store\nend-volume\n"
                                 "volume top\ntype test/other\nsubvolumes a b\nend-volume\n";

/* Builds the sub-graph below name of text; returns what construct returned. */
static int build_below(const char *text, const char *name, gf_graph_t **g, char *err,
                       size_t errlen)
{
    gf_volfile_t *vf = NULL;
    int ret;

    assert_int_equal(gf_volfile_parse(text, strlen(text), &vf, err, errlen), 0);
    ret = gf_graph_construct_below(vf, name, xl_dir, name, g, err, errlen);
    gf_volfile_free(vf);
    return ret;
}

static void test_construct_below_takes_only_what_is_below(void **state)
{
    gf_graph_t *g = NULL;
    char err[512] = "";

    /* b's store and the top are of types that would not load: they are not built */
    if (build_below(two_bricks, "a", &g, err, sizeof(err)) != 0)
        fail_msg("construct failed: %s", err);
    assert_int_equal(g->n, 2);
    assert_string_equal(gf_graph_top(g)->name, "a");
    assert_ptr_equal(gf_graph_top(g)->children[0], gf_graph_find(g, "a-store"));
    assert_int_equal(gf_graph_top(g)->n_parents, 0);
    assert_null(gf_graph_find(g, "top"));
    assert_string_equal(gf_graph_find(g, "a-store")->brick, "a");
    gf_graph_fini(g);
}

static void test_construct_below_errors(void **state)
{
    gf_graph_t *g = (gf_graph_t *)&g;
    char err[512] = "";

    assert_int_equal(build_below(two_bricks, "nowhere", &g, err, sizeof(err)), -EINVAL);
    assert_null(g);
    assert_string_equal(err, "the volfile defines no volume 'nowhere'");
    assert_int_equal(build_below(two_bricks, "b", &g, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "volume 'b-store': translator test/missing not found"));
}

static void test_graft_and_ungraft(void **state)
{
    gf_graph_t *up = NULL, *g1 = NULL, *g2 = NULL;
    gf_xlator_t *top;
    char err[512] = "";

    assert_int_equal(build("volume s\ntype test/noop\nend-volume\n", xl_dir, &up, err,
                           sizeof(err)), 0);
    assert_int_equal(build_below(two_bricks, "a", &g1, err, sizeof(err)), 0);
    assert_int_equal(build(two_noops, xl_dir, &g2, err, sizeof(err)), 0);
    top = gf_graph_top(up);
    assert_int_equal(gf_graph_graft(top, g1), 0);
    assert_int_equal(gf_graph_graft(top, g2), 0);
    assert_int_equal(top->n_children, 2);
    assert_ptr_equal(top->children[1], gf_graph_top(g2));
    assert_int_equal(gf_graph_top(g1)->n_parents, 1);
    assert_ptr_equal(gf_graph_top(g1)->parents[0], top);
    gf_graph_ungraft(top, g1);
    assert_int_equal(top->n_children, 1);
    assert_ptr_equal(top->children[0], gf_graph_top(g2));
    assert_int_equal(gf_graph_top(g1)->n_parents, 0);
    assert_null(gf_graph_top(g1)->parents); /* emptied: freed */
    gf_graph_ungraft(top, g1);                /* not grafted any more: nothing */
    assert_int_equal(top->n_children, 1);
    gf_graph_ungraft(top, g2);
    assert_null(top->children);
    gf_graph_fini(g1);
    gf_graph_fini(g2);
    gf_graph_fini(up);
}

static void test_mem_and_fini_counted(void **state)
{
    gf_mem_acct_t before = {0}, during = {0}, left = {.bytes = 1, .blocks = 1};
    gf_graph_t *g = NULL;
    char err[512] = "";
    void *p;

    assert_int_equal(build(two_noops, xl_dir, &g, err, sizeof(err)), 0);
    assert_int_equal(gf_graph_init(g, err, sizeof(err)), 0);
    gf_graph_mem(g, &before);
    assert_true(before.blocks >= 4); /* two privs, two option dicts at least */
    p = gf_malloc_acct(&gf_graph_find(g, "a")->mem_acct, 100);
    gf_graph_mem(g, &during);
    assert_int_equal(during.bytes, before.bytes + 100);
    assert_int_equal(during.blocks, before.blocks + 1);
    gf_free(p);
    gf_graph_fini_counted(g, &left);
    assert_int_equal(left.bytes, 0);
    assert_int_equal(left.blocks, 0);
    gf_graph_fini_counted(NULL, &left);
    assert_int_equal(left.blocks, 0);
}

static void test_desc_load(void **state)
{
    const gf_xlator_desc_t *desc = NULL;
    char err[512] = "";

    assert_int_equal(gf_xlator_desc_load("test/noop", xl_dir, &desc, err, sizeof(err)), 0);
    assert_non_null(desc);
    assert_string_equal(desc->type, "test/noop");
    assert_non_null(gf_option_find(desc->options, "count"));
    assert_int_equal(gf_xlator_desc_load("test/missing", xl_dir, &desc, err, sizeof(err)),
                     -ENOENT);
    assert_null(desc);
    assert_non_null(strstr(err, "translator type 'test/missing': translator test/missing not "
                                "found"));
    assert_int_equal(gf_xlator_desc_load("test/nodesc", xl_dir, &desc, err, sizeof(err)),
                     -EINVAL);
}

static void test_options_differ_by_scope(void **state)
{
    static const gf_option_t opts[] = {
        {.key = "port", .type = GF_OPT_INT, .def = "0", .scope = GF_SCOPE_PROCESS},
        {.key = "addr", .type = GF_OPT_ANY, .scope = GF_SCOPE_PROCESS},
        {.key = "auth.*", .type = GF_OPT_ANY, .scope = GF_SCOPE_PROCESS},
        {.key = "lru", .type = GF_OPT_INT, .def = "10", .scope = GF_SCOPE_BRICK},
        {.key = NULL},
    };
    gf_xlator_desc_t desc = {.abi_version = GF_XLATOR_ABI_VERSION, .options = opts};
    gf_dict_t *a = gf_dict_new(), *b = gf_dict_new();

    assert_null(gf_xlator_options_differ(&desc, GF_SCOPE_PROCESS, a, NULL));
    assert_int_equal(gf_dict_set_str(a, "port", "0"), 0); /* the default, spelt out */
    assert_int_equal(gf_dict_set_str(a, "lru", "5"), 0);   /* brick scope: may differ */
    assert_int_equal(gf_dict_set_str(a, "auth.x", "1"), 0); /* patterns: not compared */
    assert_null(gf_xlator_options_differ(&desc, GF_SCOPE_PROCESS, a, b));
    assert_ptr_equal(gf_xlator_options_differ(&desc, GF_SCOPE_BRICK, a, b), &opts[3]);
    assert_int_equal(gf_dict_set_str(b, "addr", "1.2.3.4"), 0); /* unset vs set */
    assert_ptr_equal(gf_xlator_options_differ(&desc, GF_SCOPE_PROCESS, a, b), &opts[1]);
    assert_int_equal(gf_dict_set_str(a, "addr", "1.2.3.4"), 0);
    assert_int_equal(gf_dict_set_str(b, "port", "24007"), 0);
    assert_ptr_equal(gf_xlator_options_differ(&desc, GF_SCOPE_PROCESS, a, b), &opts[0]);
    assert_string_equal(gf_xlator_option_value(&opts[0], b), "24007");
    assert_string_equal(gf_xlator_option_value(&opts[0], NULL), "0");
    assert_null(gf_xlator_option_value(&opts[1], NULL));
    gf_dict_unref(a);
    gf_dict_unref(b);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, start_case, check_no_leak)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(test_construct_links_and_binds),
        CASE(test_init_order_and_fini),
        CASE(test_init_failure_finishes_the_started),
        CASE(test_unknown_option),
        CASE(test_bad_option_value),
        CASE(test_missing_module),
        CASE(test_bogus_xlator_dir),
        CASE(test_missing_module_deep_in_graph),
        CASE(test_module_of_another_type),
        CASE(test_module_without_descriptor),
        CASE(test_default_xlator_dir_from_ctx),
        CASE(test_desc_check_abi),
        CASE(test_desc_check_type),
        CASE(test_desc_check_option_outside_priv),
        CASE(test_construct_below_takes_only_what_is_below),
        CASE(test_construct_below_errors),
        CASE(test_graft_and_ungraft),
        CASE(test_mem_and_fini_counted),
        CASE(test_desc_load),
        CASE(test_options_differ_by_scope),
    };

    return cmocka_run_group_tests(tests, make_xlator_dir, remove_xlator_dir);
}
