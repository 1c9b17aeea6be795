#!/bin/bash
# Runs a local etcd cluster (the monitor cluster) on one machine, for trying the
# etcd-backed management plane out and for the regression tests. Every member
# listens on 127.0.0.1 (or --host) on its own pair of ports and keeps its data,
# log and PID under DIR/member-K/ (data/, etcd.log, etcd.pid). It never uses
# etcd's default ports 2379/2380, which Debian's own etcd service may hold.
#
#   etcd-cluster.sh start DIR [--members N] [--base-port P] [--host H] [--fast]
#       starts N members (default 3): member K (1..N) serves clients on port
#       P+2(K-1) and its peers on P+2(K-1)+1 (default P 23790); waits until the
#       cluster is healthy and prints the client URLs, comma-separated (also in
#       DIR/urls). --fast: 25 ms heartbeats and 250 ms elections, for tests.
#       Members allow 4096 operations per transaction ($ETCD_MAX_TXN_OPS
#       overrides it; etcd's own default, 128, limits a volume to about 60
#       bricks: glusterd creates a volume in one transaction).
#   etcd-cluster.sh stop DIR                 stops every member, by PID
#   etcd-cluster.sh stop-member DIR K [SIG]  stops member K (SIG: TERM, or KILL)
#   etcd-cluster.sh start-member DIR K       restarts member K on its data
#   etcd-cluster.sh leader DIR               prints K of the current leader
#   etcd-cluster.sh urls DIR                 prints the client URLs
#
# Needs Debian's etcd-server (etcd) and etcd-client (etcdctl).
set -u

die() {
    echo "etcd-cluster: $*" >&2
    exit 1
}

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

ETCD=${ETCD:-etcd}
ETCDCTL=${ETCDCTL:-etcdctl}
export ETCDCTL_API=3
export ETCD_MAX_TXN_OPS=${ETCD_MAX_TXN_OPS:-4096}

client_port() { echo $((BASE_PORT + 2 * ($1 - 1))); }
peer_port() { echo $((BASE_PORT + 2 * ($1 - 1) + 1)); }
client_url() { echo "http://$HOST:$(client_port "$1")"; }

# Reads DIR/cluster.conf, written by start.
load_conf() {
    [ -f "$DIR/cluster.conf" ] || die "no cluster in $DIR (start one with: $0 start $DIR)"
    # shellcheck disable=SC1091
    . "$DIR/cluster.conf"
}

all_urls() {
    local k urls=""
    for k in $(seq 1 "$MEMBERS"); do
        urls="$urls${urls:+,}$(client_url "$k")"
    done
    echo "$urls"
}

