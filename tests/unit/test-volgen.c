/*
 * Unit tests of glusterd's volume model and volgen (glusterd/src/volume.c,
 * volgen.c): name and brick rules, volfile ids, the store layout of a volume read
 * back (options included), a volume reduced to one brick, and the client and
 * brick volfiles, parsed with the project's own volfile parser and checked graph
 * by graph against doc/volfiles.md, with volume options mapped onto translators.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterfs/volfile.h"
#include "volgen.h"
#include "volume.h"

static gd_volume_t *
make_vol(const char *name, int nbricks)
{
    char path[64];
    gd_volume_t *vol = gd_vol_new(name);
    assert_non_null(vol);
    for (int i = 0; i < nbricks; i++) {
        snprintf(path, sizeof(path), "/data/b%d", i);
        assert_int_equal(gd_vol_add_brick(vol, "127.1.1.1", path), 0);
    }
    return vol;
}

static gf_volfile_t *
parse(const char *text)
{
    gf_volfile_t *vf = NULL;
    char err[256] = "";
    assert_non_null(text);
    if (gf_volfile_parse(text, strlen(text), &vf, err, sizeof(err)) != 0)
        fail_msg("volfile does not parse: %s\n%s", err, text);
    return vf;
}

static void
expect_opt(const gf_volfile_vol_t *v, const char *key, const char *want)
{
    const char *val = NULL;
    if (gf_dict_get_str(v->options, key, &val) != 0)
        fail_msg("volume %s lacks option %s", v->name, key);
    assert_string_equal(val, want);
}

static void
test_vol_names(void **state)
{
    char err[128];
    assert_int_equal(gd_vol_name_check("vol_1-a", err, sizeof(err)), 0);
    assert_int_equal(gd_vol_name_check("", err, sizeof(err)), -EINVAL);
    assert_int_equal(gd_vol_name_check("-x", err, sizeof(err)), -EINVAL);
    assert_int_equal(gd_vol_name_check("a.b", err, sizeof(err)), -EINVAL);
    assert_int_equal(gd_vol_name_check("a/b", err, sizeof(err)), -EINVAL);
    assert_int_equal(gd_vol_name_check("all", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "reserved"));
}

static void
test_brick_parse(void **state)
{
    char err[128], *host = NULL, *path = NULL;
    assert_int_equal(gd_brick_parse("h1:/data//b1/", &host, &path, err, sizeof(err)), 0);
    assert_string_equal(host, "h1");
    assert_string_equal(path, "/data/b1");
    gf_free(host);
    gf_free(path);
    assert_int_equal(gd_brick_parse("::1:/x", &host, &path, err, sizeof(err)), 0);
    assert_string_equal(host, "::1");
    assert_string_equal(path, "/x");
    gf_free(host);
    gf_free(path);
    assert_int_equal(gd_brick_parse("h1/data", &host, &path, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "HOST:/PATH"));
    assert_int_equal(gd_brick_parse(":/data", &host, &path, err, sizeof(err)), -EINVAL);
    assert_int_equal(gd_brick_parse("h:/", &host, &path, err, sizeof(err)), -EINVAL);
    assert_int_equal(gd_brick_parse("h:/a/../b", &host, &path, err, sizeof(err)), -EINVAL);
    assert_int_equal(gd_brick_parse("h:/a b", &host, &path, err, sizeof(err)), -EINVAL);
}

static void
test_volfile_id(void **state)
{
    gd_volume_t *vol = make_vol("v1", 1);
    gd_brick_t b = {.host = "127.1.1.1", .path = "/data/my/b1"};
    char *id = gd_brick_volfile_id(vol, &b);
    assert_string_equal(id, "v1.127.1.1.1.data-my-b1");
    gf_free(id);
    gd_vol_free(vol);
}

static void
test_new_volume_has_fresh_ids(void **state)
{
    gd_volume_t *a = make_vol("a", 0), *b = make_vol("b", 0);
    assert_int_equal(strlen(a->id), 36);
    assert_string_not_equal(a->id, b->id);
    assert_string_not_equal(a->username, b->username);
    assert_string_not_equal(a->password, a->username);
    assert_int_equal(a->status, GD_VOL_CREATED);
    gd_vol_free(a);
    gd_vol_free(b);
}

/* Turns the puts of txn into a sorted listing, as the store would return it. */
static int
kv_cmp(const void *x, const void *y)
{
    return strcmp(((const gd_kv_t *)x)->key, ((const gd_kv_t *)y)->key);
}

