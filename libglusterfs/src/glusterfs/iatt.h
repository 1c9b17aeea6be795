/*
 * Attributes of a file as they travel between translators and on the wire (the
 * GlusterFS 4.x "iattx"), and the helpers that fill them from stat(2).
 */
#ifndef GF_IATT_H
#define GF_IATT_H

#include <stdint.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

typedef struct gf_iatt {
    uuid_t ia_gfid;
    uint64_t ia_flags; /* which fields are valid: GF_IATT_* bits, as on the wire */
    uint64_t ia_ino;
    uint64_t ia_dev;
    uint64_t ia_rdev;
    uint64_t ia_size;
    uint64_t ia_blocks; /* 512-byte blocks */
    uint64_t ia_attributes;
    uint64_t ia_attributes_mask;
    int64_t ia_atime, ia_mtime, ia_ctime, ia_btime;
    uint32_t ia_atime_nsec, ia_mtime_nsec, ia_ctime_nsec, ia_btime_nsec;
    uint32_t ia_nlink;
    uint32_t ia_uid;
    uint32_t ia_gid;
    uint32_t ia_blksize;
    uint32_t ia_mode; /* st_mode: file type and permission bits */
} gf_iatt_t;

/* Validity bits of ia_flags (wire values): type, mode, nlink, uid, gid, atime,
 * mtime, ctime, ino, size, blocks (0x1..0x400), btime 0x800, gfid 0x1000. */
#define GF_IATT_BTIME 0x800u
#define GF_IATT_GFID 0x1000u
#define GF_IATT_FROM_STAT 0x17ffu /* everything stat(2) gives, and the gfid */

/* Fills *ia from *st (ia_flags = GF_IATT_FROM_STAT); the gfid is left untouched. */
void gf_iatt_from_stat(gf_iatt_t *ia, const struct stat *st);

/* setattr "valid" bits: which fields of the passed iatt to apply. */
enum {
    GF_SET_ATTR_MODE = 0x1,
    GF_SET_ATTR_UID = 0x2,
    GF_SET_ATTR_GID = 0x4,
    GF_SET_ATTR_SIZE = 0x8, /* on the wire; storage ignores it (truncate changes sizes) */
    GF_SET_ATTR_ATIME = 0x10,
    GF_SET_ATTR_MTIME = 0x20,
    GF_SET_ATTR_CTIME = 0x40,
};

#define GF_IA_ISDIR(ia) S_ISDIR((ia)->ia_mode)
#define GF_IA_ISREG(ia) S_ISREG((ia)->ia_mode)

#endif
