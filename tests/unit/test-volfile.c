/*
 * Unit tests of the volfile parser (volfile.c): what it accepts and how it
 * describes it, and every error it reports, with the line number the error
 * names. Each case also checks that the parser leaked no memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterfs/volfile.h"

static uint64_t blocks_at_start;

static int note_memory(void **state)
{
    blocks_at_start = gf_mem_global_acct.blocks;
    return 0;
}

static int check_no_leak(void **state)
{
    assert_int_equal(gf_mem_global_acct.blocks, blocks_at_start);
    return 0;
}

static gf_volfile_t *parse_ok(const char *text)
{
    gf_volfile_t *vf = NULL;
    char err[256] = "";
    int ret = gf_volfile_parse(text, strlen(text), &vf, err, sizeof(err));

    if (ret != 0)
        fail_msg("parse failed (%d): %s", ret, err);
    assert_non_null(vf);
    return vf;
}

/* Checks that text is refused with "line LINE: ..." containing phrase. */
static void expect_error(const char *text, int line, const char *phrase)
{
    gf_volfile_t *vf = (gf_volfile_t *)&vf;
    char err[512] = "", want[32];
    int ret = gf_volfile_parse(text, strlen(text), &vf, err, sizeof(err));

    assert_int_equal(ret, -EINVAL);
    assert_null(vf);
    snprintf(want, sizeof(want), "line %d: ", line);
    if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, phrase))
        fail_msg("error \"%s\" does not start with \"%s\" or lacks \"%s\"", err, want, phrase);
}

/* The value of option key of vol; fails the test when it is absent. */
static const char *opt(const gf_volfile_vol_t *vol, const char *key)
{
    const char *value = NULL;

    assert_int_equal(gf_dict_get_str(vol->options, key, &value), 0);
    return value;
}

static const char two_volumes[] =
    "# a brick\n"
    "\n"
    "volume posix\n"
    "    type storage/posix   # where files live\n"
    "    option directory /bricks/b1\n"
    "end-volume\n"
    "\n"
    "volume locks\n"
    "\ttype features/locks\n"
    "\tsubvolumes posix\n"
    "end-volume\n";

static void test_two_volumes(void **state)
{
    gf_volfile_t *vf = parse_ok(two_volumes);

    assert_int_equal(vf->n_vols, 2);
    assert_string_equal(vf->vols[0].name, "posix");
    assert_string_equal(vf->vols[0].type, "storage/posix");
    assert_int_equal(vf->vols[0].line, 3);
    assert_int_equal(vf->vols[0].n_subvols, 0);
    assert_int_equal(gf_dict_count(vf->vols[0].options), 1);
    assert_string_equal(opt(&vf->vols[0], "directory"), "/bricks/b1");
    assert_string_equal(vf->vols[1].name, "locks");
    assert_int_equal(vf->vols[1].line, 8);
    assert_int_equal(vf->vols[1].subvols_line, 10);
    assert_int_equal(vf->vols[1].n_subvols, 1);
    assert_string_equal(vf->vols[1].subvols[0], "posix");
    assert_int_equal(gf_dict_count(vf->vols[1].options), 0);
    gf_volfile_free(vf);
}

static void test_last_volume_is_top(void **state)
{
    gf_volfile_t *vf = parse_ok("volume a\ntype t/a\nend-volume\n"
                                "volume b\ntype t/b\nend-volume\n"
                                "volume c\ntype t/c\nsubvolumes a\nend-volume\n");

    assert_ptr_equal(gf_volfile_top(vf), &vf->vols[2]);
    assert_string_equal(gf_volfile_top(vf)->name, "c");
    assert_ptr_equal(gf_volfile_find(vf, "b"), &vf->vols[1]);
    assert_null(gf_volfile_find(vf, "d"));
    gf_volfile_free(vf);
}

static void test_several_subvolumes(void **state)
{
    gf_volfile_t *vf = parse_ok("volume a\ntype t/x\nend-volume\n"
                                "volume b\ntype t/x\nend-volume\n"
                                "volume c\ntype t/x\nend-volume\n"
                                "volume dht\ntype cluster/distribute\n"
                                "subvolumes c a b\noption k v\nend-volume\n");
    const gf_volfile_vol_t *top = gf_volfile_top(vf);

    assert_int_equal(top->n_subvols, 3);
    assert_string_equal(top->subvols[0], "c");
    assert_string_equal(top->subvols[1], "a");
    assert_string_equal(top->subvols[2], "b");
    assert_string_equal(opt(top, "k"), "v");
    gf_volfile_free(vf);
}

