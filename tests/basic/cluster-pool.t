#!/bin/bash
# Three glusterds on a 3-member etcd monitor cluster (127.1.1.1..3): peer probe,
# peer status and pool list; a volume with a brick on each server, created from
# one server and started from another; two racing creates of one name (exactly
# one wins); roles assigned over the live servers.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"
. "$(dirname "$0")/../cluster.rc"
etcd_required

TEST etcd_cluster_start
TEST cluster_glusterds 3

# Probe: unknown hosts are refused with what to do; this server needs none.
EXPECT_MATCH "not needed" CLI 1 peer probe 127.1.1.1
EXPECT_MATCH "no glusterd at 127.1.1.9 has registered" CLI 1 peer probe 127.1.1.9
TEST CLI 1 peer probe 127.1.1.2
TEST CLI 1 peer probe 127.1.1.3
EXPECT_MATCH "already in peer list" CLI 1 peer probe 127.1.1.2
EXPECT Connected peer_state 1 127.1.1.2
EXPECT Connected peer_state 1 127.1.1.3
EXPECT Connected peer_state 3 127.1.1.1
EXPECT "Number of Peers: 2" eval "CLI 2 peer status | head -1"
EXPECT 3 pool_count 1
EXPECT 3 pool_count 3
EXPECT_MATCH "localhost" CLI 2 pool list

# A fourth server configured by its configuration file instead of --monitor; a
# wrong line there stops glusterd with the line named.
cfg=$T_ROOT/gd4.conf
printf '# glusterd 4\nmonitor %s\nlease-ttl 5\n' "$ETCD_URLS" > "$cfg"
gd4() { GD_MONITOR='' glusterd_start 4 --config "$cfg"; }
TEST gd4
TEST CLI 1 peer probe 127.1.1.4
EXPECT Connected peer_state 2 127.1.1.4
printf 'monitr x\n' > "$T_ROOT/bad.conf"
gd5() { glusterd_start 5 --config "$T_ROOT/bad.conf" 2>&1; }
EXPECT_MATCH "bad.conf line 1: unknown option \"monitr\"" gd5
EXPECT 4 pool_count 1

# A volume across the three servers: created on 1, started on 2, seen by 3.
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/b1" "$B/b2" "$B/b3" "$B/r1" "$B/r2" "$B/o1"
TEST CLI 1 volume create v 127.1.1.1:$B/b1 127.1.1.2:$B/b2 127.1.1.3:$B/b3
EXPECT_MATCH "Status: Created" CLI 3 volume info v
TEST CLI 2 volume start v
EXPECT 3 eval "CLI 3 volume status v | awk 'NF > 1 && \$(NF-1) == \"Y\"' | wc -l"
EXPECT_MATCH "Status: Started" CLI 1 volume info v
echo across > "$T_ROOT/f"
TEST GF v put "$T_ROOT/f" /f
EXPECT across eval "GF v get /f -"
# files spread over the bricks of the three servers
spread() {
    local n=0 b
    for b in b1 b2 b3; do ls "$B/$b" | grep -q '^g' && n=$((n + 1)); done
    echo $n
}
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do TEST GF v put "$T_ROOT/f" "/g$i"; done
EXPECT 3 spread

# A brick on a server outside the pool is refused.
EXPECT_MATCH "not a server of the trusted pool" CLI 1 volume create o 127.1.1.7:$B/o1

# Two creates of one name race from two servers: exactly one wins.
(CLI 1 volume create race 127.1.1.1:$B/r1 > "$T_ROOT/race1" 2>&1; echo $? >> "$T_ROOT/race1") &
(CLI 2 volume create race 127.1.1.2:$B/r2 > "$T_ROOT/race2" 2>&1; echo $? >> "$T_ROOT/race2") &
wait
EXPECT 1 eval "tail -qn1 $T_ROOT/race1 $T_ROOT/race2 | grep -c '^0$'"
EXPECT 1 eval "CLI 3 volume info race | grep -c '^Brick1:'"

# Stop from 3, delete from 1.
TEST CLI 3 volume stop v
EXPECT_WITHIN 15 0 brick_process_count
TEST CLI 1 volume delete v
TEST_NOT CLI 2 volume info v

cleanup