/* Each brick is also placed under its server (placed/UUID/): a server that reads
 * only its own placement gets the volume with its bricks alone, in their places;
 * deleting the volume removes every key create wrote. */
static void
test_store_placement(void **state)
{
    static const char *const servers[] = {"u1", "u2", "u1"};
    gd_volume_t *vol = make_vol("w", 3), **vols = NULL, *copy;
    gd_txn_t *txn = gd_txn_new(), *del = gd_txn_new();
    gd_kv_t kvs[16];
    int n = 0, nv = 0, puts = 0, deletes = 0;
    char err[128] = "";

    for (int i = 0; i < 3; i++)
        vol->bricks[i].server = gf_strdup(servers[i]);
    gd_vol_txn_create(vol, txn);
    assert_int_equal(txn->err, 0);
    for (int i = 0; i < txn->n_ops; i++) {
        const char *k = txn->ops[i].key;
        if (strncmp(k, "vol/", 4) == 0 || strncmp(k, "placed/u1/", 10) == 0)
            kvs[n++] = (gd_kv_t){txn->ops[i].key, txn->ops[i].value, txn->ops[i].len, 4};
        puts += strncmp(k, "placed/", 7) == 0;
    }
    assert_int_equal(puts, 3);
    qsort(kvs, (size_t)n, sizeof(kvs[0]), kv_cmp);
    assert_int_equal(gd_vols_from_kvs(kvs, n, &vols, &nv, err, sizeof(err)), 0);
    assert_int_equal(nv, 1);
    assert_int_equal(vols[0]->n_bricks, 0); /* vol/ alone holds no brick */
    assert_int_equal(gd_vols_add_bricks(vols, nv, kvs, n, "placed/u1/", err, sizeof(err)), 0);
    assert_int_equal(vols[0]->n_bricks, 3);
    assert_string_equal(vols[0]->bricks[0].path, "/data/b0");
    assert_null(vols[0]->bricks[1].host); /* u2's */
    assert_string_equal(vols[0]->bricks[2].server, "u1");
    assert_false(gd_vol_complete(vols[0]));
    assert_non_null(copy = gd_vol_copy(vols[0]));
    assert_string_equal(copy->bricks[2].path, "/data/b2");
    gd_vol_free(copy);
    gd_vols_free(vols, nv);

    vol->info_rev = 4;
    gd_vol_txn_delete(vol, NULL, 0, del);
    for (int i = 0; i < del->n_ops; i++)
        deletes += strncmp(del->ops[i].key, "brick/w/", 8) == 0 ||
                   strncmp(del->ops[i].key, "placed/", 7) == 0;
    assert_int_equal(deletes, 6);
    assert_string_equal(del->guards[0].key, "vol/w/info");
    gd_txn_free(txn);
    gd_txn_free(del);
    gd_vol_free(vol);
}

static void
test_store_layout_round_trip(void **state)
{
    gd_volume_t *vol = make_vol("v1", 12), *other = make_vol("v0", 1), **vols = NULL;
    gd_txn_t *txn = gd_txn_new();
    gd_kv_t kvs[64];
    int n = 0, nv = 0;
    char err[128];

    vol->status = GD_VOL_STARTED;
    gd_vol_txn_create(vol, txn);
    gd_vol_txn_create(other, txn);
    assert_int_equal(txn->err, 0);
    assert_int_equal(txn->n_guards, 2);
    assert_string_equal(txn->guards[0].key, "vol/v1/info");
    assert_int_equal(txn->guards[0].rev, 0);
    assert_int_equal(txn->n_ops, 12 + 1 + 2);
    for (int i = 0; i < txn->n_ops; i++)
        kvs[n++] = (gd_kv_t){txn->ops[i].key, txn->ops[i].value, txn->ops[i].len, 5};
    qsort(kvs, (size_t)n, sizeof(kvs[0]), kv_cmp);
    assert_int_equal(gd_vols_from_kvs(kvs, n, &vols, &nv, err, sizeof(err)), 0);
    assert_int_equal(nv, 2);
    assert_string_equal(vols[0]->name, "v0");
    assert_string_equal(vols[1]->name, "v1");
    assert_string_equal(vols[1]->id, vol->id);
    assert_int_equal(vols[1]->status, GD_VOL_STARTED);
    assert_int_equal(vols[1]->info_rev, 5);
    assert_string_equal(vols[1]->password, vol->password);
    assert_int_equal(vols[1]->n_bricks, 12);
    assert_string_equal(vols[1]->bricks[10].path, "/data/b10"); /* numeric, not key order */
    gd_vols_free(vols, nv);
    gd_txn_free(txn);
    gd_vol_free(vol);
    gd_vol_free(other);
}

