#!/bin/bash
# The stock GlusterFS FUSE client (Debian's glusterfs-client) mounts volumes served
# by our glusterd and glusterfsd, and a real file-system workload passes on it: a
# 1-brick and a 4-brick distribute volume with multiplexing on, each mounted with
# `mount -t glusterfs`, get create, write and read back with checksums, append,
# renames within and across directories, hard links, symlinks, chmod, chown,
# truncate, mkdir -p ten levels deep, rm -rf of a populated tree, user xattrs,
# fsync, a 64 MiB file and 1000 small files; files cross between the mount and
# gfcli both ways, and all of it is still there after an unmount and a remount
# (the bricks' own count of fsync calls shows they got them). The 1 GiB file and
# the 10,000 small files are in stock-client-big.t, locks in stock-client-locks.t,
# bad requests next to a mount in stock-client-bad.t. Skipped when there is no
# /dev/fuse or no glusterfs client.
. "$(dirname "$0")/../stock-client.rc"
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

sum() { stock_sum "$1"; }

L=$T_ROOT/local
mkdir -p "$L"
TEST dd if=/dev/urandom of="$L/r1m" bs=1M count=1 status=none
TEST dd if=/dev/urandom of="$L/r64m" bs=1M count=64 status=none
TEST dd if=/dev/urandom of="$L/tail" bs=1k count=300 status=none
cat "$L/r1m" "$L/tail" > "$L/appended"
mkdir -p "$L/many"
for i in $(seq 1 1000); do echo "small file $i $RANDOM" > "$L/many/f$i"; done
MANY_SUM=$(cd "$L/many" && for i in $(seq 1 1000); do cat "f$i"; done | sha256sum)
TEST dd if=/dev/urandom of="$L/fromgf" bs=1k count=700 status=none
DEEP=a/b/c/d/e/f/g/h/i/j
# FILE DIR: appends "tail" to FILE, then fdatasync and fsync of it, fsync of DIR.
FSYNC='import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND); '\
'os.write(fd, b"tail"); os.fdatasync(fd); os.fsync(fd); os.close(fd); '\
'fd = os.open(sys.argv[2], os.O_RDONLY | os.O_DIRECTORY); os.fsync(fd); os.close(fd)'

