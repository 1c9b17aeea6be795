#!/bin/bash
# The legacy management plane at scale (issue 4): Debian's STOCK glusterd, one per
# server, at N = 2, 4, 8, 16 servers on this machine (127.1.1.1..N, each on port
# 24007 with its own directories: bench/lib/stock.sh). For each N it starts N fresh
# glusterds, then times each cluster-wide change and measures what it cost all the
# glusterds together:
#   probe   `peer probe` of servers 2..N from server 1, until every glusterd shows
#           N-1 peers "Peer in Cluster (Connected)"
#   create  `volume create` of a distribute volume with one brick on each server
#   set     `volume set` of one option on it
#   start   `volume start` (one brick process per server)
#   stop    `volume stop`
#   delete  `volume delete`
# Columns: wall time of the CLI call (for probe: until all are connected); CPU
# seconds (user + system) of all N glusterds during it; TCP data segments the
# glusterds sent during it (their sockets' ss counters, close to the number of RPC
# messages, connections opened and closed within the change not counted), in total
# and per server. Everything it starts is stopped by PID at exit (trap), whether it
# succeeded or not. Figures only: it never fails on timing. Our own glusterd against
# etcd at N = 10..1000 is measured by bench/cluster-scale/run.
#
# Usage: bench/cluster-scale/legacy.sh [N ...]     (default: 2 4 8 16)
# Needs root, ss(8) and Debian's glusterfs-server (scripts/install-deps.sh --bench).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/lib/common.sh"
. "$top/bench/lib/stock.sh"

counts=()
while [ $# -gt 0 ]; do
    case "$1" in
    -h | --help) sed -n '/^# Usage/,/^# Needs/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) counts+=("$1") ;;
    *) echo "legacy: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ ${#counts[@]} -gt 0 ] || counts=(2 4 8 16)
for n in "${counts[@]}"; do
    [ "$n" -ge 2 ] && [ "$n" -le 250 ] || { echo "legacy: N must be 2..250 (127.1.1.N), not $n" >&2; exit 2; }
done
if why=$(stock_why); then
    echo "legacy: not measured: $why"
    exit 1
fi

PFX=127.1.1
HZ=$(getconf CLK_TCK)
FMT="%4s %-7s %8s %7s %7s %11s\n"
T=$(mktemp -d /tmp/bench-legacy.XXXXXX)
B=$T/bricks
MOUNTED=0
CUR_N=0

# Stops every stock process of the current N (glusterds and bricks), by PID.
stop_cluster() {
    local i dirs=()
    for i in $(seq 1 "$CUR_N"); do dirs+=("$T/gd$i"); done
    stock_stop "${dirs[@]}"
    CUR_N=0
}