static void test_shared_subvolume(void **state)
{
    gf_volfile_t *vf = parse_ok("volume leaf\ntype t/x\nend-volume\n"
                                "volume p1\ntype t/x\nsubvolumes leaf\nend-volume\n"
                                "volume p2\ntype t/x\nsubvolumes leaf\nend-volume\n"
                                "volume top\ntype t/x\nsubvolumes p1 p2\nend-volume\n");

    assert_string_equal(vf->vols[1].subvols[0], "leaf");
    assert_string_equal(vf->vols[2].subvols[0], "leaf");
    gf_volfile_free(vf);
}

static void test_quoting(void **state)
{
    gf_volfile_t *vf = parse_ok("volume \"my vol\"\n"
                                "type t/x\n"
                                "option spaced \"a b  c\"\n"
                                "option escaped \"say \\\"hi\\\" \\\\o/\"\n"
                                "option empty \"\"\n"
                                "option hash \"# not a comment\" # a comment\n"
                                "option \"quoted key\" plain\n"
                                "end-volume\n");
    const gf_volfile_vol_t *v = &vf->vols[0];

    assert_string_equal(v->name, "my vol");
    assert_string_equal(opt(v, "spaced"), "a b  c");
    assert_string_equal(opt(v, "escaped"), "say \"hi\" \\o/");
    assert_string_equal(opt(v, "empty"), "");
    assert_string_equal(opt(v, "hash"), "# not a comment");
    assert_string_equal(opt(v, "quoted key"), "plain");
    gf_volfile_free(vf);
}

static void test_comments_and_layout(void **state)
{
    gf_volfile_t *vf = parse_ok("   # indented comment\r\n"
                                "volume a # trailing comment\r\n"
                                "#type t/wrong\r\n"
                                "  type   t/x  \r\n"
                                "  option auth.addr a#b\r\n"
                                "end-volume"); /* CRLF, no final newline */

    assert_int_equal(vf->n_vols, 1);
    assert_string_equal(vf->vols[0].type, "t/x");
    assert_string_equal(opt(&vf->vols[0], "auth.addr"), "a#b");
    assert_int_equal(vf->vols[0].line, 2);
    gf_volfile_free(vf);
}

static void test_text_not_nul_terminated(void **state)
{
    static const char text[] = "volume a\ntype t/x\nend-volume\nGARBAGE";
    gf_volfile_t *vf = NULL;
    char err[128];

    assert_int_equal(gf_volfile_parse(text, strlen(text) - 7, &vf, err, sizeof(err)), 0);
    assert_int_equal(vf->n_vols, 1);
    gf_volfile_free(vf);
}

static void test_from_file(void **state)
{
    char path[] = "/tmp/test-volfile-XXXXXX";
    int fd = mkstemp(path);
    gf_volfile_t *vf = NULL;
    char err[512];

    assert_true(fd >= 0);
    assert_int_equal(write(fd, two_volumes, strlen(two_volumes)), strlen(two_volumes));
    close(fd);
    assert_int_equal(gf_volfile_from_file(path, &vf, err, sizeof(err)), 0);
    assert_string_equal(gf_volfile_top(vf)->name, "locks");
    gf_volfile_free(vf);
    unlink(path);
}

static void test_from_file_errors(void **state)
{
    char path[] = "/tmp/test-volfile-XXXXXX";
    int fd = mkstemp(path);
    gf_volfile_t *vf = NULL;
    char err[512], want[600];

    assert_true(fd >= 0);
    assert_int_equal(write(fd, "volume a\n", 9), 9);
    close(fd);
    assert_int_equal(gf_volfile_from_file(path, &vf, err, sizeof(err)), -EINVAL);
    snprintf(want, sizeof(want), "%s: line 1: volume 'a' (opened at line 1) has no 'end-volume'",
             path);
    assert_string_equal(err, want);
    unlink(path);
    assert_int_equal(gf_volfile_from_file(path, &vf, err, sizeof(err)), -ENOENT);
    assert_null(vf);
    assert_non_null(strstr(err, path));
}

