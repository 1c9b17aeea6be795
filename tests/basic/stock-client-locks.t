#!/bin/bash
# Locks between processes through the stock GlusterFS FUSE client (Debian's
# glusterfs-client), kept by features/locks on our bricks: on a 1-brick and a 4-brick
# distribute volume, each mounted twice (two client processes), fcntl byte-range locks (a
# small python3 script) and flock(1) locks. One process holds a lock; another, on the same
# mount or the other one, is refused (F_SETLK, flock -n) or waits (F_SETLKW, flock) until
# the holder closes its file or dies; F_GETLK shows the holder's range and pid; read locks
# share. Last, the client process of a mount is killed while one of its processes holds a
# lock: the brick releases the lock and grants it to the process waiting on the other mount.
# Skipped when there is no /dev/fuse or no glusterfs client.
. "$(dirname "$0")/../stock-client.rc"
. "$(dirname "$0")/../include.rc"
. "$(dirname "$0")/../volume.rc"

# lk.py OP FILE [TYPE START LEN]: one fcntl lock operation on FILE (TYPE r or w, START and
# LEN in bytes, LEN 0 = to the end). try: F_SETLK, prints granted or refused. wait:
# prints waiting, then granted once F_SETLKW returns. get: F_GETLK, prints "TYPE START LEN
# PID" of the lock in the way (TYPE u: none). hold: takes the lock (F_SETLK), prints held,
# closes the file at the first SIGUSR1 (prints closed) and exits at the second.
LK=$T_ROOT/lk.py
cat > "$LK" <<'EOF'
import fcntl, os, signal, struct, sys

FLOCK = "hh4xqqi4x"  # struct flock on 64-bit Linux: type, whence, start, len, pid
TYPES = {"r": fcntl.F_RDLCK, "w": fcntl.F_WRLCK, "u": fcntl.F_UNLCK}


def lock(fd, cmd, typ, start, length):
    arg = struct.pack(FLOCK, TYPES[typ], os.SEEK_SET, start, length, 0)
    return struct.unpack(FLOCK, fcntl.fcntl(fd, cmd, arg))


def main(op, path, typ="w", start="0", length="0"):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    start, length = int(start), int(length)
    if op == "try":
        try:
            lock(fd, fcntl.F_SETLK, typ, start, length)
            print("granted")
        except OSError as e:
            print("refused" if e.errno in (11, 13) else "error: %s" % e)
    elif op == "wait":
        print("waiting", flush=True)
        lock(fd, fcntl.F_SETLKW, typ, start, length)
        print("granted", flush=True)
    elif op == "get":
        t, _, s, l, pid = lock(fd, fcntl.F_GETLK, typ, start, length)
        print({v: k for k, v in TYPES.items()}[t], s, l, pid)
    elif op == "hold":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        lock(fd, fcntl.F_SETLK, typ, start, length)
        print("held", flush=True)
        signal.sigwait({signal.SIGUSR1})
        os.close(fd)
        print("closed", flush=True)
        signal.sigwait({signal.SIGUSR1})


main(*sys.argv[1:])
EOF

# The background processes below name $T_ROOT on their command lines, so cleanup stops
# any that a failed check leaves behind; the test waits for the others itself.

# Starts `lk.py ARGS...` in the background with its output in $T_ROOT/NAME; sets P.
lk_bg() { # NAME ARGS...
    local name=$1
    shift
    : > "$T_ROOT/$name"
    python3 "$LK" "$@" > "$T_ROOT/$name" 2>&1 &
    P=$!
}
out() { tr '\n' ' ' < "$T_ROOT/$1" | sed 's/ $//'; }

# FILE MODE: flock -n (MODE -x or -s) on FILE: granted, refused, or what failed.
flock_try() {
    local rc
    flock -n -E 99 "$2" "$1" true
    rc=$?
    case $rc in 0) echo granted ;; 99) echo refused ;; *) echo "flock failed: $rc" ;; esac
}

# A process holding a flock(1) lock on FILE through its fd 8 (MODE -x or -s): writes held
# to OUT, closes the fd when a line comes on the fifo OUT.go (writes closed), and exits
# at the next line.
FLOCK_HOLDER='exec 8>> "$1" && flock "$2" 8 && echo held > "$3"
read -r _ < "$3.go"
exec 8>&-
echo closed >> "$3"
read -r _ < "$3.go"'

# Starts a flock holder with its output in $T_ROOT/NAME; sets P.
flock_bg() { # NAME FILE MODE
    local f=$T_ROOT/$1
    : > "$f"
    mkfifo "$f.go"
    bash -c "$FLOCK_HOLDER" flock-holder "$2" "$3" "$f" &
    P=$!
}