# The workload on the volume mounted at M. Leaves behind what check_kept verifies.
workload() { # VOL M
    local v=$1 m=$2
    # create, write, read back
    TEST cp "$L/r1m" "$m/f1"
    EXPECT "$(sum "$L/r1m")" sum "$m/f1"
    EXPECT 1048576 stat -c %s "$m/f1"
    TEST eval "echo hello > '$m/hello'"
    EXPECT hello cat "$m/hello"
    # append
    TEST cp "$L/r1m" "$m/app"
    TEST eval "cat '$L/tail' >> '$m/app'"
    EXPECT "$(sum "$L/appended")" sum "$m/app"
    # rename within a directory and across directories
    TEST mkdir "$m/d1" "$m/d2"
    TEST cp "$L/r1m" "$m/d1/x"
    TEST mv "$m/d1/x" "$m/d1/y"
    TEST_NOT stat "$m/d1/x"
    EXPECT "$(sum "$L/r1m")" sum "$m/d1/y"
    TEST mv "$m/d1/y" "$m/d2/z"
    TEST_NOT stat "$m/d1/y"
    EXPECT "$(sum "$L/r1m")" sum "$m/d2/z"
    EXPECT z ls "$m/d2"
    EXPECT empty eval "test -d '$m/d1' && [ -z \"\$(ls -A '$m/d1')\" ] && echo empty"
    # rename over an existing file replaces it
    TEST eval "echo old > '$m/d2/victim'"
    TEST mv "$m/hello" "$m/d2/victim"
    EXPECT hello cat "$m/d2/victim"
    TEST_NOT stat "$m/hello"
    # hard link
    TEST ln "$m/d2/z" "$m/d1/hl"
    EXPECT 2 stat -c %h "$m/d2/z"
    EXPECT "$(stat -c %i "$m/d2/z")" stat -c %i "$m/d1/hl"
    EXPECT "$(sum "$L/r1m")" sum "$m/d1/hl"
    TEST cp "$L/r1m" "$m/lnk-src"
    TEST ln "$m/lnk-src" "$m/lnk-dst"
    TEST rm "$m/lnk-src"
    EXPECT 1 stat -c %h "$m/lnk-dst"
    EXPECT "$(sum "$L/r1m")" sum "$m/lnk-dst"
    # symlink
    TEST ln -s ../d2/z "$m/d1/sl"
    EXPECT ../d2/z readlink "$m/d1/sl"
    EXPECT "symbolic link" stat -c %F "$m/d1/sl"
    EXPECT "$(sum "$L/r1m")" sum "$m/d1/sl"
    # chmod
    TEST chmod 0640 "$m/f1"
    EXPECT 640 stat -c %a "$m/f1"
    TEST chmod 0700 "$m/d1"
    EXPECT 700 stat -c %a "$m/d1"
    # chown: owner and group, group alone, a symlink itself (the brick keeps them)
    TEST cp "$L/r1m" "$m/owned"
    TEST chown 1234:5678 "$m/owned"
    EXPECT 1234:5678 stat -c %u:%g "$m/owned"
    EXPECT 1234:5678 eval "stat -c %u:%g '$B/$v'*/owned"
    TEST chgrp 4321 "$m/owned"
    EXPECT 1234:4321 stat -c %u:%g "$m/owned"
    EXPECT "$(sum "$L/r1m")" sum "$m/owned"
    TEST chown 2000:2001 "$m/d2"
    EXPECT 2000:2001 stat -c %u:%g "$m/d2"
    TEST chown -h 3000:3001 "$m/d1/sl"
    EXPECT 3000:3001 stat -c %u:%g "$m/d1/sl"
    EXPECT 0:0 stat -L -c %u:%g "$m/d1/sl"
    # truncate: shrink, grow (the new part reads as zeros), to zero
    TEST cp "$L/r1m" "$m/tr"
    TEST truncate -s 100 "$m/tr"
    EXPECT 100 stat -c %s "$m/tr"
    EXPECT "$(head -c 100 "$L/r1m" | sha256sum)" eval "sha256sum < '$m/tr'"
    TEST truncate -s 8192 "$m/tr"
    EXPECT 8192 stat -c %s "$m/tr"
    EXPECT "$( (head -c 100 "$L/r1m"; head -c 8092 /dev/zero) | sha256sum)" eval "sha256sum < '$m/tr'"
    TEST truncate -s 0 "$m/tr"
    EXPECT 0 stat -c %s "$m/tr"
    # mkdir -p ten levels deep
    TEST mkdir -p "$m/$DEEP"
    TEST test -d "$m/$DEEP"
    TEST eval "echo deep > '$m/$DEEP/leaf'"
    EXPECT deep cat "$m/$DEEP/leaf"
    # rm -rf of a populated tree
    TEST mkdir -p "$m/tree/p/q" "$m/tree/r"
    for i in 1 2 3 4 5; do
        echo "$i" > "$m/tree/t$i"; echo "$i" > "$m/tree/p/t$i"; echo "$i" > "$m/tree/p/q/t$i"
    done
    TEST ln -s t1 "$m/tree/r/sl"
    EXPECT 5 eval "ls '$m/tree/p/q' | wc -l"
    TEST rm -rf "$m/tree"
    TEST_NOT stat "$m/tree"
    EXPECT 0 eval "test -d '$B/${v}1' && find '$B/$v'* -path '*/.glusterfs' -prune -o -name tree -print | wc -l"
    # user xattrs
    TEST setfattr -n user.color -v blue "$m/f1"
    EXPECT blue getfattr --only-values -n user.color "$m/f1"
    TEST setfattr -n user.gone -v 1 "$m/f1"
    TEST setfattr -x user.gone "$m/f1"
    TEST_NOT getfattr -n user.gone "$m/f1"
    TEST setfattr -n user.dirattr -v yes "$m/d1"
    EXPECT yes getfattr --only-values -n user.dirattr "$m/d1"
    # fsync and fdatasync of a file, fsync of a directory
    TEST dd if="$L/r1m" of="$m/synced" bs=64k conv=fsync status=none
    TEST python3 -c "$FSYNC" "$m/synced" "$m/d2"
    EXPECT $((1048576 + 4)) stat -c %s "$m/synced"
    EXPECT "$( (cat "$L/r1m"; printf tail) | sha256sum)" eval "sha256sum < '$m/synced'"
    # a 64 MiB file
    TEST cp "$L/r64m" "$m/big"
    EXPECT 67108864 stat -c %s "$m/big"
    EXPECT "$(sum "$L/r64m")" sum "$m/big"
    # 1000 small files
    TEST mkdir "$m/many"
    TEST cp "$L"/many/f* "$m/many/"
    EXPECT 1000 eval "ls '$m/many' | wc -l"
    EXPECT "$MANY_SUM" eval "cd '$m/many' && for i in \$(seq 1 1000); do cat f\$i; done | sha256sum"
    # a file written by the mount read through gfcli, and the reverse
    TEST GF "$v" get /f1 "$L/$v.f1"
    EXPECT "$(sum "$L/r1m")" sum "$L/$v.f1"
    TEST GF "$v" put "$L/fromgf" /d2/fromgf
    EXPECT "$(sum "$L/fromgf")" sum "$m/d2/fromgf"
}