static void test_unknown_keyword(void **state)
{
    expect_error("volume a\ntype t/x\n  optoin k v\nend-volume\n", 3, "unknown keyword 'optoin'");
    expect_error("\nvolumes a\n", 2, "unknown keyword 'volumes'");
}

static void test_keyword_outside_volume(void **state)
{
    expect_error("# c\ntype t/x\n", 2, "'type' outside a volume block");
    expect_error("option k v\n", 1, "'option' outside a volume block");
    expect_error("volume a\ntype t/x\nend-volume\nsubvolumes a\n", 4,
                 "'subvolumes' outside a volume block");
    expect_error("volume a\ntype t/x\nend-volume\nend-volume\n", 4,
                 "'end-volume' outside a volume block");
}

static void test_volume_inside_volume(void **state)
{
    expect_error("volume a\ntype t/x\nvolume b\n", 3,
                 "'volume' inside volume 'a' (opened at line 1)");
}

static void test_missing_end_volume(void **state)
{
    expect_error("volume a\ntype t/x\noption k v\n", 3,
                 "volume 'a' (opened at line 1) has no 'end-volume'");
    expect_error("volume a\ntype t/x\n\n# end\n", 4, "has no 'end-volume'");
    expect_error("volume a", 1, "has no 'end-volume'");
}

static void test_duplicate_volume(void **state)
{
    expect_error("volume a\ntype t/x\nend-volume\nvolume a\ntype t/y\nend-volume\n", 4,
                 "volume 'a' is already defined at line 1");
}

static void test_undefined_subvolume(void **state)
{
    expect_error("volume a\ntype t/x\nend-volume\nvolume b\ntype t/x\nsubvolumes a c\n"
                 "end-volume\n",
                 6, "subvolume 'c' of volume 'b' is not defined");
}

static void test_subvolume_defined_later(void **state)
{
    expect_error("volume b\ntype t/x\nsubvolumes a\nend-volume\nvolume a\ntype t/x\n"
                 "end-volume\n",
                 3, "subvolume 'a' of volume 'b' is defined later, at line 5");
}

static void test_volume_without_type(void **state)
{
    expect_error("volume a\ntype t/x\nend-volume\n\nvolume b\noption k v\nend-volume\n", 5,
                 "volume 'b' has no type");
}

static void test_bad_type(void **state)
{
    expect_error("volume a\ntype posix\nend-volume\n", 2,
                 "type 'posix' is not of the form CATEGORY/NAME");
    expect_error("volume a\ntype a/b/c\nend-volume\n", 2, "not of the form CATEGORY/NAME");
    expect_error("volume a\ntype /posix\nend-volume\n", 2, "not of the form CATEGORY/NAME");
    expect_error("volume a\ntype storage/\nend-volume\n", 2, "not of the form CATEGORY/NAME");
    expect_error("volume a\ntype ../etc\nend-volume\n", 2, "not of the form CATEGORY/NAME");
    expect_error("volume a\ntype\nend-volume\n", 2, "'type' needs exactly one value");
    expect_error("volume a\ntype t/x\ntype t/y\nend-volume\n", 3, "a second 'type' line");
}

static void test_option_without_value(void **state)
{
    expect_error("volume a\ntype t/x\noption directory\nend-volume\n", 3,
                 "option 'directory' has no value");
    expect_error("volume a\ntype t/x\noption\nend-volume\n", 3, "needs a key and a value");
    expect_error("volume a\ntype t/x\noption k v w\nend-volume\n", 3,
                 "option 'k' has more than one value");
}

static void test_duplicate_option(void **state)
{
    expect_error("volume a\ntype t/x\noption k v\noption j v\noption k w\nend-volume\n", 5,
                 "option 'k' is given twice in volume 'a'");
}

static void test_bad_quoting(void **state)
{
    expect_error("volume a\ntype t/x\noption k \"a\\nb\"\nend-volume\n", 3,
                 "unknown escape '\\n'");
    expect_error("volume a\ntype t/x\noption k \"a\"b\nend-volume\n", 3,
                 "text right after a closing quote");
    expect_error("volume a\ntype t/x\noption k a\"b\"\nend-volume\n", 3, "a quote inside a word");
}

static void test_unterminated_quote(void **state)
{
    expect_error("volume a\ntype t/x\noption k \"abc\nend-volume\n", 3,
                 "unterminated quoted value");
    expect_error("volume a\ntype t/x\noption k \"abc\\\"\n", 3, "unterminated quoted value");
    expect_error("volume a\ntype t/x\noption k \"abc\\", 3, "unterminated quoted value");
}

