/*
 * volgen: writes the client and brick volfiles of a volume as text (graphs in
 * doc/volfiles.md), with the volume options mapped onto their translators by the
 * table below. Names, hosts and paths are free of blanks and quotes (the volume
 * model guarantees it); option values set by users are quoted when they need it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "volgen.h"

#define B GD_VOLGEN_BRICK
#define C GD_VOLGEN_CLIENT

/* The volume-level keys and the translator options they become. A key that
 * becomes options of several translators has one row per translator, rows of one
 * key next to each other. TLS keys: doc/tls.md. */
static const gd_volgen_opt_t volopts[] = {
    {"auth.allow", "protocol/server", "auth.addr.%s.allow", B, "*"},
    {"auth.reject", "protocol/server", "auth.addr.%s.reject", B, NULL},
    {"auth.ssl-allow", "protocol/server", "auth.login.%s.ssl-allow", B, NULL},
    {"server.ssl", "protocol/server", "transport.socket.ssl-enabled", B, NULL},
    {"client.ssl", "protocol/client", "transport.socket.ssl-enabled", C, NULL},
    {"ssl.own-cert", "protocol/server", "transport.socket.ssl-own-cert", B, NULL},
    {"ssl.own-cert", "protocol/client", "transport.socket.ssl-own-cert", C, NULL},
    {"ssl.private-key", "protocol/server", "transport.socket.ssl-private-key", B, NULL},
    {"ssl.private-key", "protocol/client", "transport.socket.ssl-private-key", C, NULL},
    {"ssl.ca-list", "protocol/server", "transport.socket.ssl-ca-list", B, NULL},
    {"ssl.ca-list", "protocol/client", "transport.socket.ssl-ca-list", C, NULL},
    {"ssl.certificate-depth", "protocol/server", "transport.socket.ssl-cert-depth", B, NULL},
    {"ssl.certificate-depth", "protocol/client", "transport.socket.ssl-cert-depth", C, NULL},
    {"ssl.cipher-list", "protocol/server", "transport.socket.ssl-cipher-list", B, NULL},
    {"ssl.cipher-list", "protocol/client", "transport.socket.ssl-cipher-list", C, NULL},
    {"network.inode-lru-limit", "protocol/server", "inode-lru-limit", B, NULL},
    {"diagnostics.latency-measurement", "debug/io-stats", "latency-measurement", B | C, NULL},
    {"diagnostics.count-fop-hits", "debug/io-stats", "count-fop-hits", B | C, NULL},
    {"network.ping-timeout", "protocol/client", "ping-timeout", C, NULL},
    {"network.frame-timeout", "protocol/client", "frame-timeout", C, NULL},
    {"cluster.rsync-hash-regex", "cluster/distribute", "rsync-hash-regex", C, NULL},
    {"cluster.extra-hash-regex", "cluster/distribute", "extra-hash-regex", C, NULL},
};

#undef B
#undef C

#define N_VOLOPTS ((int)(sizeof(volopts) / sizeof(volopts[0])))

const gd_volgen_opt_t *
gd_volgen_opt_find(const char *key)
{
    for (int i = 0; i < N_VOLOPTS; i++)
        if (strcmp(volopts[i].key, key) == 0)
            return &volopts[i];
    return NULL;
}

const gd_volgen_opt_t *
gd_volgen_opt_at(int i)
{
    return i >= 0 && i < N_VOLOPTS ? &volopts[i] : NULL;
}

const char *
gd_volgen_xl_key(const gd_volgen_opt_t *o, const char *brick, char *buf, size_t len)
{
    const char *s = strstr(o->xl_key, "%s");

    if (!s)
        snprintf(buf, len, "%s", o->xl_key);
    else
        snprintf(buf, len, "%.*s%s%s", (int)(s - o->xl_key), o->xl_key, brick, s + 2);
    return buf;
}

/* A growing text; err is set once an allocation failed. */
typedef struct text {
    char *s;
    size_t len, cap;
    int err;
} text_t;

