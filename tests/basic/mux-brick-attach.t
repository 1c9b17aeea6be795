#!/bin/bash
# One brick process serving many bricks, driven without glusterd: glusterfsd -f
# starts with the first brick, the others are attached and detached through its
# brick-op socket (glusterfsd --brick-op), and each is used by the project's
# client through a local client volfile (gfcli -f). Checks: one process and one
# port for 5 bricks (from ps and ss), I/O on each, per-brick auth, refused
# ATTACHes leaving the others serving, a detach during a write to another brick,
# STATUS figures (a detached brick's memory back to zero), 100 attach/detach
# cycles with RSS and descriptors back within 5%, and the exit after the last
# DETACH.
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

TEST brick_fs
B=$T_ROOT/bricks
V=$T_ROOT/vol
R=$T_ROOT/run
L=$T_ROOT/local
mkdir -p "$V" "$R" "$L"
PORT=$BRICK_BASE_PORT
SOCK=$R/gfsd.sock
export GF_XLATOR_DIR=$GF_PREFIX/lib/gfs/xlator

# Brick volfile of brick N: login userN/passN, addresses allowed $2 (default
# *) and refused $4 (default none), listening on port $3 (default $PORT).
brick_vol() {
    local n=$1 allow=${2:-*} port=${3:-$PORT} reject=${4:-10.255.255.255}
    mkdir -p "$B/b$n"
    cat > "$V/b$n.vol" <<EOF
volume v$n-posix
    type storage/posix
    option directory $B/b$n
end-volume

volume $B/b$n
    type debug/io-stats
    subvolumes v$n-posix
end-volume

volume v$n-server
    type protocol/server
    option transport-type tcp
    option transport.socket.bind-address 0.0.0.0
    option transport.socket.listen-port $port
    option auth.login.$B/b$n.allow user$n
    option auth.login.user$n.password pass$n
    option auth.addr.$B/b$n.allow $allow
    option auth.addr.$B/b$n.reject $reject
    subvolumes $B/b$n
end-volume
EOF
}

# Client volfile naming brick N with the login of brick M (default N).
client_vol() {
    local n=$1 m=${2:-$1}
    cat > "$V/c$n-$m.vol" <<EOF
volume c$n
    type protocol/client
    option remote-host 127.0.0.1
    option remote-port $PORT
    option remote-subvolume $B/b$n
    option transport-type tcp
    option username user$m
    option password pass$m
end-volume
EOF
    echo "$V/c$n-$m.vol"
}

BOP() { "$GLUSTERFSD" --brick-op "$SOCK" "$@"; }
# The value of KEY in the STATUS output (of brick $2 when given).
status_key() { BOP status ${2:-} 2>/dev/null | sed -n "s|^$1=||p"; }
# The STATUS index of brick N, or nothing.
brick_index() { BOP status | sed -n "s|^brick\([0-9]*\)\.name=$B/b$1\$|\1|p"; }
brick_key() { local i; i=$(brick_index "$1"); [ -n "$i" ] && status_key "brick$i.$2"; }
GFC() { "$GFCLI" -f "$1" -l "$R/client.log" "v${2:-x}" "${@:3}"; }
# gfcli with the client volfile of brick N (its own login).
GFN() { local n=$1; shift; GFC "$(client_vol "$n")" "$n" "$@"; }

