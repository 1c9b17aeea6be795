#!/bin/bash
# glusterd restarted keeps its volumes and serves them again.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/b1" "$B/b2" "$B/b3"
TEST CLI volume create keep "$H1:$B/b1" "$H1:$B/b2"
TEST CLI volume create idle "$H1:$B/b3"
TEST CLI volume start keep
EXPECT_WITHIN 20 2 brick_count_online keep
echo hello > "$T_ROOT/hello"
TEST GF keep put "$T_ROOT/hello" /hello

TEST glusterd_stop
TEST_NOT CLI volume list
TEST glusterd_start
EXPECT_MATCH "keep" CLI volume list
EXPECT_MATCH "idle" CLI volume list
EXPECT_MATCH "Status: Started" CLI volume info keep
EXPECT_MATCH "Status: Created" CLI volume info idle
EXPECT_WITHIN 20 2 brick_count_online keep
EXPECT 1 brick_process_count
EXPECT "hello" eval "GF keep get /hello - "

# Bricks killed while glusterd is down are started again when it comes back.
TEST glusterd_stop
for f in "$T_ROOT"/gd1/run/bricks/*.pid; do kill -KILL "$(cat "$f")"; done
EXPECT_WITHIN 10 0 brick_process_count
TEST glusterd_start
EXPECT_WITHIN 20 2 brick_count_online keep
EXPECT "hello" eval "GF keep get /hello - "
