#!/bin/bash
# Bricks whose servers are slow to report, on a 3-server pool over a 3-member etcd:
#  - glusterd 3 is frozen (SIGSTOP) before a start: the start fails saying that the
#    volume is started but that brick 3 has not reported, and nothing is undone: the
#    other bricks stay online; thawed (SIGCONT), server 3 starts its brick;
#  - the same for a stop: the volume stays stopped, and brick 3 stops once thawed;
#  - bricks that report a failure still undo the start, and the error counts them.
# The lease TTL is long, so that the frozen server stays connected during the wait.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"
. "$(dirname "$0")/../cluster.rc"
etcd_required

GD_LEASE_TTL=200
TEST etcd_cluster_start
TEST cluster_glusterds 3
TEST CLI 1 peer probe 127.1.1.2
TEST CLI 1 peer probe 127.1.1.3
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/s1" "$B/s2" "$B/s3"
TEST CLI 1 volume create w 127.1.1.1:$B/s1 127.1.1.2:$B/s2 127.1.1.3:$B/s3
gd3=$(glusterd_pid 3)
TEST [ -n "$gd3" ]

# Start while server 3 is frozen.
TEST kill -STOP "$gd3"
out=$(CLI 1 volume start w 2>&1)
EXPECT 1 echo $?
EXPECT_MATCH "volume start: w: failed: volume w is started, but 1 of 3 bricks has not reported within [0-9]+ s \(127\.1\.1\.3:$B/s3\); their servers keep starting them; see .gluster volume status w." \
    echo "$out"
EXPECT_MATCH "Status: Started" CLI 1 volume info w
EXPECT 2 brick_count_online w
TEST kill -CONT "$gd3"
EXPECT_WITHIN 30 3 brick_count_online w

# Stop while server 3 is frozen.
TEST kill -STOP "$gd3"
EXPECT_MATCH "volume stop: w: failed: volume w is stopped, but 1 of 3 bricks has not reported within [0-9]+ s \(127\.1\.1\.3:$B/s3\); their servers keep stopping them; see .gluster volume status w." \
    CLI 1 volume stop w
EXPECT_MATCH "Status: Stopped" CLI 1 volume info w
TEST kill -CONT "$gd3"
EXPECT_WITHIN 30 0 brick_count_online w

# Two bricks fail to start: the start is undone, and the error counts them first.
TEST rm -rf "$B/s2" "$B/s3"
out=$(CLI 2 volume start w 2>&1)
EXPECT_MATCH "failed: 2 of 3 bricks failed:" echo "$out"
EXPECT_MATCH "$B/s2" echo "$out"
EXPECT_MATCH "$B/s3" echo "$out"
EXPECT_MATCH "volume w is not started: the bricks that did start are stopped again" echo "$out"
EXPECT_MATCH "Status: Stopped" CLI 1 volume info w
EXPECT_WITHIN 30 0 brick_count_online w
