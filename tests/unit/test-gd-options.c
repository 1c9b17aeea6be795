/*
 * Unit tests of glusterd's option metadata: translator option tables read from
 * modules (xlmeta.c, against the test noop translator loaded with dlopen), the
 * checks and defaults of `volume set` / `volume get` keys (volset.c), and process
 * signatures (procsig.c) of brick volfiles written by volgen, with tables shaped
 * like those of our translators: bricks differing only in brick-scoped options
 * share a signature, a process-scoped difference (TLS settings) tells them apart.
 *
 * The noop module is found under TEST_XLATOR_DIR (the build's tests/unit/xl) as
 * test/noop.so or test/.libs/noop.so, and loaded through a private folder of
 * symlinks laid out as the loader expects.
 */
#include <errno.h>
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

#include "glusterfs/mem.h"
#include "procsig.h"
#include "volgen.h"
#include "volset.h"
#include "volume.h"
#include "xlmeta.h"

#define P GF_SCOPE_PROCESS
#define N GF_OPT_NO_FIELD

static const gf_option_t server_opts[] = {
    {.key = "transport-type", .type = GF_OPT_ENUM, .def = "tcp", .values = {"tcp"}, .scope = P,
     .offset = N},
    {.key = "transport.socket.bind-address", .type = GF_OPT_ANY, .def = "0.0.0.0", .scope = P,
     .offset = N},
    {.key = "transport.socket.listen-port", .type = GF_OPT_INT, .def = "0", .max = 65535,
     .scope = P, .offset = N},
    {.key = "transport.socket.ssl-enabled", .type = GF_OPT_BOOL, .def = "off", .scope = P,
     .offset = N},
    {.key = "transport.socket.ssl-cipher-list", .type = GF_OPT_STR, .def = "HIGH", .scope = P,
     .offset = N},
    {.key = "inode-lru-limit", .type = GF_OPT_INT, .def = "16384", .max = 1048576, .offset = N},
    {.key = "auth.login.*", .type = GF_OPT_ANY, .offset = N},
    {.key = "auth.addr.*", .type = GF_OPT_ANY, .offset = N},
    {.key = NULL},
};

static const gf_option_t posix_opts[] = {
    {.key = "directory", .type = GF_OPT_PATH, .offset = N},
    {.key = "volume-id", .type = GF_OPT_STR, .offset = N},
    {.key = NULL},
};

static const gf_option_t iostats_opts[] = {
    {.key = "latency-measurement", .type = GF_OPT_BOOL, .def = "off", .offset = N},
    {.key = NULL},
};

static const gf_option_t client_opts[] = {
    {.key = "ping-timeout", .type = GF_OPT_TIME, .def = "42", .min = 1, .max = 1013,
     .offset = N},
    {.key = NULL},
};

static gd_xlmeta_t *meta;
static char err[1024];
static char xl_dir[] = "/tmp/test-gd-options.XXXXXX";

static int
setup(void **state)
{
    meta = gd_xlmeta_new(NULL);
    assert_non_null(meta);
    assert_int_equal(gd_xlmeta_add(meta, "protocol/server", server_opts), 0);
    assert_int_equal(gd_xlmeta_add(meta, "storage/posix", posix_opts), 0);
    assert_int_equal(gd_xlmeta_add(meta, "debug/io-stats", iostats_opts), 0);
    assert_int_equal(gd_xlmeta_add(meta, "protocol/client", client_opts), 0);
    assert_int_equal(gd_xlmeta_add(meta, "features/locks", NULL), 0);
    return 0;
}

static int
teardown(void **state)
{
    gd_xlmeta_free(meta);
    return 0;
}

/* A volume with one brick, /data/NAME. */
static gd_volume_t *
make_vol(const char *name)
{
    char path[64];
    gd_volume_t *vol = gd_vol_new(name);

    assert_non_null(vol);
    snprintf(path, sizeof(path), "/data/%s", name);
    assert_int_equal(gd_vol_add_brick(vol, "127.1.1.1", path), 0);
    return vol;
}