member_pid() {
    local f="$DIR/member-$1/etcd.pid"
    [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

# Whether something listens on TCP port $1 of $HOST.
port_busy() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

start_member() {
    local k=$1 cluster="" j
    local dir="$DIR/member-$k"
    [ -n "$(member_pid "$k")" ] && die "member $k already runs (pid $(member_pid "$k"))"
    for j in $(seq 1 "$MEMBERS"); do
        cluster="$cluster${cluster:+,}m$j=http://$HOST:$(peer_port "$j")"
    done
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    "$ETCD" --name "m$k" --data-dir "$dir/data" \
        --listen-client-urls "$(client_url "$k")" --advertise-client-urls "$(client_url "$k")" \
        --listen-peer-urls "http://$HOST:$(peer_port "$k")" \
        --initial-advertise-peer-urls "http://$HOST:$(peer_port "$k")" \
        --initial-cluster "$cluster" --initial-cluster-state new \
        --initial-cluster-token "$TOKEN" $TIMING \
        >> "$dir/etcd.log" 2>&1 < /dev/null &
    echo $! > "$dir/etcd.pid"
}

# Waits up to $2 s until member $1 is healthy (it has a leader and commits).
wait_healthy() {
    local end=$((SECONDS + $2))
    while [ $SECONDS -lt "$end" ]; do
        "$ETCDCTL" --endpoints "$(client_url "$1")" --command-timeout=1s endpoint health \
            > /dev/null 2>&1 && return 0
        [ -n "$(member_pid "$1")" ] || return 1
        sleep 0.2
    done
    return 1
}

stop_member() {
    local k=$1 sig=${2:-TERM} pid
    pid=$(member_pid "$k") || return 0
    kill -"$sig" "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    rm -f "$DIR/member-$k/etcd.pid"
}

cmd_start() {
    local k p
    MEMBERS=3 BASE_PORT=23790 HOST=127.0.0.1 TIMING=""
    while [ $# -gt 0 ]; do
        case $1 in
        --members) MEMBERS=$2; shift ;;
        --base-port) BASE_PORT=$2; shift ;;
        --host) HOST=$2; shift ;;
        --fast) TIMING="--heartbeat-interval 25 --election-timeout 250" ;;
        *) usage ;;
        esac
        shift
    done
    command -v "$ETCD" > /dev/null || die "no etcd binary: install Debian's etcd-server"
    command -v "$ETCDCTL" > /dev/null || die "no etcdctl: install Debian's etcd-client"
    [ -f "$DIR/cluster.conf" ] && [ -n "$(load_conf; member_pid 1)" ] &&
        die "a cluster already runs in $DIR; stop it first ($0 stop $DIR)"
    for k in $(seq 1 "$MEMBERS"); do
        for p in $(client_port "$k") $(peer_port "$k"); do
            case $p in 2379 | 2380) die "port $p is etcd's default (Debian's service): choose another --base-port" ;; esac
            port_busy "$p" && die "port $p on $HOST is in use: choose another --base-port"
        done
    done
    mkdir -p "$DIR" || die "cannot create $DIR"
    DIR=$(cd "$DIR" && pwd)
    TOKEN="gfs-$(date +%s)-$$"
    printf 'MEMBERS=%s\nBASE_PORT=%s\nHOST=%s\nTOKEN=%s\nTIMING="%s"\n' \
        "$MEMBERS" "$BASE_PORT" "$HOST" "$TOKEN" "$TIMING" > "$DIR/cluster.conf"
    for k in $(seq 1 "$MEMBERS"); do
        start_member "$k"
    done
    for k in $(seq 1 "$MEMBERS"); do
        if ! wait_healthy "$k" 30; then
            echo "etcd-cluster: member $k did not become healthy; the end of $DIR/member-$k/etcd.log:" >&2
            tail -5 "$DIR/member-$k/etcd.log" >&2
            cmd_stop
            exit 1
        fi
    done
    all_urls > "$DIR/urls"
    cat "$DIR/urls"
}

cmd_stop() {
    local k
    for k in $(seq 1 "$MEMBERS"); do
        stop_member "$k" TERM
    done
}

cmd_leader() {
    local k status id leader
    for k in $(seq 1 "$MEMBERS"); do
        [ -n "$(member_pid "$k")" ] || continue
        status=$("$ETCDCTL" --endpoints "$(client_url "$k")" --command-timeout=1s \
            endpoint status -w fields 2>/dev/null) || continue
        id=$(echo "$status" | sed -n 's/^"MemberID" : //p')
        leader=$(echo "$status" | sed -n 's/^"Leader" : //p')
        if [ -n "$id" ] && [ "$id" = "$leader" ]; then
            echo "$k"
            return 0
        fi
    done
    die "no member of the cluster in $DIR is the leader now"
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
shift 2
case $CMD in
start) cmd_start "$@" ;;
stop) load_conf; cmd_stop ;;
stop-member) [ $# -ge 1 ] || usage; load_conf; stop_member "$1" "${2:-TERM}" ;;
start-member)
    [ $# -ge 1 ] || usage
    load_conf
    start_member "$1"
    wait_healthy "$1" 30 || die "member $1 did not become healthy; see $DIR/member-$1/etcd.log"
    ;;
leader) load_conf; cmd_leader ;;
urls) load_conf; all_urls ;;
*) usage ;;
esac
