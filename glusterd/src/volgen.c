/*
 * volgen: writes the client and brick volfiles of a volume as text (graphs in
 * doc/volfiles.md). Every value written here is free of blanks and quotes (the
 * volume model guarantees it for names, hosts and paths), so none needs quoting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "volgen.h"

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
        add(&t, "end-volume\n\n");
    }
    if (vol->n_bricks > 1) {
        add(&t, "volume %s-dht\n    type cluster/distribute\n    subvolumes", n);
        for (int i = 0; i < vol->n_bricks; i++)
            add(&t, " %s-client-%d", n, i);
        add(&t, "\nend-volume\n\n");
    }
    add(&t, "volume %s\n    type debug/io-stats\n", n);
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
    add(&t, "end-volume\n\n");

    add(&t, "volume %s\n    type debug/io-stats\n    subvolumes %s-posix\nend-volume\n\n", path,
        n);

    add(&t, "volume %s-server\n    type protocol/server\n", n);
    add(&t, "    option transport-type %s\n", vol->transport);
    add(&t, "    option transport.socket.bind-address %s\n", where->addr);
    add(&t, "    option transport.socket.listen-port %d\n", where->port);
    add(&t, "    option auth.login.%s.allow %s\n", path, vol->username);
    add(&t, "    option auth.login.%s.password %s\n", vol->username, vol->password);
    add(&t, "    option auth.addr.%s.allow *\n", path);
    add(&t, "    subvolumes %s\n", path);
    add(&t, "end-volume\n");
    return finish(&t);
}
