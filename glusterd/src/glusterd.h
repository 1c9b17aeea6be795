/*
 * The daemon's few shared things: its configuration (from the command line, fixed
 * once running) and the singletons every part reaches (store, portmap, option
 * tables, the cluster-wide multiplexing options). All of
 * glusterd's state is used from its one event thread only; work that must block
 * runs on the worker pool and posts its result back to the event thread.
 */
#ifndef GD_GLUSTERD_H
#define GD_GLUSTERD_H

#include "mux.h"
#include "pmap.h"
#include "store.h"
#include "xlmeta.h"

#define GD_DEFAULT_WORKDIR "/var/lib/gfs/glusterd"
#define GD_DEFAULT_RUNDIR "/run/gfs"
#define GD_DEFAULT_LOGDIR "/var/log/gfs"
#define GD_DEFAULT_PORT 24007
#define GD_DEFAULT_BASE_PORT 49152
#define GD_SOCKET_NAME "glusterd.socket"
#define GD_DEFAULT_LEASE_TTL 10
#define GD_ETCD_PREFIX "/gfs/"
#define GD_MONITOR_DEADLINE_MS 4000 /* a CLI command fails within 5 s without etcd */

typedef struct gd_conf {
    const char *workdir;
    const char *rundir;
    const char *logdir;
    const char *bind;       /* "0.0.0.0" when listening on all addresses */
    const char *glusterfsd; /* the brick program */
    const char *xlator_dir; /* passed on to bricks; NULL when not given */
    const char *pidfile;
    const char *log_level;
    int port;
    int base_port;
    int foreground;
    const char *monitor; /* the monitor cluster's URLs; NULL: the local store */
    int lease_ttl;       /* seconds */
    char uuid[37]; /* this glusterd's UUID (WORKDIR/glusterd.info) */
} gd_conf_t;

typedef struct gd {
    gd_conf_t conf;
    gd_store_t *store;
    gd_pmap_t *pmap;
    struct rpc_svc *svc;
    gd_xlmeta_t *xlmeta; /* the translators' option tables */
    gd_mux_conf_t mux;   /* the cluster-wide options, as stored */
} gd_t;

extern gd_t gd;

/* The address bricks and tools use to reach glusterd: its bind address, or
 * 127.0.0.1 when it listens on all addresses. */
const char *gd_self_addr(void);

#endif
