#!/bin/bash
# A `volume set` that makes running bricks incompatible with their process (a
# process-scoped option: the TLS cipher list of protocol/server) moves them to a
# process of their own, counted from /proc and ss; a brick-scoped change (auth.allow)
# leaves them where they are; a reset brings them back to the shared process.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/a1" "$B/a2" "$B/b1" "$B/b2"
TEST CLI volume create va "$H1:$B/a1" "$H1:$B/a2"
TEST CLI volume create vb "$H1:$B/b1" "$H1:$B/b2"
TEST CLI volume start va
TEST CLI volume start vb
EXPECT_WITHIN 20 2 brick_count_online va
EXPECT_WITHIN 20 2 brick_count_online vb
EXPECT 1 gd_mux_proc_count
shared=$(gd_mux_pids)
echo moved > "$T_ROOT/f"
TEST GF vb put "$T_ROOT/f" /f

# Process-scoped: vb's bricks move together to a new process; va's stay.
TEST CLI volume set vb ssl.cipher-list 'HIGH:!aNULL:!MD5'
EXPECT 2 brick_count_online vb
EXPECT 2 gd_mux_proc_count
EXPECT 2 gd_mux_port_count
EXPECT "$shared $shared" eval "gd_mux_status_pids va | tr '\n' ' ' | sed 's/ \$//'"
moved=$(gd_mux_status_pids vb | sort -u)
TEST [ -n "$moved" ] && [ "$moved" != "$shared" ]
EXPECT "2" gd_mux_bricks_per_pid vb
EXPECT "$shared $moved" gd_mux_pids
EXPECT "moved" eval "GF vb get /f -"
EXPECT_MATCH "moving it to a compatible process" cat "$T_ROOT/gd1/log/glusterd.log"

# Brick-scoped: va's bricks are attached again, one by one, in the same process.
TEST CLI volume set va auth.allow '127.*'
EXPECT 2 brick_count_online va
EXPECT "$shared $shared" eval "gd_mux_status_pids va | tr '\n' ' ' | sed 's/ \$//'"
EXPECT "$shared $moved" gd_mux_pids
EXPECT_MATCH "attaching it again" cat "$T_ROOT/gd1/log/glusterd.log"

# A new volume with vb's setting joins vb's process, not va's.
TEST mkdir -p "$B/c1"
TEST CLI volume create vc "$H1:$B/c1"
TEST CLI volume set vc ssl.cipher-list 'HIGH:!aNULL:!MD5'
TEST CLI volume start vc
EXPECT_WITHIN 20 1 brick_count_online vc
EXPECT "$moved" gd_mux_status_pids vc
EXPECT 2 gd_mux_proc_count

# Reset: vb's bricks go back to the shared process.
TEST CLI volume reset vb ssl.cipher-list
EXPECT 2 brick_count_online vb
EXPECT "$shared $shared" eval "gd_mux_status_pids vb | tr '\n' ' ' | sed 's/ \$//'"
EXPECT "moved" eval "GF vb get /f -"
TEST CLI volume stop vc
EXPECT_WITHIN 15 1 gd_mux_proc_count
EXPECT "$shared" gd_mux_pids
