#!/bin/bash
# Every fop of the data path, on the wire as the GlusterFS 4.x client sends it
# (fops-wire.py speaks the protocol from doc/protocol.md), against a one-brick
# volume: entries and the errors POSIX gives, hard links, renames, symlinks,
# device nodes, user and trusted xattrs, xattrop arithmetic, the layouts a
# lookup's xdata asks for, sparse files and space fops, the anonymous fd, and
# bad requests answered with RPC errors while the connection keeps serving.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

WIRE="python3 $(dirname "$0")/fops-wire.py"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks/b1
TEST mkdir -p "$B"
TEST CLI volume create wire "$H1:$B"
TEST CLI volume start wire
EXPECT_WITHIN 20 1 brick_count_online wire

for scenario in entries names xattrs space bad_requests; do
    TEST $WIRE "$H1" "$GD_PORT" wire "$B" $scenario
done

# The brick still serves the project's client after all of it.
L=$T_ROOT/local
mkdir -p "$L"
TEST dd if=/dev/urandom of="$L/f" bs=64k count=4 status=none
TEST GF wire put "$L/f" /after
TEST GF wire get /after "$L/f.back"
EXPECT "$(sha256sum < "$L/f")" eval "sha256sum < '$L/f.back'"
EXPECT 1 brick_count_online wire