static void __attribute__((format(printf, 2, 3)))
add(text_t *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->cap ? t->cap * 2 : 1024) + (size_t)n;
        char *s = gf_realloc(t->s, cap);
        if (!s) {
            t->err = 1;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* The text built, or NULL (and nothing leaked) when an allocation failed. */
static char *
finish(text_t *t)
{
    if (t->err) {
        gf_free(t->s);
        return NULL;
    }
    return t->s;
}

/* Adds value as one volfile word: as it is, or in double quotes (with \" and \\)
 * when it is empty or holds blanks, quotes, backslashes or starts a comment. */
static void
add_value(text_t *t, const char *value)
{
    if (*value && value[0] != '#' && !strpbrk(value, " \t\"\\")) {
        add(t, "%s", value);
        return;
    }
    add(t, "\"");
    for (const char *c = value; *c; c++)
        add(t, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
    add(t, "\"");
}

/* Adds the options of vol mapped to translator type on side, for brick. */
static void
add_mapped(text_t *t, const gd_volume_t *vol, const char *type, int side, const char *brick)
{
    char key[4200];

    for (int i = 0; i < N_VOLOPTS; i++) {
        const gd_volgen_opt_t *o = &volopts[i];
        const char *value = gd_vol_opt(vol, o->key);

        if (!(o->sides & side) || strcmp(o->xl_type, type) != 0 || !(value || o->def))
            continue;
        add(t, "    option %s ", gd_volgen_xl_key(o, brick, key, sizeof(key)));
        add_value(t, value ? value : o->def);
        add(t, "\n");
    }
}

char *
gd_volgen_client(const gd_volume_t *vol, int mgmt_port)
{
    text_t t = {0};
    const char *n = vol->name;

    for (int i = 0; i < vol->n_bricks; i++) {
        add(&t, "volume %s-client-%d\n    type protocol/client\n", n, i);
        add(&t, "    option remote-host %s\n", vol->bricks[i].host);
        add(&t, "    option remote-port %d\n", mgmt_port);
        add(&t, "    option remote-subvolume %s\n", vol->bricks[i].path);
        add(&t, "    option transport-type %s\n", vol->transport);
        add(&t, "    option username %s\n", vol->username);
        add(&t, "    option password %s\n", vol->password);
        add_mapped(&t, vol, "protocol/client", GD_VOLGEN_CLIENT, vol->bricks[i].path);
        add(&t, "end-volume\n\n");
    }
    if (vol->n_bricks > 1) {
        add(&t, "volume %s-dht\n    type cluster/distribute\n", n);
        add_mapped(&t, vol, "cluster/distribute", GD_VOLGEN_CLIENT, "");
        add(&t, "    subvolumes");
        for (int i = 0; i < vol->n_bricks; i++)
            add(&t, " %s-client-%d", n, i);
        add(&t, "\nend-volume\n\n");
    }
    add(&t, "volume %s\n    type debug/io-stats\n", n);
    add_mapped(&t, vol, "debug/io-stats", GD_VOLGEN_CLIENT, "");
    if (vol->n_bricks > 1)
        add(&t, "    subvolumes %s-dht\n", n);
    else
        add(&t, "    subvolumes %s-client-0\n", n);
    add(&t, "end-volume\n");
    return finish(&t);
}

char *
gd_volgen_brick(const gd_volume_t *vol, int idx, const gd_listen_t *where)
{
    text_t t = {0};
    const char *n = vol->name, *path = vol->bricks[idx].path;

    add(&t, "volume %s-posix\n    type storage/posix\n", n);
    add(&t, "    option directory %s\n", path);
    add(&t, "    option volume-id %s\n", vol->id);
    add_mapped(&t, vol, "storage/posix", GD_VOLGEN_BRICK, path);
    add(&t, "end-volume\n\n");

    add(&t, "volume %s-locks\n    type features/locks\n", n);
    add_mapped(&t, vol, "features/locks", GD_VOLGEN_BRICK, path);
    add(&t, "    subvolumes %s-posix\nend-volume\n\n", n);

    add(&t, "volume %s\n    type debug/io-stats\n", path);
    add_mapped(&t, vol, "debug/io-stats", GD_VOLGEN_BRICK, path);
    add(&t, "    subvolumes %s-locks\nend-volume\n\n", n);

    add(&t, "volume %s-server\n    type protocol/server\n", n);
    add(&t, "    option transport-type %s\n", vol->transport);
    add(&t, "    option transport.socket.bind-address %s\n", where->addr);
    add(&t, "    option transport.socket.listen-port %d\n", where->port);
    add(&t, "    option auth.login.%s.allow %s\n", path, vol->username);
    add(&t, "    option auth.login.%s.password %s\n", vol->username, vol->password);
    add_mapped(&t, vol, "protocol/server", GD_VOLGEN_BRICK, path);
    add(&t, "    subvolumes %s\n", path);
    add(&t, "end-volume\n");
    return finish(&t);
}