static void
test_unreadable_volume_skipped(void **state)
{
    gd_kv_t kvs[] = {
        {"vol/bad/brick/1", "host=h\npath=/p\n", 15, 1}, /* brick 0 missing, no info */
        {"vol/good/info",
         "id=0f0e0d0c-0b0a-0908-0706-050403020100\nstatus=stopped\ntype=distribute\n"
         "transport=tcp\nusername=u\npassword=p\n",
         0, 2},
    };
    gd_volume_t **vols = NULL;
    int nv = 0;
    char err[128];
    assert_int_equal(gd_vols_from_kvs(kvs, 2, &vols, &nv, err, sizeof(err)), 0);
    assert_int_equal(nv, 1);
    assert_string_equal(vols[0]->name, "good");
    assert_int_equal(vols[0]->status, GD_VOL_STOPPED);
    assert_non_null(strstr(err, "bad"));
    gd_vols_free(vols, nv);
}

static void
test_client_volfile_one_brick(void **state)
{
    gd_volume_t *vol = make_vol("v1", 1);
    char *text = gd_volgen_client(vol, 24107);
    gf_volfile_t *vf = parse(text);
    const gf_volfile_vol_t *top = gf_volfile_top(vf), *cl;

    assert_int_equal(vf->n_vols, 2);
    assert_string_equal(top->name, "v1");
    assert_string_equal(top->type, "debug/io-stats");
    assert_int_equal(top->n_subvols, 1);
    assert_string_equal(top->subvols[0], "v1-client-0");
    cl = gf_volfile_find(vf, "v1-client-0");
    assert_non_null(cl);
    assert_string_equal(cl->type, "protocol/client");
    expect_opt(cl, "remote-host", "127.1.1.1");
    expect_opt(cl, "remote-port", "24107");
    expect_opt(cl, "remote-subvolume", "/data/b0");
    expect_opt(cl, "transport-type", "tcp");
    expect_opt(cl, "username", vol->username);
    expect_opt(cl, "password", vol->password);
    assert_int_equal(gf_dict_count(cl->options), 6);
    gf_volfile_free(vf);
    gf_free(text);
    gd_vol_free(vol);
}

static void
test_client_volfile_distribute(void **state)
{
    gd_volume_t *vol = make_vol("v2", 3);
    char *text = gd_volgen_client(vol, 24007);
    gf_volfile_t *vf = parse(text);
    const gf_volfile_vol_t *top = gf_volfile_top(vf), *dht = gf_volfile_find(vf, "v2-dht");

    assert_int_equal(vf->n_vols, 5);
    assert_string_equal(top->subvols[0], "v2-dht");
    assert_non_null(dht);
    assert_string_equal(dht->type, "cluster/distribute");
    assert_int_equal(dht->n_subvols, 3);
    assert_string_equal(dht->subvols[2], "v2-client-2");
    expect_opt(gf_volfile_find(vf, "v2-client-2"), "remote-subvolume", "/data/b2");
    gf_volfile_free(vf);
    gf_free(text);
    gd_vol_free(vol);
}

static void
test_brick_volfile(void **state)
{
    gd_volume_t *vol = make_vol("v3", 2);
    gd_listen_t where = {"127.1.1.1", 49153};
    char *text = gd_volgen_brick(vol, 1, &where), key[128];
    gf_volfile_t *vf = parse(text);
    const gf_volfile_vol_t *top = gf_volfile_top(vf), *ios, *posix;

    assert_int_equal(vf->n_vols, 4);
    assert_string_equal(top->name, "v3-server");
    assert_string_equal(top->type, "protocol/server");
    assert_string_equal(top->subvols[0], "/data/b1");
    expect_opt(top, "transport-type", "tcp");
    expect_opt(top, "transport.socket.bind-address", "127.1.1.1");
    expect_opt(top, "transport.socket.listen-port", "49153");
    expect_opt(top, "auth.login./data/b1.allow", vol->username);
    snprintf(key, sizeof(key), "auth.login.%s.password", vol->username);
    expect_opt(top, key, vol->password);
    expect_opt(top, "auth.addr./data/b1.allow", "*");
    ios = gf_volfile_find(vf, "/data/b1");
    assert_non_null(ios);
    assert_string_equal(ios->type, "debug/io-stats");
    assert_string_equal(ios->subvols[0], "v3-locks");
    assert_string_equal(gf_volfile_find(vf, "v3-locks")->type, "features/locks");
    assert_string_equal(gf_volfile_find(vf, "v3-locks")->subvols[0], "v3-posix");
    posix = gf_volfile_find(vf, "v3-posix");
    assert_string_equal(posix->type, "storage/posix");
    expect_opt(posix, "directory", "/data/b1");
    expect_opt(posix, "volume-id", vol->id);
    gf_volfile_free(vf);
    gf_free(text);
    gd_vol_free(vol);
}