glusterfsd_count() { ps -eo args | grep -c "^$GLUSTERFSD -f $V/"; }
listen_ports() { ss -ltnpH | grep -c "pid=$GPID,"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$GPID/status"; }
fd_count() { ls "/proc/$GPID/fd" | wc -l; }
thread_count() { ls "/proc/$GPID/task" | wc -l; }
# Whether $1 is within 5% of $2.
within_5pct() { [ $(( ($1 - $2) * 100 )) -le $(( $2 * 5 )) ] && [ $(( ($2 - $1) * 100 )) -le $(( $2 * 5 )) ]; }

for n in 1 2 3 4 5 6 10 11 12 13 14 15; do brick_vol $n; done
brick_vol 7 "*" $((PORT + 1))        # another port: needs another process
brick_vol 8 "10.1.1.1"               # refuses clients from 127.0.0.1
brick_vol 9 "*" "$PORT" "127.0.0.*"  # allows any address, but refuses 127.0.0.*
printf 'volume broken\n  type\nend-volume\n' > "$V/bad.vol"

# ---- one process, one port, five bricks ----------------------------------------------
"$GLUSTERFSD" -f "$V/b1.vol" -p "$R/gfsd.pid" -l "$R/gfsd.log" &
GPID=$!
t_track_pid $GPID
EXPECT_WITHIN 10 "1" status_key count
EXPECT "$PORT" status_key port
THREADS_ONE=$(thread_count)
FDS_ONE=$(fd_count)
for n in 2 3 4 5; do
    TEST BOP attach "$B/b$n" "$V/b$n.vol" "v$n.127.0.0.1.b$n"
done
EXPECT 5 status_key count
EXPECT 1 glusterfsd_count
EXPECT 1 listen_ports
EXPECT "$GPID" status_key pid
EXPECT "v4.127.0.0.1.b4" brick_key 4 volfile-id
EXPECT ready brick_key 5 state
# Attaching bricks adds no thread (the shared pool may keep one spare worker),
# and an idle brick holds no descriptor.
TEST [ "$(thread_count)" -le $((THREADS_ONE + 1)) ]
EXPECT_WITHIN 5 "$FDS_ONE" fd_count

# ---- I/O on each brick, through the one port -------------------------------------------
head -c 100000 /dev/urandom > "$L/data"
for n in 1 2 3 4 5; do
    TEST GFN $n put "$L/data" /f$n
    TEST GFN $n get /f$n "$L/back$n"
    TEST cmp "$L/data" "$L/back$n"
    TEST [ -f "$B/b$n/f$n" ]
done
TEST [ "$(brick_key 2 mem-bytes)" -gt 0 ]
TEST [ "$(brick_key 2 inodes)" -ge 1 ]

# ---- auth is per brick ------------------------------------------------------------------
# The login of brick 1 opens brick 1 and no other brick of the process. Brick 1
# lets a client from 127.0.0.1 in; brick 8's address rules refuse it, and so do
# brick 9's (a reject wins over an allow). (A refused client retries for a
# while before it gives up: the refusals are tried at once.)
TEST BOP attach "$B/b8" "$V/b8.vol"
TEST BOP attach "$B/b9" "$V/b9.vol"
TEST GFC "$(client_vol 1 1)" 1 stat /f1
TEST GFN 1 ls /
GFC "$(client_vol 2 1)" 2 stat /f2 > /dev/null 2>&1 &
LOGIN=$!
GFN 8 ls / > /dev/null 2>&1 &
ADDR=$!
GFN 9 ls / > /dev/null 2>&1 &
REJECT=$!
wait $LOGIN
EXPECT 1 echo $?
wait $ADDR
EXPECT 1 echo $?
wait $REJECT
EXPECT 1 echo $?
TEST grep -q "address 127.0.0.1 is not in auth.addr.$B/b8.allow" "$R/gfsd.log"
TEST grep -q "address 127.0.0.1 matches auth.addr.$B/b9.reject" "$R/gfsd.log"
TEST grep -q "user 'user1' is not in auth.login.$B/b2.allow" "$R/gfsd.log"
TEST BOP detach "$B/b8"
TEST BOP detach "$B/b9"

# ---- refused ATTACHes; the others keep serving ----------------------------------------
EXPECT_MATCH "does not parse" BOP attach "$B/b6" "$V/bad.vol"
EXPECT_MATCH "transport.socket.listen-port is '$((PORT + 1))'.*(Invalid cross-device link)" \
    BOP attach "$B/b7" "$V/b7.vol"
EXPECT_MATCH "served by this process already.*(File exists)" BOP attach "$B/b2" "$V/b2.vol"
EXPECT_MATCH "not a subvolume" BOP attach "$B/b6" "$V/b5.vol"
EXPECT_MATCH "does not serve brick" BOP detach "$B/b6"
EXPECT 5 status_key count
TEST GFN 2 get /f2 "$L/again2"
TEST cmp "$L/data" "$L/again2"

# ---- detach while a client writes to another brick --------------------------------------
head -c 30000000 /dev/urandom > "$L/big"
(head -c 15000000; sleep 2; cat) < "$L/big" | GFN 1 put - /big &
WRITER=$!
sleep 1
EXPECT_MATCH "^mem-blocks=0$" BOP detach "$B/b2"
wait $WRITER
EXPECT 0 echo $?
TEST GFN 1 get /big "$L/big.back"
TEST cmp "$L/big" "$L/big.back"
EXPECT 4 status_key count
EXPECT "" brick_index 2
EXPECT "$B/b2" status_key detached1.name
EXPECT 0 status_key detached1.mem-bytes
EXPECT 0 status_key detached1.mem-blocks
EXPECT 0 status_key detach-leaks
EXPECT_MATCH "does not serve brick" BOP status "$B/b2"
timeout 30 "$GFCLI" -f "$(client_vol 2)" -l "$R/client.log" v2 stat /f2 > /dev/null 2>&1 &
GONE=$!
# The detached brick's files are still on disk; the others still serve.
TEST [ -f "$B/b2/f2" ]
TEST GFN 4 get /f4 "$L/again4"
TEST cmp "$L/data" "$L/again4"
wait $GONE
EXPECT 1 echo $?
TEST grep -q "remote-subvolume \"$B/b2\" is not found" "$R/gfsd.log"

# ---- many ATTACHes and DETACHes in flight at once ----------------------------------------
# (Waiting on the calls' pids only: a plain `wait` would wait for the brick process too.)
attach_all() {
    local n pids=
    for n in "$@"; do
        BOP attach "$B/b$n" "$V/b$n.vol" > /dev/null &
        pids="$pids $!"
    done
    wait $pids
}
detach_all() {
    local n pids=
    for n in "$@"; do
        BOP detach "$B/b$n" > /dev/null &
        pids="$pids $!"
    done
    wait $pids
}
attach_all 10 11 12 13 14 15
EXPECT 10 status_key count
EXPECT ready brick_key 13 state
TEST GFN 12 put "$L/data" /f12
detach_all 10 11 12 13 14 15
EXPECT 4 status_key count
EXPECT 0 status_key detach-leaks
EXPECT 1 glusterfsd_count

# ---- 100 attach/detach cycles: RSS and descriptors come back ---------------------------
for i in 1 2 3 4 5; do BOP attach "$B/b6" "$V/b6.vol" > /dev/null && BOP detach "$B/b6" > /dev/null; done
RSS0=$(rss_kb)
FDS0=$(fd_count)
ok=0
for i in $(seq 1 100); do
    BOP attach "$B/b6" "$V/b6.vol" > /dev/null && BOP detach "$B/b6" > /dev/null && ok=$((ok + 1))
done
EXPECT 100 echo $ok
RSS1=$(rss_kb)
FDS1=$(fd_count)
echo "# RSS ${RSS0} kB -> ${RSS1} kB, descriptors $FDS0 -> $FDS1"
TEST within_5pct "$RSS1" "$RSS0"
TEST within_5pct "$FDS1" "$FDS0"
EXPECT 0 status_key detach-leaks
EXPECT 4 status_key count

# ---- the process exits 0 once its last brick is detached ------------------------------
for n in 1 3 4; do
    TEST BOP detach "$B/b$n"
done
EXPECT_MATCH "^last=1$" BOP detach "$B/b5"
wait $GPID
EXPECT 0 echo $?
EXPECT 0 glusterfsd_count
TEST [ ! -e "$R/gfsd.pid" ]