# fcntl locks on VOL's file F, seen from mount A (the holder's) and mount B.
fcntl_locks() { # A B F
    local a=$1/$3 b=$2/$3 h w
    lk_bg hold hold "$a" w 0 100
    h=$P
    EXPECT_WITHIN 20 held out hold
    EXPECT refused python3 "$LK" try "$a" w 50 10
    EXPECT refused python3 "$LK" try "$a" r 99 1
    EXPECT granted python3 "$LK" try "$a" w 100 10
    EXPECT refused python3 "$LK" try "$b" w 0 1
    EXPECT granted python3 "$LK" try "$b" r 100 0
    EXPECT "w 0 100 $h" python3 "$LK" get "$a" w 0 0
    EXPECT "w 0 100 $h" python3 "$LK" get "$b" r 10 10
    EXPECT "u 100 0 0" python3 "$LK" get "$b" w 100 0
    # A waiter blocks in fcntl(F_SETLKW) until the holder closes its file (and lives on).
    lk_bg wait wait "$b" w 0 0
    w=$P
    EXPECT_WITHIN 20 "fcntl 0x7" stock_blocked_in $w
    EXPECT waiting out wait
    TEST kill -USR1 $h
    EXPECT_WITHIN 20 "waiting granted" out wait
    EXPECT "held closed" out hold
    wait $w
    TEST kill -USR1 $h
    wait $h
    # Read locks share; a write lock waits until the reader dies.
    lk_bg hold hold "$a" r 0 0
    h=$P
    EXPECT_WITHIN 20 held out hold
    EXPECT granted python3 "$LK" try "$b" r 0 0
    EXPECT refused python3 "$LK" try "$b" w 5 5
    lk_bg wait wait "$a" w 5 5
    w=$P
    EXPECT_WITHIN 20 "fcntl 0x7" stock_blocked_in $w
    TEST kill -KILL $h
    wait $h 2>/dev/null
    EXPECT_WITHIN 20 "waiting granted" out wait
    wait $w
    EXPECT granted python3 "$LK" try "$b" w 0 0
}

# flock(1) locks on file F, from mount A (the holder's) and mount B.
flock_locks() { # A B F
    local a=$1/$3 b=$2/$3 w
    flock_bg fl "$a" -x
    EXPECT_WITHIN 20 held out fl
    EXPECT refused flock_try "$a" -x
    EXPECT refused flock_try "$a" -s
    EXPECT refused flock_try "$b" -x
    # A waiter blocks in flock(2) until the holder closes its fd (and lives on).
    flock -x "$b" -c "echo granted > '$T_ROOT/flw'" &
    w=$!
    EXPECT_WITHIN 20 "flock 0x2" stock_blocked_in $w
    TEST test ! -e "$T_ROOT/flw"
    TEST eval "echo > '$T_ROOT/fl.go'"
    EXPECT_WITHIN 20 granted out flw
    EXPECT "held closed" out fl
    wait $w
    TEST eval "echo > '$T_ROOT/fl.go'"
    wait $P
    rm -f "$T_ROOT/fl.go" "$T_ROOT/flw"
    # Shared locks share; an exclusive one is refused until the holder dies.
    flock_bg fl "$a" -s
    EXPECT_WITHIN 20 held out fl
    EXPECT granted flock_try "$b" -s
    EXPECT refused flock_try "$b" -x
    TEST kill -KILL $P
    wait $P 2>/dev/null
    EXPECT_WITHIN 20 granted flock_try "$b" -x
    rm -f "$T_ROOT/fl.go"
}

TEST stock_volumes 256m
EXPECT_WITHIN 20 1 brick_count_online one
EXPECT_WITHIN 20 4 brick_count_online four

for v in one four; do
    A=$T_ROOT/mnt-$v-a
    Bm=$T_ROOT/mnt-$v-b
    TEST mkdir -p "$A" "$Bm"
    TEST stock_mount $v "$A" mnt-$v-a
    TEST stock_mount $v "$Bm" mnt-$v-b
    EXPECT_WITHIN 20 yes stock_mounted "$A"
    EXPECT_WITHIN 20 yes stock_mounted "$Bm"
    TEST mkdir "$A/d"
    fcntl_locks "$A" "$Bm" d/f
    flock_locks "$A" "$Bm" d/f.fl
    # The client process of mount A dies while its process holds a lock: the brick drops
    # that client's locks and grants the lock to the process waiting on mount B.
    lk_bg hold hold "$A/d/f" w 0 0
    h=$P
    EXPECT_WITHIN 20 held out hold
    lk_bg wait wait "$Bm/d/f" w 0 0
    EXPECT_WITHIN 20 "fcntl 0x7" stock_blocked_in $P
    TEST kill -KILL "$(stock_client_pid "$A")"
    EXPECT_WITHIN 20 "waiting granted" out wait
    wait $P
    kill -KILL $h
    wait $h 2>/dev/null
    TEST umount -l "$A"
    TEST umount "$Bm"
done
EXPECT 1 brick_count_online one
EXPECT 4 brick_count_online four
