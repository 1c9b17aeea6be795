#!/bin/bash
# cluster.brick-multiplex off gives every brick a process of its own (and port),
# counted from /proc and ss; turned on again, the bricks share one process.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/b1" "$B/b2" "$B/b3"
TEST CLI volume create v "$H1:$B/b1" "$H1:$B/b2" "$H1:$B/b3"

TEST CLI volume set all cluster.brick-multiplex off
EXPECT_MATCH "cluster.brick-multiplex +off" CLI volume get all cluster.brick-multiplex
TEST CLI volume start v
EXPECT_WITHIN 20 3 brick_count_online v
EXPECT 3 gd_mux_proc_count
EXPECT 3 brick_process_count
EXPECT 3 gd_mux_port_count
EXPECT "1 1 1" gd_mux_bricks_per_pid v
EXPECT 3 eval "gd_mux_status_ports v | sort -u | wc -l"
echo off > "$T_ROOT/f"
TEST GF v put "$T_ROOT/f" /f
EXPECT "off" eval "GF v get /f -"

TEST CLI volume stop v
EXPECT_WITHIN 15 0 gd_mux_proc_count

TEST CLI volume set all cluster.brick-multiplex on
TEST CLI volume start v
EXPECT_WITHIN 20 3 brick_count_online v
EXPECT 1 gd_mux_proc_count
EXPECT "3" gd_mux_bricks_per_pid v
EXPECT "off" eval "GF v get /f -"
