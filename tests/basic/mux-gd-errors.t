#!/bin/bash
# `volume set`, `get` and `reset` refuse what they must, with a message saying why,
# and change nothing when they do.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST glusterd_start
TEST brick_fs
B=$T_ROOT/bricks
TEST mkdir -p "$B/b1"
TEST CLI volume create v "$H1:$B/b1"

limit() { CLI volume get all cluster.max-bricks-per-process | awk 'NR == 3 {print $2}'; }

EXPECT 0 limit
EXPECT_MATCH "process of its own.*brick-multiplex off" CLI volume set all cluster.max-bricks-per-process 1
TEST_NOT CLI volume set all cluster.max-bricks-per-process 1
EXPECT_MATCH "'-1' is out of range" CLI volume set all cluster.max-bricks-per-process -1
EXPECT_MATCH "'many' is not a valid integer" CLI volume set all cluster.max-bricks-per-process many
TEST_NOT CLI volume set all cluster.max-bricks-per-process 2.5
EXPECT_MATCH "'maybe' is not a boolean" CLI volume set all cluster.brick-multiplex maybe
EXPECT 0 limit
EXPECT_MATCH "cluster.brick-multiplex +on" CLI volume get all cluster.brick-multiplex

EXPECT_MATCH "cluster-wide option: set it with .gluster volume set all" CLI volume set v cluster.brick-multiplex off
EXPECT_MATCH "not a cluster-wide option" CLI volume set all auth.allow '*'
EXPECT_MATCH "option no.such does not exist" CLI volume set v no.such 1
EXPECT_MATCH "not a valid integer" CLI volume set v network.inode-lru-limit lots
EXPECT_MATCH "Volume nov does not exist" CLI volume set nov auth.allow '*'
EXPECT_MATCH "has no value" CLI volume set v auth.allow
TEST_NOT CLI volume set v auth.allow
EXPECT_MATCH "option no.such does not exist" CLI volume get v no.such
EXPECT_MATCH "option no.such does not exist" CLI volume reset v no.such
EXPECT_MATCH "auth.allow +\*" CLI volume get v auth.allow
TEST_NOT eval "CLI volume info v | grep -q 'Options Reconfigured'"

# What is accepted is stored, shown, and reset.
TEST CLI volume set all cluster.max-bricks-per-process 2
EXPECT 2 limit
TEST CLI volume set v auth.allow 127.1.1.1 network.inode-lru-limit 500
EXPECT_MATCH "auth.allow: 127.1.1.1" CLI volume info v
EXPECT_MATCH "network.inode-lru-limit +500" CLI volume get v all
EXPECT_MATCH "cluster.max-bricks-per-process +2" CLI volume get v all
TEST CLI volume reset v auth.allow
EXPECT_MATCH "auth.allow +\*" CLI volume get v auth.allow
EXPECT_MATCH "network.inode-lru-limit +500" CLI volume get v network.inode-lru-limit
TEST CLI volume reset v
EXPECT_MATCH "network.inode-lru-limit +16384" CLI volume get v network.inode-lru-limit
TEST CLI volume reset all
EXPECT 0 limit
