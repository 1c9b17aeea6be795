#!/bin/bash
# Data written through the project's client comes back byte for byte: one 10 MiB
# file and 200 small files, over a started volume of two bricks.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/b1" "$B/b2"
TEST CLI volume create io "$H1:$B/b1" "$H1:$B/b2"
TEST CLI volume start io
EXPECT_WITHIN 20 2 brick_count_online io

L=$T_ROOT/local
mkdir -p "$L/in" "$L/out"
TEST dd if=/dev/urandom of="$L/big" bs=1M count=10 status=none
TEST GF io put "$L/big" /big
TEST GF io get /big "$L/big.back"
EXPECT "$(sha256sum < "$L/big")" eval "sha256sum < '$L/big.back'"
EXPECT_MATCH "10485760" GF io stat /big

TEST GF io mkdir /small
for i in $(seq 1 200); do
    head -c $((RANDOM % 4096 + 1)) /dev/urandom > "$L/in/f$i"
done
ok=0
for i in $(seq 1 200); do
    GF io put "$L/in/f$i" "/small/f$i" && ok=$((ok + 1))
done
EXPECT 200 echo $ok
EXPECT 200 eval "GF io ls /small | wc -l"
for i in $(seq 1 200); do
    GF io get "/small/f$i" "$L/out/f$i"
done
EXPECT "" diff -r "$L/in" "$L/out"

# Both bricks hold some of the files: names are distributed.
EXPECT_MATCH "^[1-9]" eval "ls '$B/b1/small' | wc -l"
EXPECT_MATCH "^[1-9]" eval "ls '$B/b2/small' | wc -l"

TEST GF io rm /small/f1
TEST_NOT GF io stat /small/f1