/* Options are stored one key each, set and removed under the info guard. */
static void
test_options_store(void **state)
{
    gd_volume_t *vol = make_vol("v1", 1), **vols = NULL;
    gd_txn_t *txn = gd_txn_new();
    gd_kv_t kvs[8];
    int n = 0, nv = 0;
    char err[128];

    assert_int_equal(gd_vol_opt_set(vol, "auth.allow", "10.*"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "auth.allow", "11.*"), 0);
    assert_int_equal(vol->n_opts, 1);
    assert_string_equal(gd_vol_opt(vol, "auth.allow"), "11.*");
    assert_null(gd_vol_opt(vol, "auth.reject"));
    gd_vol_txn_create(vol, txn);
    for (int i = 0; i < txn->n_ops; i++)
        kvs[n++] = (gd_kv_t){txn->ops[i].key, txn->ops[i].value, txn->ops[i].len, 3};
    assert_string_equal(kvs[n - 1].key, "vol/v1/opt/auth.allow");
    qsort(kvs, (size_t)n, sizeof(kvs[0]), kv_cmp);
    kvs[0].rev = 7; /* the generation is the latest revision among the keys */
    assert_int_equal(gd_vols_from_kvs(kvs, n, &vols, &nv, err, sizeof(err)), 0);
    assert_string_equal(gd_vol_opt(vols[0], "auth.allow"), "11.*");
    assert_int_equal(vols[0]->gen, 7);
    gd_vols_free(vols, nv);
    gd_txn_free(txn);

    vol->info_rev = 9;
    txn = gd_txn_new();
    gd_vol_txn_update_info(vol, txn);
    gd_vol_txn_opt(vol, "auth.reject", "1.2.3.4", txn);
    gd_vol_txn_opt(vol, "auth.allow", NULL, txn);
    assert_int_equal(txn->n_guards, 1);
    assert_string_equal(txn->guards[0].key, "vol/v1/info");
    assert_int_equal(txn->guards[0].rev, 9);
    assert_int_equal(txn->ops[0].type, GD_TXN_PUT);
    assert_string_equal(txn->ops[0].key, "vol/v1/info");
    assert_int_equal(txn->ops[1].type, GD_TXN_PUT);
    assert_string_equal(txn->ops[1].key, "vol/v1/opt/auth.reject");
    assert_int_equal(txn->ops[2].type, GD_TXN_DELETE);
    assert_string_equal(txn->ops[2].key, "vol/v1/opt/auth.allow");
    gd_txn_free(txn);
    assert_int_equal(gd_vol_opt_del(vol, "auth.allow"), 0);
    assert_int_equal(gd_vol_opt_del(vol, "auth.allow"), -ENOENT);
    assert_int_equal(vol->n_opts, 0);
    gd_vol_free(vol);
}

/* A brick view holds that brick alone, with the volume's options and ids. */
static void
test_brick_view(void **state)
{
    gd_volume_t *vol = make_vol("v2", 3), *view;
    char *id, *vid;

    assert_int_equal(gd_vol_opt_set(vol, "auth.reject", "9.9.9.9"), 0);
    view = gd_vol_brick_view(vol, 2);
    assert_non_null(view);
    assert_int_equal(view->n_bricks, 1);
    assert_string_equal(view->bricks[0].path, "/data/b2");
    assert_string_equal(view->id, vol->id);
    assert_string_equal(view->password, vol->password);
    assert_string_equal(gd_vol_opt(view, "auth.reject"), "9.9.9.9");
    id = gd_brick_volfile_id(vol, &vol->bricks[2]);
    vid = gd_brick_volfile_id(view, &view->bricks[0]);
    assert_string_equal(id, vid);
    gf_free(id);
    gf_free(vid);
    gd_vol_free(view);
    gd_vol_free(vol);
}

