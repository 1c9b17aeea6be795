#!/bin/bash
# A volume of two bricks goes through create, start, stop and delete; each step is
# checked in the CLI's output and in the processes that run.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/b1" "$B/b2"

TEST CLI volume create v1 "$H1:$B/b1" "$H1:$B/b2"
EXPECT "v1" CLI volume list
EXPECT_MATCH "Status: Created" CLI volume info v1
EXPECT_MATCH "Number of Bricks: 2" CLI volume info v1
EXPECT_MATCH "Brick2: $H1:$B/b2" CLI volume info v1
EXPECT 0 brick_process_count

TEST CLI volume start v1
EXPECT_MATCH "Status: Started" CLI volume info v1
EXPECT_WITHIN 20 2 brick_count_online v1
# Multiplexing is on by default: both bricks are served by one process.
EXPECT 1 brick_process_count
# The bricks carry the volume id and a gfid on their root.
TEST getfattr -n trusted.glusterfs.volume-id "$B/b1"
TEST getfattr -n trusted.gfid "$B/b2"

TEST_NOT CLI volume start v1
TEST_NOT CLI volume delete v1

TEST CLI volume stop v1
EXPECT_MATCH "Status: Stopped" CLI volume info v1
EXPECT_WITHIN 10 0 brick_process_count

TEST CLI volume delete v1
TEST_NOT CLI volume info v1
EXPECT "" CLI volume list

# A create with many problems: counted, the first ten whole, then how many more.
bricks=$(for i in $(seq 1 12); do echo "127.1.1.9:$B/x$i"; done)
out=$(CLI volume create x $bricks 2>&1)
EXPECT 1 echo $?
EXPECT_MATCH "failed: 12 problems .*; the first 10:$" echo "$out"
EXPECT 10 eval "echo \"\$out\" | grep -c '^brick 127.1.1.9:$B/x[0-9]*: 127.1.1.9 is not a server of the trusted pool; add it with .gluster peer probe 127.1.1.9.$'"
EXPECT_MATCH "^and 2 more$" echo "$out"
TEST_NOT CLI volume info x