/* The signature of vol's brick volfile for no process (port 0). */
static char *
sig_of(const gd_volume_t *vol)
{
    gd_listen_t nowhere = {"127.1.1.1", 0};
    char *volfile = gd_volgen_brick(vol, 0, &nowhere), *sig = NULL;

    assert_non_null(volfile);
    if (gd_procsig(meta, volfile, &sig, err, sizeof(err)) != 0)
        fail_msg("no signature: %s\n%s", err, volfile);
    gf_free(volfile);
    return sig;
}

static void
test_signature_lines(void **state)
{
    gd_volume_t *v = make_vol("v1");
    char *sig = sig_of(v);

    assert_non_null(strstr(sig, "protocol/server transport.socket.ssl-enabled=off\n"));
    assert_non_null(strstr(sig, "protocol/server transport.socket.listen-port=0\n"));
    assert_non_null(strstr(sig, "protocol/server transport-type=tcp\n"));
    assert_null(strstr(sig, "inode-lru-limit"));
    assert_null(strstr(sig, "auth."));
    assert_null(strstr(sig, "directory"));
    gf_free(sig);
    gd_vol_free(v);
}

/* Two volumes that differ only in brick-scoped things share a signature. */
static void
test_brick_scope_shares(void **state)
{
    gd_volume_t *a = make_vol("va"), *b = make_vol("vb");
    char *sa, *sb;

    assert_int_equal(gd_vol_opt_set(b, "auth.allow", "10.0.0.*"), 0);
    assert_int_equal(gd_vol_opt_set(b, "auth.reject", "10.0.0.9"), 0);
    assert_int_equal(gd_vol_opt_set(b, "network.inode-lru-limit", "100"), 0);
    assert_int_equal(gd_vol_opt_set(b, "diagnostics.latency-measurement", "on"), 0);
    sa = sig_of(a);
    sb = sig_of(b);
    assert_string_equal(sa, sb);
    gf_free(sa);
    gf_free(sb);
    gd_vol_free(a);
    gd_vol_free(b);
}

/* A process-scoped option set differently tells bricks apart; spellings of one
 * value do not. */
static void
test_process_scope_differs(void **state)
{
    gd_volume_t *a = make_vol("va"), *b = make_vol("vb");
    char *sa, *sb;

    assert_int_equal(gd_vol_opt_set(b, "ssl.cipher-list", "HIGH:!aNULL"), 0);
    sa = sig_of(a);
    sb = sig_of(b);
    assert_string_not_equal(sa, sb);
    gf_free(sa);
    gf_free(sb);
    assert_int_equal(gd_vol_opt_set(a, "server.ssl", "on"), 0);
    assert_int_equal(gd_vol_opt_set(b, "server.ssl", "yes"), 0);
    assert_int_equal(gd_vol_opt_set(b, "ssl.cipher-list", "HIGH"), 0);
    sa = sig_of(a);
    sb = sig_of(b);
    assert_string_equal(sa, sb); /* "HIGH" is the default; on = yes */
    assert_non_null(strstr(sa, "ssl-enabled=on\n"));
    gf_free(sa);
    gf_free(sb);
    gd_vol_free(a);
    gd_vol_free(b);
}

static void
test_signature_errors(void **state)
{
    char *sig = NULL;
    gd_xlmeta_t *empty = gd_xlmeta_new(NULL);

    assert_int_equal(gd_procsig(meta,
                                "volume x\n type storage/posix\n option color red\nend-volume\n",
                                &sig, err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "has no option 'color'"));
    assert_int_equal(gd_procsig(empty, "volume x\n type storage/posix\nend-volume\n", &sig,
                                err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, "storage/posix"));
    assert_int_equal(gd_procsig(meta, "volume x\n", &sig, err, sizeof(err)), -EINVAL);
    assert_null(sig);
    gd_xlmeta_free(empty);
}

