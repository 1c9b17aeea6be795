/*
 * Brick status in the store: what each server says of the bricks it runs, one
 * session key per brick (so a dead server's reports vanish with its lease):
 *
 *   status/VOL/IDX  "gen=G\nstate=online|offline|failed\nport=P\npid=N\n
 *                    server=UUID\nerror=MESSAGE\n"
 *
 * gen is the volume's configuration generation (volume.h) the server had acted on
 * when it wrote the report. `volume status` is assembled from these keys, and an
 * operation that changed a volume waits here until every brick reports its
 * change (gd_bstatus_wait).
 *
 * Runs on the event thread.
 */
#ifndef GD_BSTATUS_H
#define GD_BSTATUS_H

#include <stdint.h>

#include "volume.h"

#define GD_STATUS_PREFIX "status/"
/* How long an operation waits for the bricks' reports: GD_BSTATUS_WAIT_S, plus
 * GD_BSTATUS_WAIT_BRICK_MS for each brick waited for (each of their servers may
 * be launching a process on a busy machine), at most GD_BSTATUS_WAIT_MAX_S, which
 * stays below the CLI's default timeout (120 s, cli/src/main.c) so that the CLI
 * gets the answer. doc/admin-guide.md states the rule. */
#define GD_BSTATUS_WAIT_S 60
#define GD_BSTATUS_WAIT_BRICK_MS 50
#define GD_BSTATUS_WAIT_MAX_S 110

typedef enum { GD_BS_OFFLINE, GD_BS_ONLINE, GD_BS_FAILED } gd_bs_state_t;

typedef struct gd_bstatus {
    uint64_t gen; /* 0: no report */
    gd_bs_state_t state;
    int port;
    int pid;
    char server[37];
    char error[1024];
} gd_bstatus_t;

/* The store key of brick idx of volume vol, into key. */
void gd_bstatus_key(const char *vol, int idx, char *key, size_t len);
/* The store value of st, allocated (gf_free); NULL on ENOMEM. */
char *gd_bstatus_value(const gd_bstatus_t *st);

/* Reads the reports of vol's n_bricks bricks: cb borrows sts[0..n_bricks) (a brick
 * without a report has gen 0, state offline). err -errno with msg on a store
 * failure. */
typedef void (*gd_bstatus_cb_t)(int err, const char *msg, const gd_bstatus_t *sts, int n,
                                void *cookie);
void gd_bstatus_load(const char *vol, int n_bricks, gd_bstatus_cb_t cb, void *cookie);

/* The wait for n_bricks bricks, in milliseconds (the rule above). */
unsigned gd_bstatus_wait_ms(int n_bricks);

/*
 * A summary for the user of the bricks that failed or did not report, at most
 * GD_BSTATUS_MSG_MAX bytes and cut only at line ends: with one problem, its line;
 * else a count per kind, the first few bricks of each and how many more there are.
 * failed[i] / silent[i]: brick i of vol failed (its reason in sts[i].error, ""
 * when none was given) / did not report within wait_s seconds. n_waited: bricks
 * waited for. Allocated (gf_free); NULL on ENOMEM.
 */
#define GD_BSTATUS_MSG_MAX 4096
char *gd_bstatus_summary(const gd_volume_t *vol, const gd_bstatus_t *sts, const int *failed,
                         const int *silent, int n_waited, unsigned wait_s);

/*
 * Waits until every brick of vol not masked out by skip (may be NULL; skip[i] 1:
 * do not wait for brick i) reports generation gen or later in a final state:
 * online or failed when online is 1, offline or failed when 0. Calls cb once:
 *  - cb(0, NULL) when all did and none failed;
 *  - cb(-EIO, msg) when a brick reported a failure (once all have reported, or at
 *    the end of the wait, gd_bstatus_wait_ms);
 *  - cb(-ETIMEDOUT, msg) when none failed but some have not reported by the end
 *    of the wait (their servers may simply be slow: nothing is undone here);
 *  - cb(-ENOMEM, msg).
 * msg is gd_bstatus_summary's. vol and skip are copied.
 */
typedef void (*gd_bstatus_wait_cb_t)(int err, const char *msg, void *cookie);
void gd_bstatus_wait(const gd_volume_t *vol, uint64_t gen, int online, const int *skip,
                     gd_bstatus_wait_cb_t cb, void *cookie);

#endif