# What the workload left on the volume mounted at M, checked after a remount.
check_kept() { # M
    local m=$1
    EXPECT "$(sum "$L/r1m")" sum "$m/f1"
    EXPECT 640 stat -c %a "$m/f1"
    EXPECT 1234:4321 stat -c %u:%g "$m/owned"
    EXPECT 2000:2001 stat -c %u:%g "$m/d2"
    EXPECT 3000:3001 stat -c %u:%g "$m/d1/sl"
    EXPECT "$( (cat "$L/r1m"; printf tail) | sha256sum)" eval "sha256sum < '$m/synced'"
    EXPECT blue getfattr --only-values -n user.color "$m/f1"
    EXPECT yes getfattr --only-values -n user.dirattr "$m/d1"
    EXPECT 700 stat -c %a "$m/d1"
    EXPECT "$(sum "$L/appended")" sum "$m/app"
    EXPECT "$(sum "$L/r1m")" sum "$m/d2/z"
    EXPECT hello cat "$m/d2/victim"
    EXPECT 2 stat -c %h "$m/d1/hl"
    EXPECT "$(stat -c %i "$m/d2/z")" stat -c %i "$m/d1/hl"
    EXPECT "$(sum "$L/r1m")" sum "$m/lnk-dst"
    EXPECT ../d2/z readlink "$m/d1/sl"
    EXPECT 0 stat -c %s "$m/tr"
    EXPECT deep cat "$m/$DEEP/leaf"
    TEST_NOT stat "$m/tree"
    EXPECT "$(sum "$L/r64m")" sum "$m/big"
    EXPECT 1000 eval "ls '$m/many' | wc -l"
    EXPECT "$MANY_SUM" eval "cd '$m/many' && for i in \$(seq 1 1000); do cat f\$i; done | sha256sum"
    EXPECT "$(sum "$L/fromgf")" sum "$m/d2/fromgf"
}

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST CLI volume set all cluster.brick-multiplex on
EXPECT "on" eval "CLI volume get all cluster.brick-multiplex | awk '\$1 == \"cluster.brick-multiplex\" {print \$2}'"
TEST mkdir -p "$B/one1" "$B/four1" "$B/four2" "$B/four3" "$B/four4"
TEST CLI volume create one "$H1:$B/one1"
TEST CLI volume create four "$H1:$B/four1" "$H1:$B/four2" "$H1:$B/four3" "$H1:$B/four4"
TEST CLI volume start one
TEST CLI volume start four
EXPECT_WITHIN 20 1 brick_count_online one
EXPECT_WITHIN 20 4 brick_count_online four
EXPECT 1 gd_mux_proc_count

for v in one four; do
    M=$T_ROOT/mnt-$v
    TEST mkdir -p "$M"
    TEST stock_mount "$v" "$M"
    EXPECT_WITHIN 20 yes stock_mounted "$M"
    workload "$v" "$M"
    TEST umount "$M"
    EXPECT no stock_mounted "$M"
    TEST stock_mount "$v" "$M"
    EXPECT_WITHIN 20 yes stock_mounted "$M"
    check_kept "$M"
done

# The 4-brick volume spread the 1000 small files over all its bricks.
for n in 1 2 3 4; do
    EXPECT_MATCH "^[1-9][0-9]*$" eval "ls '$B/four$n/many' | wc -l"
done
EXPECT 1000 eval "cat '$B'/four[1-4]/many/f* | wc -l"

TEST umount "$T_ROOT/mnt-one"
TEST umount "$T_ROOT/mnt-four"

# The stock distribute heals the root layout at the first mount with a setattr of
# valid = ~0 on every brick; the bricks must take it (no EISDIR from a size change).
EXPECT 0 eval "grep -c 'errno=21' '$T_ROOT/mnt-four.log'"

# The bricks counted the fsyncs they got (debug/io-stats logs its counts when a brick
# is detached): the stock client sent each one through, and none failed.
# FOP calls without an error on the bricks of VOL, from those lines.
brick_calls() { # VOL FOP
    cat "$T_ROOT"/gd1/log/bricks/*.log | grep -E "/bricks/$1[0-9]: $2: [0-9]+ calls, 0 errors" |
        sed -E 's/.*: ([0-9]+) calls.*/\1/' | awk '{n += $1} END {print n + 0}'
}
TEST CLI volume stop one
TEST CLI volume stop four
# dd conv=fsync, fdatasync, fsync; a directory's fsync goes to every brick.
EXPECT_WITHIN 20 3 brick_calls one fsync
EXPECT_WITHIN 20 3 brick_calls four fsync
EXPECT_WITHIN 20 1 brick_calls one fsyncdir
EXPECT_WITHIN 20 4 brick_calls four fsyncdir
