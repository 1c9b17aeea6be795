/*
 * The portmap registry (brick path -> port) and the portmap program served on
 * glusterd's port: PORTBYBRICK for clients, SIGNIN and SIGNOUT for brick
 * processes (wire types in rpc/xdr/src/portmap.x).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "addr.h"
#include "pmap.h"

typedef struct entry {
    char *brick;
    int port;
    pid_t pid;
    int signed_in; /* 0: reserved for a process being launched */
} entry_t;

struct gd_pmap {
    entry_t *entries;
    int n;
    int base_port;
    gd_pmap_hook_t hook;
    void *hook_data;
};

gd_pmap_t *
gd_pmap_new(int base_port, gd_pmap_hook_t hook, void *hook_data)
{
    gd_pmap_t *pm = gf_calloc(1, sizeof(*pm));
    if (!pm)
        return NULL;
    pm->base_port = base_port;
    pm->hook = hook;
    pm->hook_data = hook_data;
    return pm;
}

void
gd_pmap_free(gd_pmap_t *pm)
{
    if (!pm)
        return;
    for (int i = 0; i < pm->n; i++)
        gf_free(pm->entries[i].brick);
    gf_free(pm->entries);
    gf_free(pm);
}

static entry_t *
find_brick(const gd_pmap_t *pm, const char *brick)
{
    for (int i = 0; i < pm->n; i++)
        if (strcmp(pm->entries[i].brick, brick) == 0)
            return &pm->entries[i];
    return NULL;
}

static int
port_taken(const gd_pmap_t *pm, int port)
{
    for (int i = 0; i < pm->n; i++)
        if (pm->entries[i].port == port)
            return 1;
    return 0;
}

/* Whether a TCP socket can bind port on addr now (as the brick will, with
 * SO_REUSEADDR). */
static int
port_free(const char *addr, int port)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    char service[8];
    int fd, one = 1, ok = 0;

    snprintf(service, sizeof(service), "%d", port);
    if (getaddrinfo(gd_addr_is_any(addr) ? NULL : addr, service, &hints, &res) != 0)
        return 0;
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        ok = bind(fd, res->ai_addr, res->ai_addrlen) == 0;
        close(fd);
    }
    freeaddrinfo(res);
    return ok;
}

/* The entry of brick, added (port 0) when absent; NULL on ENOMEM. */
static entry_t *
get_entry(gd_pmap_t *pm, const char *brick)
{
    entry_t *e = find_brick(pm, brick), *arr;
    if (e)
        return e;
    arr = gf_realloc(pm->entries, (size_t)(pm->n + 1) * sizeof(*arr));
    if (!arr)
        return NULL;
    pm->entries = arr;
    e = &arr[pm->n];
    memset(e, 0, sizeof(*e));
    if (!(e->brick = gf_strdup(brick)))
        return NULL;
    pm->n++;
    return e;
}

int
gd_pmap_reserve(gd_pmap_t *pm, const char *bind_addr, const char *brick)
{
    entry_t *e;
    gd_pmap_forget(pm, brick);
    for (int port = pm->base_port; port <= 65535; port++) {
        if (port_taken(pm, port) || !port_free(bind_addr, port))
            continue;
        if (!(e = get_entry(pm, brick)))
            return -ENOMEM;
        e->port = port;
        e->pid = 0;
        e->signed_in = 0;
        return port;
    }
    return -EADDRINUSE;
}

int
gd_pmap_signin(gd_pmap_t *pm, const char *brick, int port, pid_t pid)
{
    entry_t *e = get_entry(pm, brick);
    if (!e)
        return -ENOMEM;
    e->port = port;
    e->pid = pid;
    e->signed_in = 1;
    return 0;
}

int
gd_pmap_forget(gd_pmap_t *pm, const char *brick)
{
    entry_t *e = find_brick(pm, brick);
    if (!e)
        return -ENOENT;
    gf_free(e->brick);
    *e = pm->entries[--pm->n];
    return 0;
}

int
gd_pmap_port(const gd_pmap_t *pm, const char *brick)
{
    const entry_t *e = find_brick(pm, brick);
    return e && e->signed_in ? e->port : -ENOENT;
}
