/*
 * The volume model: what a volume is (name, id, status, login, bricks, options),
 * the rules its parts must follow, and its layout in the store, one key per object:
 *
 *   vol/NAME/info        "id=UUID\nstatus=created|started|stopped\ntype=distribute\n
 *                         transport=tcp\nusername=U\npassword=P\nbricks=COUNT\n"
 *   vol/NAME/opt/KEY     the option's value
 *   brick/NAME/N         "host=HOST\npath=/PATH\nserver=UUID\n"  (N = 0, 1, ... in
 *                         brick order; server: the server it was placed on at create)
 *   placed/UUID/NAME/N   the same value: the bricks of server UUID, for it alone
 *   global/opt/KEY       a cluster-wide option's value (`volume set all KEY VALUE`)
 *
 * Every server watches vol/ (what each change of a volume is about) and its own
 * placed/UUID/: a volume with a brick on each of N servers reaches each server as
 * its info, options and one brick, not N bricks (the bricks are read whole only by
 * the server running a command or serving a client's volfile). Stores written
 * before brick/ existed keep their bricks as vol/NAME/brick/N (no server=): they
 * are still read, and each server recognises its own by address.
 *
 * Runtime state (ports, pids, online) is not here: see brick-proc.h and pmap.h.
 */
#ifndef GD_VOLUME_H
#define GD_VOLUME_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define GD_VOL_NAME_MAX 64
#define GD_VOL_PREFIX "vol/"
#define GD_BRICK_PREFIX "brick/"
#define GD_PLACED_PREFIX "placed/"
#define GD_GLOBAL_OPT_PREFIX "global/opt/"

/* In the order (and with the numbers) GlusterFS uses. */
typedef enum { GD_VOL_CREATED = 0, GD_VOL_STARTED = 1, GD_VOL_STOPPED = 2 } gd_vol_status_t;

typedef struct gd_brick {
    char *host; /* NULL (with path) in a volume that holds only some of its bricks */
    char *path;
    char *server; /* UUID of the server it is placed on; NULL: not recorded */
} gd_brick_t;

typedef struct gd_opt {
    char *key;
    char *value;
} gd_opt_t;

typedef struct gd_volume {
    char *name;
    char id[37]; /* the volume id, as text */
    gd_vol_status_t status;
    char *type;      /* "distribute" */
    char *transport; /* "tcp" */
    char *username;
    char *password;
    gd_brick_t *bricks;
    int n_bricks;
    int n_declared; /* bricks= of its info: how many it has; 0: not given */
    gd_opt_t *opts;
    int n_opts;
    uint64_t info_rev; /* revision of vol/NAME/info when read; 0 for a new volume */
    uint64_t gen;      /* its configuration's generation: the latest revision among its
                          keys when read (every change of the volume raises it) */
} gd_volume_t;

/* Store values are lines "name=VALUE". The value of name in text, allocated
 * (gf_free); NULL when absent or ENOMEM. */
char *gd_field(const char *text, const char *name);

/* Checks a volume name: 1..GD_VOL_NAME_MAX of [A-Za-z0-9_-], not starting with '-',
 * and not "all". 0, or -EINVAL with the reason in err. */
int gd_vol_name_check(const char *name, char *err, size_t errlen);

/*
 * Parses "HOST:/PATH" (split at the first ":/"). The path is normalized (repeated
 * and trailing '/' removed) and must be absolute, without "." or ".." parts, and
 * free of blanks, quotes, backslashes and control characters (it becomes a volfile
 * name). On success *host and *path are allocated (gf_free them). 0, -EINVAL with
 * the reason in err, or -ENOMEM.
 */
int gd_brick_parse(const char *spec, char **host, char **path, char *err, size_t errlen);

/* The brick's volfile id: "VOL.HOST.PATH" with the path's '/' turned into '-' and
 * the leading one dropped. Allocated; NULL on ENOMEM. */
char *gd_brick_volfile_id(const gd_volume_t *vol, const gd_brick_t *brick);

/* "created", "started", "stopped" and back; -1 for an unknown word. */
const char *gd_vol_status_word(gd_vol_status_t st);
int gd_vol_status_parse(const char *word);
/* "Created", "Started", "Stopped": as `volume info` prints them. */
const char *gd_vol_status_title(gd_vol_status_t st);

