#!/bin/bash
# Size and number through the stock GlusterFS FUSE client (Debian's glusterfs-client),
# against our glusterd and one multiplexed glusterfsd: a 1 GiB file on a 1-brick and on a
# 4-brick distribute volume (written with fsync, whole on one brick, read back after a
# remount, its space given back by rm), and 10,000 small files in one directory of the
# 4-brick volume (written and read by several processes at once, listed with no name
# missing or twice, spread over the four bricks, all there after a remount). Skipped when
# there is no /dev/fuse or no glusterfs client.
. "$(dirname "$0")/../stock-client.rc"
if ! command -v openssl >/dev/null; then
    echo "Bail out! openssl is missing (Debian: openssl); it makes the test's 1 GiB of data"
    exit 1
fi
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

N=10000
J=4
GIB=1073741824
# 1 GiB of reproducible pseudo-random bytes (AES-CTR of zeros), written and checked as a
# stream: no copy of it is kept anywhere but on the volume.
gib() {
    openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
        -iv 00000000000000000000000000000000         -in /dev/zero 2>/dev/null | head -c $GIB
}
md5() { md5sum | cut -d' ' -f1; }
B=$T_ROOT/bricks
# MiB used on the bricks' tmpfs.
used() { df -B1M --output=used "$B" | tail -1 | tr -d ' '; }

GIB_SUM=$(gib | md5)
SMALL_SUMS=$(stock_small_sums "" $N $J)
# Both volumes hold their 1 GiB file at once.
TEST stock_volumes 3g
EXPECT_WITHIN 20 1 brick_count_online one
EXPECT_WITHIN 20 4 brick_count_online four
EXPECT 1 gd_mux_proc_count

for v in one four; do
    m=$T_ROOT/mnt-$v
    TEST mkdir -p "$m"
    TEST stock_mount $v "$m"
    EXPECT_WITHIN 20 yes stock_mounted "$m"
    # 1 GiB, written through the mount and made durable with fsync; on one brick, whole.
    TEST eval "gib | dd of='$m/gib' bs=1M iflag=fullblock conv=fsync status=none"
    EXPECT $GIB stat -c %s "$m/gib"
    EXPECT 1 eval "ls '$B/$v'*/gib | wc -l"
    EXPECT "$GIB_SUM" eval "cat '$B/$v'*/gib | md5"
done

# 10,000 small files in one directory, J writers at once; every name listed once, and the
# names hashed over all four bricks.
m=$T_ROOT/mnt-four
TEST mkdir "$m/small"
TEST stock_small_files "$m/small" $N $J
EXPECT "$(seq -f 'f%g' 1 $N | sort | md5)" eval "ls -A '$m/small' | sort | md5"
EXPECT $N eval "ls -A '$m/small' | wc -l"
EXPECT $N eval "ls '$B'/four*/small | grep -c '^f'"
for n in 1 2 3 4; do
    EXPECT_MATCH "^[1-9][0-9]*$" eval "ls '$B/four$n/small' | wc -l"
done

# After an unmount and a remount, everything reads back from the bricks.
for v in one four; do
    m=$T_ROOT/mnt-$v
    TEST umount "$m"
    EXPECT no stock_mounted "$m"
    TEST stock_mount $v "$m"
    EXPECT_WITHIN 20 yes stock_mounted "$m"
    EXPECT $GIB stat -c %s "$m/gib"
    EXPECT "$GIB_SUM" eval "md5 < '$m/gib'"
done
EXPECT $N eval "ls -A '$m/small' | wc -l"
EXPECT "$SMALL_SUMS" stock_small_sums "$m/small" $N $J

# rm gives the space back on the brick: no name and no gfid handle keeps the data.
for v in one four; do
    before=$(used)
    TEST rm "$T_ROOT/mnt-$v/gib"
    TEST_NOT stat "$T_ROOT/mnt-$v/gib"
    EXPECT 0 eval "ls '$B/$v'*/gib 2>/dev/null | wc -l"
    EXPECT_WITHIN 20 yes eval "[ \$(used) -le $((before - 1024)) ] && echo yes"
done

TEST umount "$T_ROOT/mnt-one"
TEST umount "$T_ROOT/mnt-four"
EXPECT 1 brick_count_online one
EXPECT 4 brick_count_online four