cleanup() {
    trap - EXIT INT TERM
    stop_cluster
    [ $MOUNTED = 1 ] && umount "$B" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SCLI() { # SERVER ARGS...
    local i=$1
    shift
    timeout 300 "$STOCK_SBIN/gluster" --mode=script --wignore \
        --glusterd-sock="$T/gd$i/run/glusterd.socket" --log-file="$T/gd$i/log/cli.log" "$@"
}

# Starts glusterds 1..N ($1) in parallel, each with its own ten brick ports from
# base port $2. Returns 1 when one did not start.
start_cluster() {
    local n=$1 base=$2 i ok=0
    CUR_N=$n
    for i in $(seq 1 "$n"); do
        stock_glusterd_start "$T/gd$i" "$PFX.$i" $((base + 10 * i)) $((base + 10 * i + 9)) &
    done
    for i in $(seq 1 "$n"); do wait -n || ok=1; done
    return $ok
}

gd_pids() {
    local i
    for i in $(seq 1 "$CUR_N"); do stock_glusterd_pid "$T/gd$i"; done
}

# Total CPU ticks of all glusterds.
cpu_total() {
    local p t=0
    for p in $(gd_pids); do t=$((t + $(cpu_ticks "$p"))); done
    echo $t
}

# "LOCAL PEER DATA_SEGS_OUT" for every TCP socket owned by a glusterd.
tcp_segs() {
    ss -Htinp 2>/dev/null | awk -v pids=" $(gd_pids | tr '\n' ' ') " '
        /^[^ \t]/ {key = $4 " " $5; keep = 0
                   if (match($0, /pid=[0-9]+/)) keep = index(pids, " " substr($0, RSTART + 4, RLENGTH - 4) " ") > 0
                   next}
        keep && match($0, /data_segs_out:[0-9]+/) {print key, substr($0, RSTART + 14, RLENGTH - 14); keep = 0}'
}

# Segments sent between snapshot files $1 (before) and $2 (after).
segs_delta() {
    awk 'FILENAME == ARGV[1] {b[$1 " " $2] = $3; next} {d = $3 - b[$1 " " $2]; if (d > 0) s += d} END {print s + 0}' "$1" "$2"
}

# True when every glusterd of 1..N ($1) shows N-1 connected peers.
all_connected() {
    local n=$1 i c
    for i in $(seq 1 "$n"); do
        c=$(SCLI "$i" peer status 2>/dev/null | grep -c 'Peer in Cluster (Connected)')
        [ "$c" = $((n - 1)) ] || return 1
    done
}

# Probes servers 2..N from server 1 and waits (up to 300 s) until all are connected.
probe_all() {
    local n=$1 i
    for i in $(seq 2 "$n"); do
        SCLI 1 peer probe "$PFX.$i" > /dev/null 2>> "$T/errors" || { echo "legacy: peer probe $PFX.$i failed" >> "$T/errors"; return 1; }
    done
    for _ in $(seq 1 600); do
        all_connected "$n" && return 0
        sleep 0.5
    done
    echo "legacy: N=$n: not all peers connected after 300 s" >> "$T/errors"
    return 1
}

# Runs change $2 (a command and its arguments, from $3 on; its output discarded,
# its errors kept in $T/errors) at N ($1) and prints its row. Returns the
# command's status.
measure() {
    local n=$1 name=$2 c0 c1 t0 t1 rc segs
    shift 2
    tcp_segs > "$T/segs.before"
    c0=$(cpu_total)
    t0=$(now_us)
    "$@" > /dev/null 2>> "$T/errors"
    rc=$?
    t1=$(now_us)
    c1=$(cpu_total)
    tcp_segs > "$T/segs.after"
    segs=$(segs_delta "$T/segs.before" "$T/segs.after")
    printf "$FMT" "$n" "$name$([ $rc = 0 ] || echo '!')" "$(sec $((t1 - t0)))" \
        "$(awk -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {printf "%.2f", c / hz}')" "$segs" \
        "$(awk -v s="$segs" -v n="$n" 'BEGIN {printf "%.1f", s / n}')"
    return $rc
}

# One N: a fresh cluster, the six changes, then everything stopped.
run_n() {
    local n=$1 base i bricks=()
    base=$(pick_port_range $((10 * n + 20))) || { echo "legacy: N=$n: no free ports" >&2; return 1; }
    start_cluster "$n" "$base" || { echo "legacy: N=$n: a glusterd did not start (see above)" >&2; stop_cluster; return 1; }
    for i in $(seq 1 "$n"); do
        mkdir -p "$B/n$n/$i"
        bricks+=("$PFX.$i:$B/n$n/$i")
    done
    measure "$n" probe probe_all "$n" &&
        measure "$n" create SCLI 1 volume create lv "${bricks[@]}" force &&
        measure "$n" set SCLI "$n" volume set lv performance.write-behind off &&
        measure "$n" start SCLI 1 volume start lv &&
        measure "$n" stop SCLI "$n" volume stop lv &&
        measure "$n" delete SCLI 1 volume delete lv
    [ $? = 0 ] || echo "  (N=$n stopped at a failed change: $(tail -1 "$T/errors"))"
    stop_cluster
    rm -rf "${B:?}/n$n"
}

mkdir -p "$B"
mount -t tmpfs -o size=256m tmpfs "$B" || { echo "legacy: cannot mount a tmpfs on $B (run as root)" >&2; exit 1; }
MOUNTED=1
echo "legacy: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -sr)," \
    "stock glusterd $(dpkg-query -W -f='${Version}' glusterfs-server) on $PFX.1..N:24007"
echo "cpu_s: user+system seconds of all glusterds; segs: TCP data segments all glusterds sent"
printf "$FMT" N change wall_s cpu_s segs segs/server
for n in "${counts[@]}"; do run_n "$n"; done
exit 0