/*
 * A new volume named name with a fresh id and login (username and password: random
 * UUIDs), status created, type distribute, transport tcp, no bricks. NULL on ENOMEM.
 */
gd_volume_t *gd_vol_new(const char *name);
/* Appends a brick (copies host and path). 0 or -ENOMEM. */
int gd_vol_add_brick(gd_volume_t *vol, const char *host, const char *path);

/*
 * A copy of vol holding only its brick idx (as bricks[0]) and all its options: what
 * the brick's volfile and volfile id are made from. NULL on ENOMEM.
 */
gd_volume_t *gd_vol_brick_view(const gd_volume_t *vol, int idx);

/* A copy of vol with all its bricks and options. NULL on ENOMEM. */
gd_volume_t *gd_vol_copy(const gd_volume_t *vol);

/* The value of option key of vol, or NULL when it is not set. */
const char *gd_vol_opt(const gd_volume_t *vol, const char *key);
/* Sets option key to value (replacing a value set before). 0 or -ENOMEM. */
int gd_vol_opt_set(gd_volume_t *vol, const char *key, const char *value);
/* Removes option key. 0, or -ENOENT when it was not set. */
int gd_vol_opt_del(gd_volume_t *vol, const char *key);
void gd_vol_free(gd_volume_t *vol);
void gd_vols_free(gd_volume_t **vols, int n);

/* The text of vol/NAME/info for vol. Allocated; NULL on ENOMEM. */
char *gd_vol_info_value(const gd_volume_t *vol);

/*
 * Builds the volumes found in kvs (a store listing of GD_VOL_PREFIX or a part of
 * it, sorted by key; keys of GD_BRICK_PREFIX in it add bricks, the others are
 * ignored). *out gets an array of n volumes sorted by name (gd_vols_free
 * it). A volume whose keys cannot be read is skipped and named in err (the others
 * are still returned). 0 or -ENOMEM.
 */
int gd_vols_from_kvs(const gd_kv_t *kvs, int n, gd_volume_t ***out, int *nout, char *err,
                     size_t errlen);
/*
 * Adds to vols[0..nv) (sorted by name) the bricks in kvs whose keys are prefix
 * NAME/N (prefix: brick/ or placed/UUID/; other keys are ignored, as are bricks
 * of volumes not in vols). A volume whose brick key cannot be read is named in
 * err. 0 or -ENOMEM.
 */
int gd_vols_add_bricks(gd_volume_t **vols, int nv, const gd_kv_t *kvs, int n,
                       const char *prefix, char *err, size_t errlen);
/* Whether vol holds all its bricks: 0..n_bricks-1 each present, as many as its
 * info declares. */
int gd_vol_complete(const gd_volume_t *vol);

/*
 * Reads volume name (NULL: every volume) from s and calls cb with the volumes
 * found (none when it does not exist), sorted by name; cb owns them (gd_vols_free).
 * warn names volumes whose keys could not be read (skipped), or is "". err is
 * -errno of the store or -ENOMEM. cb may be called before this returns.
 */
typedef void (*gd_vols_cb_t)(int err, gd_volume_t **vols, int n, const char *warn,
                             void *cookie);
void gd_vols_load(gd_store_t *s, const char *name, gd_vols_cb_t cb, void *cookie);
/* The same for every volume, with only the bricks placed on server uuid (the
 * others are empty slots, host and path NULL): what a server needs of the
 * volumes to run its own bricks. */
void gd_vols_load_placed(gd_store_t *s, const char *uuid, gd_vols_cb_t cb, void *cookie);

/* Adds to txn the keys of a new volume, guarded by vol/NAME/info not existing. */
void gd_vol_txn_create(const gd_volume_t *vol, gd_txn_t *txn);
/* Adds to txn the new vol/NAME/info of vol, guarded by vol->info_rev. */
void gd_vol_txn_update_info(const gd_volume_t *vol, gd_txn_t *txn);
/* Adds to txn the put of vol/NAME/opt/KEY = value, or (value NULL) its deletion. */
void gd_vol_txn_opt(const gd_volume_t *vol, const char *key, const char *value, gd_txn_t *txn);
/* Adds to txn the deletion of every key in kvs (a listing of vol/NAME/) and of the
 * brick/ and placed/ keys of vol's bricks, guarded by vol->info_rev. */
void gd_vol_txn_delete(const gd_volume_t *vol, const gd_kv_t *kvs, int n, gd_txn_t *txn);

#endif
