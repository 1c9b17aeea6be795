#!/bin/bash
# Brick multiplexing in glusterd: the bricks of two volumes share one glusterfsd
# (counted from /proc and ss, and shown alike by `volume status` and --xml); a stop
# detaches a volume's bricks while the process keeps serving the other volume; the
# last detach ends the process; a brick that cannot start is named, with why.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/a1" "$B/a2" "$B/b1"
TEST CLI volume create va "$H1:$B/a1" "$H1:$B/a2"
TEST CLI volume create vb "$H1:$B/b1"
EXPECT "on" eval "CLI volume get va cluster.brick-multiplex | awk 'NR == 3 {print \$2}'"
TEST CLI volume start va
TEST CLI volume start vb
EXPECT_WITHIN 20 2 brick_count_online va
EXPECT_WITHIN 20 1 brick_count_online vb

# One process, one listening port, for three bricks of two volumes.
EXPECT 1 gd_mux_proc_count
EXPECT 1 brick_process_count
EXPECT 1 gd_mux_port_count
pid=$(gd_mux_pids)
EXPECT "$pid $pid" eval "gd_mux_status_pids va | tr '\n' ' ' | sed 's/ \$//'"
EXPECT "$pid" gd_mux_status_pids vb
port=$(gd_mux_status_ports vb)
EXPECT "$port $port" eval "gd_mux_status_ports va | tr '\n' ' ' | sed 's/ \$//'"
EXPECT_MATCH ":$port .*pid=$pid," ss -ltnpH
# The same as XML.
EXPECT 2 eval "CLI --xml volume status va | grep -c '<pid>$pid</pid>'"
EXPECT 2 eval "CLI --xml volume status va | grep -c '<port>$port</port>'"
EXPECT_MATCH "<volName>vb</volName>" CLI --xml volume status
EXPECT 3 eval "CLI --xml volume status | grep -c '<status>1</status>'"
EXPECT "0" eval "CLI --xml volume status va | sed -n 's/.*<opRet>\(.*\)<\/opRet>/\1/p'"

# Data goes through the shared process.
echo shared > "$T_ROOT/f"
TEST GF va put "$T_ROOT/f" /f
TEST GF vb put "$T_ROOT/f" /g
EXPECT "shared" eval "GF va get /f -"
EXPECT "shared" eval "GF vb get /g -"

# Per-brick figures from the process (STATUS).
EXPECT 2 eval "CLI volume status va clients | grep -c '^Clients connected : [0-9]'"
EXPECT 2 eval "CLI volume status va mem | grep -c '^Memory accounted : [0-9]* bytes'"
EXPECT_MATCH "pid $pid" CLI volume status va mem
EXPECT 2 eval "CLI --xml volume status va clients | grep -c '<clientCount>'"

# Stopping va detaches its bricks; the process goes on serving vb.
TEST CLI volume stop va
EXPECT 1 gd_mux_proc_count
EXPECT "$pid" gd_mux_pids
EXPECT 1 brick_count_online vb
EXPECT "shared" eval "GF vb get /g -"
EXPECT_MATCH "brick .*/a1 stopped" cat "$T_ROOT/gd1/log/glusterd.log"

# Starting it again attaches to the same process.
TEST CLI volume start va
EXPECT_WITHIN 20 2 brick_count_online va
EXPECT "$pid" gd_mux_pids

# A brick that cannot start is named with the reason; the others go on.
TEST mkdir -p "$B/c1" "$B/c2"
TEST CLI volume create vc "$H1:$B/c1" "$H1:$B/c2"
TEST rmdir "$B/c2"
EXPECT_MATCH "failed: .*$B/c2" CLI volume start vc
EXPECT_MATCH "Status: Created" CLI volume info vc
EXPECT "$pid" gd_mux_pids
EXPECT 2 brick_count_online va

# The last detach ends the process.
TEST CLI volume stop va
TEST CLI volume stop vb
EXPECT_WITHIN 15 0 gd_mux_proc_count
EXPECT 0 brick_process_count
