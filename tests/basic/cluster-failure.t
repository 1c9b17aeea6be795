#!/bin/bash
# Failures of a 3-server pool on a 3-member etcd cluster, lease TTL 4 s:
#  - kill -9 of a glusterd: it shows Disconnected within TTL + 2 s, its bricks
#    offline, its role moves to a live server; restarted, it is Connected again
#    and adopts its still running brick;
#  - killing the etcd leader changes nothing visible;
#  - all etcd members down: the CLI fails fast naming the monitor cluster, bricks
#    keep serving a mounted client (the stock FUSE client, when installed), and a
#    new client still gets its volfile (as glusterd read it last);
#  - etcd back: peers Connected again with no action taken.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"
. "$(dirname "$0")/../cluster.rc"
etcd_required

GD_LEASE_TTL=4
TEST etcd_cluster_start
TEST cluster_glusterds 3
TEST CLI 1 peer probe 127.1.1.2
TEST CLI 1 peer probe 127.1.1.3
TEST brick_fs
B=$T_ROOT/bricks

# One volume per server, so that each server gets one rebalance role.
for n in 1 2 3; do
    TEST mkdir -p "$B/v$n"
    TEST CLI 1 volume create "v$n" "127.1.1.$n:$B/v$n"
    TEST CLI 1 volume start "v$n"
done
holders() { for n in 1 2 3; do role_holder 1 "v$n" rebalance; done | sort | xargs; }
EXPECT_WITHIN 20 "127.1.1.1 127.1.1.2 127.1.1.3" holders
EXPECT_MATCH "coordinator: 127.1.1" CLI 2 volume status v1 roles

# The server holding v3's role is killed.
victim=$(role_holder 1 v3 rebalance)
vn=${victim##*.}
brick_pid=$(CLI 1 volume status "v$vn" | awk 'NF > 1 && $(NF-1) == "Y" {print $NF}')
TEST [ -n "$brick_pid" ]
TEST kill -9 "$(glusterd_pid "$vn")"
EXPECT_WITHIN 6 Disconnected peer_state "$(( vn % 3 + 1 ))" "$victim"
EXPECT_WITHIN 6 0 brick_count_online "v$vn"
EXPECT_WITHIN 10 yes eval "h=\$(role_holder $(( vn % 3 + 1 )) v3 rebalance); \
    [ -n \"\$h\" ] && [ \"\$h\" != $victim ] && echo yes"
# its brick process was not its glusterd: it still runs
TEST kill -0 "$brick_pid"

# Back: Connected, and its brick adopted (same process) and online again.
TEST glusterd_start "$vn"
EXPECT_WITHIN 10 Connected peer_state "$(( vn % 3 + 1 ))" "$victim"
EXPECT_WITHIN 10 1 brick_count_online "v$vn"
EXPECT "$brick_pid" eval "CLI 1 volume status v$vn | awk 'NF > 1 && \$(NF-1) == \"Y\" {print \$NF}'"

# The etcd leader dies: commands still work.
leader=$(etcd_leader)
TEST [ -n "$leader" ]
TEST etcd_member_stop "$leader" KILL
TEST mkdir -p "$B/w1"
EXPECT_WITHIN 10 0 eval "CLI 2 volume create w 127.1.1.2:$B/w1 > /dev/null 2>&1; CLI 3 volume info w > /dev/null 2>&1; echo \$?"
TEST etcd_member_start "$leader"

# A client mounts v1 (when the stock client is here) before the monitor cluster goes.
M=$T_ROOT/mnt
have_fuse=no
if command -v mount.glusterfs > /dev/null && [ -c /dev/fuse ]; then
    mkdir -p "$M"
    mount -t glusterfs -o "server-port=$GD_PORT,log-file=$T_ROOT/mnt.log" "127.1.1.1:/v1" "$M" &&
        have_fuse=yes
fi

TEST etcd_cluster_stop
# The CLI fails by itself (well before timeout's 9 s) and names the monitor cluster.
TEST_NOT timeout 9 "$GLUSTER_BIN" --mode=script --glusterd-sock "$T_ROOT/gd1/run/glusterd.socket" volume info v1
EXPECT 1 eval "timeout 9 $GLUSTER_BIN --mode=script --glusterd-sock $T_ROOT/gd1/run/glusterd.socket volume info v1 > /dev/null 2>&1; echo \$?"
EXPECT_MATCH "monitor cluster" CLI 1 volume info v1
EXPECT_MATCH "monitor cluster" CLI 2 volume create z 127.1.1.2:$B/z
TEST dd if=/dev/urandom of="$T_ROOT/data" bs=64k count=16 status=none
if [ $have_fuse = yes ]; then
    TEST cp "$T_ROOT/data" "$M/during-outage"
    EXPECT "$(md5sum < "$T_ROOT/data")" eval "md5sum < $M/during-outage"
fi
# a new client gets the volfile glusterd read last, and reads and writes too
TEST GF v1 put "$T_ROOT/data" /gfcli-during-outage
EXPECT "$(md5sum < "$T_ROOT/data")" eval "GF v1 get /gfcli-during-outage - | md5sum"
# bricks still serve (their processes live)
TEST kill -0 "$brick_pid"

# etcd back: peers Connected again, bricks online, commands work.
for k in 1 2 3; do etcd_member_start "$k" & done
wait
EXPECT_WITHIN 30 Connected peer_state 1 127.1.1.2
EXPECT_WITHIN 30 Connected peer_state 1 127.1.1.3
EXPECT_WITHIN 30 Connected peer_state 2 127.1.1.1
EXPECT_WITHIN 30 1 brick_count_online v1
EXPECT_WITHIN 30 1 brick_count_online v2
EXPECT_WITHIN 30 1 brick_count_online v3
EXPECT_MATCH "Status: Started" CLI 3 volume info v1
if [ $have_fuse = yes ]; then
    EXPECT "$(md5sum < "$T_ROOT/data")" eval "md5sum < $M/during-outage"
    umount "$M"
fi

cleanup