static void test_empty(void **state)
{
    expect_error("", 1, "the volfile is empty");
    expect_error("\n\n", 2, "the volfile is empty");
    expect_error("# only\n# comments\n\n", 3, "the volfile is empty");
}

static void test_bad_volume_lines(void **state)
{
    expect_error("volume\n", 1, "'volume' needs exactly one name");
    expect_error("volume a b\n", 1, "'volume' needs exactly one name");
    expect_error("volume \"\"\n", 1, "'volume' needs exactly one name");
    expect_error("volume a\ntype t/x\nend-volume now\n", 3, "'end-volume' takes no argument");
}

static void test_bad_subvolume_lines(void **state)
{
    static const char base[] = "volume x\ntype t/x\nend-volume\nvolume a\ntype t/x\n";
    char text[256];

    snprintf(text, sizeof(text), "%ssubvolumes\nend-volume\n", base);
    expect_error(text, 6, "'subvolumes' lists no volume");
    snprintf(text, sizeof(text), "%ssubvolumes x x\nend-volume\n", base);
    expect_error(text, 6, "subvolume 'x' is listed twice");
    snprintf(text, sizeof(text), "%ssubvolumes a\nend-volume\n", base);
    expect_error(text, 6, "volume 'a' lists itself as a subvolume");
    snprintf(text, sizeof(text), "%ssubvolumes x\nsubvolumes x\nend-volume\n", base);
    expect_error(text, 7, "a second 'subvolumes' line (first at line 6)");
}

static void test_nul_byte(void **state)
{
    static const char text[] = "volume a\ntype t/x\0\nend-volume\n";
    gf_volfile_t *vf = NULL;
    char err[128];

    assert_int_equal(gf_volfile_parse(text, sizeof(text) - 1, &vf, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "line 2: a NUL byte in the text (is this a volfile?)");
}

/* A figure of /proc/self/status in bytes: "VmSize" (virtual memory now) or
 * "VmPeak" (its highest point, raised even by pages never touched). */
static size_t vm_figure(const char *name)
{
    char line[128];
    size_t kb = 0, n = strlen(name);
    FILE *f = fopen("/proc/self/status", "r");

    assert_non_null(f);
    while (kb == 0 && fgets(line, sizeof(line), f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            kb = strtoul(line + n + 1, NULL, 10);
    fclose(f);
    assert_true(kb > 0);
    return kb << 10;
}

/* Memory grows with a line's length, not with its length times its words: a
 * 100 KB line of 50000 words once took 2.5 GB of address space (each word got
 * a buffer the size of the rest of the line). */
static void test_many_words_on_a_line(void **state)
{
    static const char head[] = "volume a\ntype t/x\noption k";
    size_t n = 50000, len = sizeof(head) - 1;
    char *text = malloc(len + 2 * n + 2);

    assert_non_null(text);
    memcpy(text, head, len);
    for (size_t i = 0; i < n; i++, len += 2)
        memcpy(text + len, " a", 2);
    memcpy(text + len, "\n", 2);
    size_t before = vm_figure("VmSize");
    expect_error(text, 3, "option 'k' has more than one value");
    assert_true(vm_figure("VmPeak") < before + (64u << 20));
    free(text);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, note_memory, check_no_leak)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(test_two_volumes),
        CASE(test_last_volume_is_top),
        CASE(test_several_subvolumes),
        CASE(test_shared_subvolume),
        CASE(test_quoting),
        CASE(test_comments_and_layout),
        CASE(test_text_not_nul_terminated),
        CASE(test_from_file),
        CASE(test_from_file_errors),
        CASE(test_unknown_keyword),
        CASE(test_keyword_outside_volume),
        CASE(test_volume_inside_volume),
        CASE(test_missing_end_volume),
        CASE(test_duplicate_volume),
        CASE(test_undefined_subvolume),
        CASE(test_subvolume_defined_later),
        CASE(test_volume_without_type),
        CASE(test_bad_type),
        CASE(test_option_without_value),
        CASE(test_duplicate_option),
        CASE(test_bad_quoting),
        CASE(test_unterminated_quote),
        CASE(test_empty),
        CASE(test_bad_volume_lines),
        CASE(test_bad_subvolume_lines),
        CASE(test_nul_byte),
        CASE(test_many_words_on_a_line),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
