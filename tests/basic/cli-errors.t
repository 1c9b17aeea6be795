#!/bin/bash
# Every CLI error says what went wrong and exits non-zero.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

# glusterd not reachable: the message names the socket.
EXPECT_MATCH "glusterd.socket" CLI volume list
TEST_NOT CLI volume list

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
mkdir -p "$T_ROOT/rootfs-brick"

# Bad syntax: usage is printed.
TEST_NOT CLI volume
EXPECT_MATCH "[Uu]sage" CLI volume frobnicate
TEST_NOT CLI volume create
TEST_NOT CLI volume create bad-brick-spec nohostpath

# Brick path missing, or on the root file system, without force.
TEST_NOT CLI volume create m1 "$H1:$B/missing"
EXPECT_MATCH "does not exist" CLI volume create m1 "$H1:$B/missing"
TEST_NOT CLI volume create r1 "$H1:$T_ROOT/rootfs-brick"
EXPECT_MATCH "root" CLI volume create r1 "$H1:$T_ROOT/rootfs-brick"
TEST CLI volume create r1 "$H1:$T_ROOT/rootfs-brick" force

# Volume exists; no such volume.
mkdir -p "$B/e1"
TEST_NOT CLI volume create r1 "$H1:$B/e1"
EXPECT_MATCH "already exists" CLI volume create r1 "$H1:$B/e1"
TEST_NOT CLI volume info nosuch
EXPECT_MATCH "does not exist" CLI volume info nosuch
TEST_NOT CLI volume start nosuch
TEST_NOT CLI volume stop nosuch
TEST_NOT CLI volume delete nosuch

# A brick already used by another volume.
TEST_NOT CLI volume create r2 "$H1:$T_ROOT/rootfs-brick" force
# A brick on a host that is not this server.
TEST_NOT CLI volume create far far-away.invalid:/data/b1
