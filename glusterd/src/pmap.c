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
#include "index.h"
#include "pmap.h"
#include "portmap-xdr.h"
#include "rpcsvc.h"

typedef struct entry {
    char *brick;
    int port;
    pid_t pid;
    int signed_in; /* 0: reserved for a process being launched */
    int pos;       /* in gd_pmap.entries */
} entry_t;

struct gd_pmap {
    entry_t **entries;
    int n, cap;
    gd_index_t *by_brick;
    int base_port;
    gd_pmap_hook_t hook;
    void *hook_data;
    rpc_program_t program; /* priv: this registry */
};

gd_pmap_t *
gd_pmap_new(int base_port, gd_pmap_hook_t hook, void *hook_data)
{
    gd_pmap_t *pm = gf_calloc(1, sizeof(*pm));
    if (!pm)
        return NULL;
    if (!(pm->by_brick = gd_index_new())) {
        gf_free(pm);
        return NULL;
    }
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
    for (int i = 0; i < pm->n; i++) {
        gf_free(pm->entries[i]->brick);
        gf_free(pm->entries[i]);
    }
    gf_free(pm->entries);
    gd_index_free(pm->by_brick);
    gf_free(pm);
}

static entry_t *
find_brick(const gd_pmap_t *pm, const char *brick)
{
    return gd_index_get(pm->by_brick, brick);
}

static int
port_taken(const gd_pmap_t *pm, int port)
{
    for (int i = 0; i < pm->n; i++)
        if (pm->entries[i]->port == port)
            return 1;
    return 0;
}

/* Whether a TCP socket can bind port on addr now (as the brick will, with
 * SO_REUSEADDR). */
static int
port_free(const char *addr, int port)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    char service[16];
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
    entry_t *e = find_brick(pm, brick);

    if (e)
        return e;
    if (pm->n == pm->cap) {
        int cap = pm->cap ? pm->cap * 2 : 16;
        entry_t **arr = gf_realloc(pm->entries, (size_t)cap * sizeof(*arr));
        if (!arr)
            return NULL;
        pm->entries = arr;
        pm->cap = cap;
    }
    if (!(e = gf_calloc(1, sizeof(*e))) || !(e->brick = gf_strdup(brick)) ||
        gd_index_put(pm->by_brick, e->brick, e) != 0) {
        if (e)
            gf_free(e->brick);
        gf_free(e);
        return NULL;
    }
    e->pos = pm->n;
    pm->entries[pm->n++] = e;
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
    gd_index_del(pm->by_brick, e->brick);
    pm->entries[e->pos] = pm->entries[--pm->n];
    pm->entries[e->pos]->pos = e->pos;
    gf_free(e->brick);
    gf_free(e);
    return 0;
}

int
gd_pmap_port(const gd_pmap_t *pm, const char *brick)
{
    const entry_t *e = find_brick(pm, brick);
    return e && e->signed_in ? e->port : -ENOENT;
}

int
gd_pmap_known_port(const gd_pmap_t *pm, const char *brick)
{
    const entry_t *e = find_brick(pm, brick);
    return e ? e->port : -ENOENT;
}

static gd_pmap_t *
req_pmap(rpc_req_t *req)
{
    return req->program->priv;
}

static int
null_proc(rpc_req_t *req)
{
    rpc_req_reply(req, NULL, NULL, NULL, 0, NULL);
    return 0;
}

static int
port_by_brick(rpc_req_t *req)
{
    pmap_port_by_brick_req args = {0};
    pmap_port_by_brick_rsp rsp = {0};
    int port;

    if (rpc_req_decode(req, (xdrproc_t)xdr_pmap_port_by_brick_req, &args, NULL) != 0)
        return -EBADMSG;
    port = gd_pmap_port(req_pmap(req), args.brick);
    if (port < 0) {
        rsp.op_ret = -1;
        rsp.op_errno = ENOENT;
        gf_log(GF_LOG_DEBUG, "PORTBYBRICK %s from %s: not signed in", args.brick,
               rpc_svc_conn_peer(req->conn));
    } else {
        rsp.port = port;
    }
    xdr_free((xdrproc_t)xdr_pmap_port_by_brick_req, (char *)&args);
    rpc_req_reply(req, (xdrproc_t)xdr_pmap_port_by_brick_rsp, &rsp, NULL, 0, NULL);
    return 0;
}

static int
signin(rpc_req_t *req)
{
    pmap_signin_req args = {0};
    pmap_signin_rsp rsp = {0};
    gd_pmap_t *pm = req_pmap(req);

    if (rpc_req_decode(req, (xdrproc_t)xdr_pmap_signin_req, &args, NULL) != 0)
        return -EBADMSG;
    if (args.port <= 0 || args.port > 65535 || !args.brick[0]) {
        rsp.op_ret = -1;
        rsp.op_errno = EINVAL;
    } else if (gd_pmap_signin(pm, args.brick, args.port, args.pid) != 0) {
        rsp.op_ret = -1;
        rsp.op_errno = ENOMEM;
    }
    gf_log(rsp.op_ret ? GF_LOG_WARNING : GF_LOG_INFO, "SIGNIN %s port %d pid %d from %s%s",
           args.brick, args.port, args.pid, rpc_svc_conn_peer(req->conn),
           rsp.op_ret ? ": refused" : "");
    rpc_req_reply(req, (xdrproc_t)xdr_pmap_signin_rsp, &rsp, NULL, 0, NULL);
    if (!rsp.op_ret && pm->hook)
        pm->hook(args.brick, args.port, args.pid, 1, pm->hook_data);
    xdr_free((xdrproc_t)xdr_pmap_signin_req, (char *)&args);
    return 0;
}

static int
signout(rpc_req_t *req)
{
    pmap_signout_req args = {0};
    pmap_signout_rsp rsp = {0};
    gd_pmap_t *pm = req_pmap(req);
    const entry_t *e;
    int current;

    if (rpc_req_decode(req, (xdrproc_t)xdr_pmap_signout_req, &args, NULL) != 0)
        return -EBADMSG;
    e = find_brick(pm, args.brick);
    /* a brick that moved to another port meanwhile keeps its new entry */
    current = e && (args.port <= 0 || e->port == args.port);
    gf_log(GF_LOG_INFO, "SIGNOUT %s port %d from %s%s", args.brick, args.port,
           rpc_svc_conn_peer(req->conn), current ? "" : " (ignored: not its port now)");
    if (current)
        gd_pmap_forget(pm, args.brick);
    rpc_req_reply(req, (xdrproc_t)xdr_pmap_signout_rsp, &rsp, NULL, 0, NULL);
    if (current && pm->hook)
        pm->hook(args.brick, args.port, 0, 0, pm->hook_data);
    xdr_free((xdrproc_t)xdr_pmap_signout_req, (char *)&args);
    return 0;
}

static const rpc_actor_t actors[] = {
    [GF_PMAP_NULL] = {"NULL", null_proc},
    [GF_PMAP_PORTBYBRICK] = {"PORTBYBRICK", port_by_brick},
    [GF_PMAP_SIGNIN] = {"SIGNIN", signin},
    [GF_PMAP_SIGNOUT] = {"SIGNOUT", signout},
};

int
gd_pmap_program_register(rpc_svc_t *svc, gd_pmap_t *pm)
{
    pm->program = (rpc_program_t){
        .name = "Gluster Portmap",
        .prognum = GF_PMAP_PROGRAM,
        .progver = GF_PMAP_VERSION,
        .actors = actors,
        .n_actors = sizeof(actors) / sizeof(actors[0]),
        .priv = pm,
    };
    return rpc_svc_register(svc, &pm->program);
}
