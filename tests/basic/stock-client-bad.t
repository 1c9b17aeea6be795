#!/bin/bash
# Bad requests next to a mount: while the stock GlusterFS FUSE client (Debian's
# glusterfs-client) has a 4-brick volume mounted and a writer copies files through it,
# other connections to the same multiplexed brick process ask for bricks it does not serve
# (SETVOLUME with an unknown, an overlong or no remote-subvolume, or a broken dict) and send
# it bytes that are not ONC RPC (fops-wire.py, scenarios wrong_brick and garbage). Each gets
# its error and a line in the brick log naming the connection; the process, the mount's
# connections, its open file and its data all come through untouched. Skipped when there is
# no /dev/fuse or no glusterfs client.
. "$(dirname "$0")/../stock-client.rc"
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

WIRE="python3 $(dirname "$0")/fops-wire.py"
B=$T_ROOT/bricks
M=$T_ROOT/mnt-four
L=$T_ROOT/local
ROUNDS=3

# Lines of the brick process's log with TEXT (fixed string).
brick_log() { cat "$T_ROOT"/gd1/log/bricks/*.log 2>/dev/null | grep -cF -- "$1"; }
# How often the mount's client lost a connection to a brick, by its log.
disconnects() { grep -c "disconnected from" "$T_ROOT/mnt-four.log"; }
# The local ends of the mount's TCP connections to the brick process, by the system.
client_conns() {
    ss -tnpH state established "( dport = :$PORT )" | grep "pid=$(stock_client_pid "$M")," |
        awk '{print $3}' | sort | paste -sd' '
}

# DIR REF STOP: copies REF to DIR/N and compares it, for N = 1, 2, ... until STOP exists.
# Prints how many copies it made, or what went wrong. (Run with bash -c, so that its
# command line names $T_ROOT and cleanup stops it if the test ends early.)
WRITER='n=0
while [ ! -e "$3" ]; do
    n=$((n + 1))
    cp "$2" "$1/$n" || { echo "copy $n failed"; exit 1; }
    cmp -s "$2" "$1/$n" || { echo "copy $n differs"; exit 1; }
done
echo $n'

mkdir -p "$L"
TEST dd if=/dev/urandom of="$L/ref" bs=64k count=16 status=none
for i in 1 2 3 4 5 6 7 8; do
    TEST dd if=/dev/urandom of="$L/f$i" bs=64k count=$i status=none
done
TEST stock_volumes 256m
EXPECT_WITHIN 20 1 brick_count_online one
EXPECT_WITHIN 20 4 brick_count_online four
# One brick process (by volume status; its name from the system), on one port.
PID=$(gd_mux_status_pids four | sort -u)
PORT=$(gd_mux_status_ports four | sort -u)
EXPECT "$PID" eval "{ gd_mux_status_pids one; gd_mux_status_pids four; } | sort -u"
EXPECT glusterfsd cat "/proc/$PID/comm"

TEST mkdir -p "$M"
TEST stock_mount four "$M"
EXPECT_WITHIN 20 yes stock_mounted "$M"
for i in 1 2 3 4 5 6 7 8; do
    TEST cp "$L/f$i" "$M/f$i"
done
DISCONNECTS=$(disconnects)
CONNS=$(client_conns)
EXPECT 4 eval "echo $CONNS | wc -w"
# A file kept open across the bad requests.
exec 9> "$M/open"
TEST eval "echo before >&9"
TEST mkdir "$M/io"
bash -c "$WRITER" writer "$M/io" "$L/ref" "$T_ROOT/stop" > "$T_ROOT/writer.out" 2>&1 &
W=$!

for r in $(seq 1 $ROUNDS); do
    TEST eval "$WIRE '$H1' '$GD_PORT' four '$B/four2' wrong_brick > '$T_ROOT/wrong.$r'"
    TEST eval "$WIRE '$H1' '$GD_PORT' four '$B/four2' garbage > '$T_ROOT/garbage.$r'"
    EXPECT 4 eval "wc -l < '$T_ROOT/wrong.$r'"
    EXPECT 5 eval "wc -l < '$T_ROOT/garbage.$r'"
    # The brick log names every refused connection: the SETVOLUMEs (a warning) ...
    while read -r peer what; do
        EXPECT 1 brick_log "refused client $peer: "
    done < "$T_ROOT/wrong.$r"
    # ... and the streams it closed (an error saying why).
    while read -r peer what; do
        case "$what" in
        "http request" | "random bytes") why="a record exceeds the size limit" ;;
        "empty fragments") why="malformed record marking" ;;
        *) why="malformed RPC call" ;;
        esac
        EXPECT 1 brick_log "closing connection from $peer: $why"
    done < "$T_ROOT/garbage.$r"
    # The mount keeps working between the rounds.
    TEST cp "$L/ref" "$M/round-$r"
    EXPECT "$(stock_sum "$L/ref")" stock_sum "$M/round-$r"
done
EXPECT_MATCH "unknown brick$" cat "$T_ROOT/wrong.1"
EXPECT_MATCH "remote-subvolume \"$B/four2-no-such-brick\" is not found" \
    cat "$T_ROOT"/gd1/log/bricks/*.log

# The writer went on all along, without an error.
TEST touch "$T_ROOT/stop"
wait $W
EXPECT_MATCH "^[1-9][0-9]*$" cat "$T_ROOT/writer.out"
N=$(cat "$T_ROOT/writer.out")
TEST eval "echo after >&9"
exec 9>&-
# Same process, the mount's connections the same ones, every brick online.
TEST kill -0 "$PID"
EXPECT "$PID" eval "{ gd_mux_status_pids one; gd_mux_status_pids four; } | sort -u"
EXPECT "$CONNS" client_conns
EXPECT "$DISCONNECTS" disconnects
EXPECT 4 brick_count_online four
EXPECT 1 brick_count_online one

# Everything reads back from the bricks after a remount.
TEST umount "$M"
TEST stock_mount four "$M"
EXPECT_WITHIN 20 yes stock_mounted "$M"
for i in 1 2 3 4 5 6 7 8; do
    EXPECT "$(stock_sum "$L/f$i")" stock_sum "$M/f$i"
done
EXPECT "$N" eval "ls '$M/io' | wc -l"
EXPECT "$N" eval "cd '$M/io' && sha256sum * | grep -c '^$(stock_sum "$L/ref") '"
EXPECT "before after" eval "tr '\n' ' ' < '$M/open' | sed 's/ \$//'"
for r in $(seq 1 $ROUNDS); do
    EXPECT "$(stock_sum "$L/ref")" stock_sum "$M/round-$r"
done
TEST umount "$M"
