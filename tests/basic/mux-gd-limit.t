#!/bin/bash
# cluster.max-bricks-per-process 3 with 6 bricks gives 2 processes of 3 bricks, and
# the same 2 processes after glusterd restarts (adopted, none started twice).
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
bricks=""
for i in 1 2 3 4 5 6; do
    mkdir -p "$B/b$i"
    bricks="$bricks $H1:$B/b$i"
done
TEST mkdir -p "$B/x1"
TEST CLI volume set all cluster.max-bricks-per-process 3
EXPECT_MATCH "cluster.max-bricks-per-process +3" CLI volume get all all
TEST CLI volume create v $bricks
TEST CLI volume start v
EXPECT_WITHIN 20 6 brick_count_online v
EXPECT 2 gd_mux_proc_count
EXPECT 2 brick_process_count
EXPECT 2 gd_mux_port_count
EXPECT "3 3" gd_mux_bricks_per_pid v
pids=$(gd_mux_pids)
echo six > "$T_ROOT/f"
for i in 1 2 3 4 5 6 7 8; do GF v put "$T_ROOT/f" "/f$i" || break; done
EXPECT "six" eval "GF v get /f8 -"

# glusterd restarts: it adopts both processes and starts nothing new.
TEST glusterd_stop
EXPECT 2 gd_mux_proc_count
TEST glusterd_start
EXPECT_WITHIN 20 6 brick_count_online v
EXPECT "$pids" gd_mux_pids
EXPECT 2 gd_mux_proc_count
EXPECT "3 3" gd_mux_bricks_per_pid v
EXPECT_MATCH "cluster.max-bricks-per-process +3" CLI volume get all cluster.max-bricks-per-process
EXPECT "six" eval "GF v get /f8 -"
EXPECT_MATCH "adopted" cat "$T_ROOT/gd1/log/glusterd.log"

# Both are full: a seventh brick gets a third process, even after the restart.
TEST CLI volume create w "$H1:$B/x1"
TEST CLI volume start w
EXPECT_WITHIN 20 1 brick_count_online w
EXPECT 3 gd_mux_proc_count
EXPECT 3 gd_mux_port_count