static void
test_volset_checks(void **state)
{
    assert_int_equal(gd_volset_check(meta, "auth.allow", "10.*,192.168.1.2", err, sizeof(err)), 0);
    assert_int_equal(gd_volset_check(meta, "network.inode-lru-limit", "5000", err, sizeof(err)),
                     0);
    assert_int_equal(gd_volset_check(meta, "server.ssl", "on", err, sizeof(err)), 0);
    assert_int_equal(gd_volset_check(meta, "network.ping-timeout", "30", err, sizeof(err)), 0);

    assert_int_equal(gd_volset_check(meta, "no.such-key", "1", err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "volume get VOLNAME all"));
    assert_int_equal(gd_volset_check(meta, "cluster.brick-multiplex", "on", err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, "volume set all cluster.brick-multiplex"));
    assert_int_equal(gd_volset_check(meta, "network.inode-lru-limit", "lots", err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "network.inode-lru-limit: 'lots' is not a valid integer"));
    assert_int_equal(gd_volset_check(meta, "server.ssl", "maybe", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not a boolean"));
    assert_int_equal(gd_volset_check(meta, "network.ping-timeout", "2000", err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(gd_volset_check(meta, "auth.allow", "a\nb", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "control characters"));
}

/* A key whose translator lacks the option is refused, naming both. */
static void
test_volset_mismatch(void **state)
{
    assert_int_equal(gd_volset_check(meta, "client.ssl", "on", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "protocol/client has no option transport.socket.ssl-enabled"));
}

static void
test_volset_values(void **state)
{
    gd_volume_t *v = make_vol("v1");
    const gd_volgen_opt_t *allow = gd_volgen_opt_find("auth.allow"),
                          *lru = gd_volgen_opt_find("network.inode-lru-limit"),
                          *reject = gd_volgen_opt_find("auth.reject");

    assert_string_equal(gd_volset_value(meta, v, allow), "*");
    assert_string_equal(gd_volset_value(meta, v, lru), "16384");
    assert_string_equal(gd_volset_value(meta, v, reject), "(null)");
    assert_int_equal(gd_vol_opt_set(v, "network.inode-lru-limit", "77"), 0);
    assert_string_equal(gd_volset_value(meta, v, lru), "77");
    assert_int_equal(gd_vol_opt_del(v, "network.inode-lru-limit"), 0);
    assert_int_equal(gd_vol_opt_del(v, "network.inode-lru-limit"), -ENOENT);
    assert_string_equal(gd_volset_value(meta, v, lru), "16384");
    gd_vol_free(v);
}

/* --- xlmeta against a real module --- */

static void
link_noop(const char *as)
{
    char target[PATH_MAX], link[PATH_MAX + 64];

    snprintf(target, sizeof(target), "%s/test/noop.so", TEST_XLATOR_DIR);
    if (access(target, F_OK) != 0)
        snprintf(target, sizeof(target), "%s/test/.libs/noop.so", TEST_XLATOR_DIR);
    snprintf(link, sizeof(link), "%s/test/%s.so", xl_dir, as);
    assert_int_equal(symlink(target, link), 0);
}

static void
test_xlmeta_module(void **state)
{
    const gf_option_t *t1 = NULL, *t2 = NULL;
    char sub[PATH_MAX], path[PATH_MAX + 16];
    gd_xlmeta_t *m;

    assert_non_null(mkdtemp(xl_dir));
    snprintf(sub, sizeof(sub), "%s/test", xl_dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    link_noop("noop");
    link_noop("other");
    m = gd_xlmeta_new(xl_dir);
    assert_int_equal(gd_xlmeta_table(m, "test/noop", &t1, err, sizeof(err)), 0);
    assert_non_null(gf_option_find(t1, "count"));
    assert_string_equal(gf_option_find(t1, "count")->def, "3");
    assert_int_equal(gd_xlmeta_table(m, "test/noop", &t2, err, sizeof(err)), 0);
    assert_ptr_equal(t1, t2);
    assert_int_equal(gd_xlmeta_table(m, "test/other", &t2, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not 'test/other'"));
    assert_int_equal(gd_xlmeta_table(m, "test/missing", &t2, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "test/missing.so does not exist"));
    assert_int_equal(gd_xlmeta_table(m, "../etc/x", &t2, err, sizeof(err)), -ENOENT);
    gd_xlmeta_free(m);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s.so", sub, i ? "other" : "noop");
        unlink(path);
    }
    rmdir(sub);
    rmdir(xl_dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_lines),
        cmocka_unit_test(test_brick_scope_shares),
        cmocka_unit_test(test_process_scope_differs),
        cmocka_unit_test(test_signature_errors),
        cmocka_unit_test(test_volset_checks),
        cmocka_unit_test(test_volset_mismatch),
        cmocka_unit_test(test_volset_values),
        cmocka_unit_test(test_xlmeta_module),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
