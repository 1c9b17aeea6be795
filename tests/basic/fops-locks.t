#!/bin/bash
# features/locks on the brick, on the wire between two clients: byte-range
# locks (conflicts, F_GETLK, F_SETLKW waiting without a thread), inode and entry
# locks in domains, and every lock of a client released when its connection
# ends, which grants the other client's waiting request.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

WIRE="python3 $(dirname "$0")/fops-wire.py"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks/b1
TEST mkdir -p "$B"
TEST CLI volume create lk "$H1:$B"
TEST CLI volume start lk
EXPECT_WITHIN 20 1 brick_count_online lk

TEST $WIRE "$H1" "$GD_PORT" lk "$B" locks
TEST $WIRE "$H1" "$GD_PORT" lk "$B" locks  # again: nothing of the first run is left
EXPECT 1 brick_count_online lk