/* Volume options land in the translators the table maps them to, per side. */
static void
test_volfile_options(void **state)
{
    gd_volume_t *vol = make_vol("v4", 2);
    gd_listen_t where = {"0.0.0.0", 0};
    char *brick, *client;
    gf_volfile_t *bvf, *cvf;
    const gf_volfile_vol_t *top;

    assert_int_equal(gd_vol_opt_set(vol, "auth.allow", "10.0.0.*,127.0.0.1"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "auth.reject", "10.0.0.9"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "server.ssl", "on"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "client.ssl", "on"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "ssl.cipher-list", "HIGH:!aNULL"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "network.ping-timeout", "7"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "cluster.extra-hash-regex", "a b\"c"), 0);
    assert_int_equal(gd_vol_opt_set(vol, "diagnostics.count-fop-hits", "on"), 0);
    brick = gd_volgen_brick(vol, 0, &where);
    client = gd_volgen_client(vol, 24007);
    bvf = parse(brick);
    cvf = parse(client);

    top = gf_volfile_top(bvf);
    expect_opt(top, "auth.addr./data/b0.allow", "10.0.0.*,127.0.0.1");
    expect_opt(top, "auth.addr./data/b0.reject", "10.0.0.9");
    expect_opt(top, "transport.socket.ssl-enabled", "on");
    expect_opt(top, "transport.socket.ssl-cipher-list", "HIGH:!aNULL");
    expect_opt(top, "transport.socket.listen-port", "0");
    expect_opt(gf_volfile_find(bvf, "/data/b0"), "count-fop-hits", "on");
    assert_false(gf_dict_has(top->options, "ping-timeout"));

    top = gf_volfile_find(cvf, "v4-client-1");
    expect_opt(top, "transport.socket.ssl-enabled", "on");
    expect_opt(top, "transport.socket.ssl-cipher-list", "HIGH:!aNULL");
    expect_opt(top, "ping-timeout", "7");
    assert_false(gf_dict_has(top->options, "auth.addr./data/b1.allow"));
    expect_opt(gf_volfile_find(cvf, "v4-dht"), "extra-hash-regex", "a b\"c");
    expect_opt(gf_volfile_top(cvf), "count-fop-hits", "on");
    gf_volfile_free(bvf);
    gf_volfile_free(cvf);
    gf_free(brick);
    gf_free(client);
    gd_vol_free(vol);
}

/* The table: keys are found, a key with several rows has them together, and the
 * brick name goes where %s is. */
static void
test_option_table(void **state)
{
    const gd_volgen_opt_t *o = gd_volgen_opt_find("auth.allow");
    char key[128];

    assert_non_null(o);
    assert_string_equal(gd_volgen_xl_key(o, "/b", key, sizeof(key)), "auth.addr./b.allow");
    assert_null(gd_volgen_opt_find("auth.addr"));
    for (int i = 0; (o = gd_volgen_opt_at(i)) != NULL; i++) {
        for (int j = i + 2; gd_volgen_opt_at(j); j++)
            if (!strcmp(gd_volgen_opt_at(j)->key, o->key))
                assert_string_equal(gd_volgen_opt_at(j - 1)->key, o->key);
    }
    o = gd_volgen_opt_find("ssl.ca-list");
    assert_string_equal(o->xl_type, "protocol/server");
    assert_string_equal(o[1].key, "ssl.ca-list");
    assert_string_equal(o[1].xl_type, "protocol/client");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vol_names),
        cmocka_unit_test(test_brick_parse),
        cmocka_unit_test(test_volfile_id),
        cmocka_unit_test(test_new_volume_has_fresh_ids),
        cmocka_unit_test(test_store_layout_round_trip),
        cmocka_unit_test(test_store_placement),
        cmocka_unit_test(test_unreadable_volume_skipped),
        cmocka_unit_test(test_client_volfile_one_brick),
        cmocka_unit_test(test_client_volfile_distribute),
        cmocka_unit_test(test_brick_volfile),
        cmocka_unit_test(test_options_store),
        cmocka_unit_test(test_brick_view),
        cmocka_unit_test(test_volfile_options),
        cmocka_unit_test(test_option_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
