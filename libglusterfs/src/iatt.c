/*
 * Conversions between stat(2) results and gf_iatt_t, the attributes that travel
 * between translators and on the wire.
 */
#include <string.h>

#include "glusterfs/iatt.h"

void gf_iatt_from_stat(gf_iatt_t *ia, const struct stat *st)
{
    ia->ia_flags = GF_IATT_FROM_STAT;
    ia->ia_ino = st->st_ino;
    ia->ia_dev = st->st_dev;
    ia->ia_rdev = st->st_rdev;
    ia->ia_size = st->st_size;
    ia->ia_blocks = st->st_blocks;
    ia->ia_attributes = 0;
    ia->ia_attributes_mask = 0;
    ia->ia_atime = st->st_atim.tv_sec;
    ia->ia_atime_nsec = st->st_atim.tv_nsec;
    ia->ia_mtime = st->st_mtim.tv_sec;
    ia->ia_mtime_nsec = st->st_mtim.tv_nsec;
    ia->ia_ctime = st->st_ctim.tv_sec;
    ia->ia_ctime_nsec = st->st_ctim.tv_nsec;
    ia->ia_btime = 0;
    ia->ia_btime_nsec = 0;
    ia->ia_nlink = st->st_nlink;
    ia->ia_uid = st->st_uid;
    ia->ia_gid = st->st_gid;
    ia->ia_blksize = st->st_blksize;
    ia->ia_mode = st->st_mode;
}
