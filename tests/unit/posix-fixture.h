/*
 * The fixture shared by the storage/posix test programs (test-posix.c,
 * test-posix-names.c): a brick graph (posix over a fresh mkdtemp directory,
 * io-stats on top) built per case from a volfile with the graph loader, fops
 * called through its top with their replies copied into a result_t, and the
 * on-disk checks (trusted.gfid, .glusterfs handles). The modules are found under
 * TEST_XLATOR_DIR through a private directory of symlinks (xl-testdir.h).
 */
#ifndef TEST_POSIX_FIXTURE_H
#define TEST_POSIX_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "xl-testdir.h"

#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/graph.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/volfile.h"
#include "glusterfs/xlator.h"

#define VOLUME_ID       "5f1c2e7a-0c9d-4d55-9a43-1b2c3d4e5f60"
#define OTHER_VOLUME_ID "0a0b0c0d-1111-4222-8333-944455566677"
#define MAX_ENTRIES     64
#define MAX_PAIRS       8

/* One pair of a reply dict, copied. */
typedef struct {
    char key[128];
    unsigned char value[64];
    size_t len;
} pair_t;

/* What a fop replied, copied out of the reply in the callback. */
typedef struct {
    bool done;
    int32_t op_ret, op_errno;
    gf_iatt_t stat, prestat, poststat, preparent, postparent, preparent2, postparent2;
    char data[256];
    size_t n_entries;
    char names[MAX_ENTRIES][NAME_MAX + 1];
    uuid_t gfids[MAX_ENTRIES];
    uint64_t offs[MAX_ENTRIES];
    size_t entry_pairs[MAX_ENTRIES]; /* pairs in each readdirp entry's dict */
    char xattr_value[64];
    char linkname[PATH_MAX];
    int64_t offset;
    pair_t xattr[MAX_PAIRS]; /* rsp->xattr */
    size_t n_xattr;
    pair_t xdata[MAX_PAIRS]; /* rsp->xdata */
    size_t n_xdata;
} result_t;

extern const uuid_t root_gfid;
extern char xl_dir[];
extern char log_path[];        /* the graph's log file */
extern uint64_t posix_blocks;  /* posix's allocations right after this case's init */
extern char brick[64];            /* this case's brick directory */
extern gf_graph_t *graph;         /* and its graph */
extern gf_inode_table_t *itable;

int group_setup(void **state);
int group_teardown(void **state);
int start_brick(const char *dir, const char *volume_id);
gf_xlator_t *posix_xl(void);
int case_setup(void **state);
int case_teardown(void **state);
const pair_t *find_pair(const pair_t *v, size_t n, const char *key);
void call_as(uint32_t uid, uint32_t gid, gf_fop_t op, gf_args_t *args, result_t *res);
void call(gf_fop_t op, gf_args_t *args, result_t *res);
gf_args_t entry_args(const uuid_t pargfid, const char *name);
gf_dict_t *gfid_req(const uuid_t gfid);
gf_fd_t *create_file(const uuid_t pargfid, const char *name, const uuid_t gfid,
                            result_t *res);
void make_dir(const uuid_t pargfid, const char *name, const uuid_t gfid, result_t *res);
void handle_of(const uuid_t gfid, char *buf, size_t len);
void assert_gfid_xattr(const char *path, const uuid_t gfid);
int count_fds(void);
void write_text(gf_fd_t *fd, const char *text, int64_t offset);
void read_at(gf_fd_t *fd, int64_t offset, uint64_t size, result_t *res);
gf_fd_t *open_root(gf_inode_t **inode);
int find_entry(const result_t *res, const char *name);

/* Runs tests (each wrapped by case_setup/case_teardown) as program name: skipped
 * (77) when not root, since trusted.* xattrs need it. */
int posix_test_run(const struct CMUnitTest *tests, size_t n, const char *name);

#endif
