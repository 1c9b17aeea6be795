#!/bin/bash
# kill -9 of a process serving 20 bricks: glusterd starts a new one and all 20
# bricks serve again within seconds, with their data.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
bricks=""
for i in $(seq 1 20); do
    mkdir -p "$B/b$i"
    bricks="$bricks $H1:$B/b$i"
done
TEST CLI volume create v $bricks
TEST CLI volume start v
EXPECT_WITHIN 30 20 brick_count_online v
EXPECT 1 gd_mux_proc_count
EXPECT "20" gd_mux_bricks_per_pid v
echo alive > "$T_ROOT/f"
for i in $(seq 1 10); do GF v put "$T_ROOT/f" "/f$i" || break; done
old=$(gd_mux_pids)

# Bricks online in a process other than the one killed (from `volume status`).
served_elsewhere() {
    CLI volume status v | awk -v old="$old" 'NF >= 5 && $(NF-1) == "Y" && $NF != old {n++}
        END {print n+0}'
}
start=$SECONDS
TEST kill -KILL "$old"
EXPECT_WITHIN 15 20 served_elsewhere
echo "# all 20 bricks served again after $((SECONDS - start)) s"
EXPECT 1 gd_mux_proc_count
TEST [ "$(gd_mux_pids)" != "$old" ]
EXPECT "$(gd_mux_pids)" eval "gd_mux_status_pids v | sort -u"
EXPECT 1 gd_mux_port_count
for i in 1 5 10; do
    EXPECT "alive" eval "GF v get /f$i -"
done
EXPECT_MATCH "was killed by signal 9" cat "$T_ROOT/gd1/log/glusterd.log"

# And once more: supervision is not a one-off.
old=$(gd_mux_pids)
TEST kill -KILL "$old"
EXPECT_WITHIN 15 20 served_elsewhere
EXPECT 1 gd_mux_proc_count
EXPECT "alive" eval "GF v get /f3 -"
