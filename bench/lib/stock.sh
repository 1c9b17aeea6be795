# Runs the STOCK GlusterFS server (Debian's glusterfs-server) beside ours for the
# benchmarks (bash; source it after common.sh). Each stock glusterd gets a
# directory of its own, DIR, holding its glusterd.vol, working directory
# (DIR/work, never /var/lib/glusterd), run directory (DIR/run: pid file, CLI
# socket, brick pid files) and log directory (DIR/log: glusterd, CLI and brick
# logs), and listens on ADDR:24007 only. Every process it leads to is found by
# DIR on its command line and stopped by PID.
#
# Facts of the stock server these helpers follow (glusterfs 10.3):
# - glusterd starts its bricks as `glusterfsd -s HOST` with no port: the brick
#   fetches its volfile from HOST:24007. `peer probe HOST` also dials HOST:24007.
#   So each stock glusterd binds ADDR:24007, and N of them use N addresses
#   (127.1.1.1..N, as upstream's tests/cluster.rc does). A wildcard listener on
#   24007 (a glusterd bound to 0.0.0.0) would take every address: then nothing
#   is started.
# - The brick's unix socket (glusterfsd -S) goes to /var/run/gluster whatever the
#   run directory; its name is a hash of the brick and glusterd's working
#   directory, so it never collides with another's. stock_stop removes those
#   its bricks' logs name.
# - Bricks on the root file system need `force` at volume create; a tmpfs does not.
#
#   stock_why                      prints why the stock server cannot run; 1 if it can
#   stock_glusterd_start DIR ADDR BASE_PORT MAX_PORT
#   stock_cli DIR ARGS...          the stock gluster CLI against DIR's glusterd
#   stock_glusterd_pid DIR
#   stock_brick_pids DIR           running stock glusterfsd of DIR
#   stock_stop DIR...              stops every stock process of each DIR, by PID

STOCK_SBIN=${STOCK_SBIN:-/usr/sbin}
STOCK_PORT=24007

# Prints, on one line, why the stock server cannot run here and returns 0; returns
# 1 (printing nothing) when it can.
stock_why() {
    local b
    if ! dpkg-query -W -f='${Status}' glusterfs-server 2>/dev/null | grep -q "install ok installed"; then
        echo "Debian's glusterfs-server is not installed (scripts/install-deps.sh --bench installs it)"
        return 0
    fi
    for b in glusterd glusterfsd gluster; do
        [ -x "$STOCK_SBIN/$b" ] || { echo "$STOCK_SBIN/$b is missing"; return 0; }
    done
    [ "$(id -u)" = 0 ] || { echo "the stock glusterd needs root"; return 0; }
    return 1
}

# Prints the listeners that hold port 24007 for address $1 (its own or a wildcard).
_stock_port_holders() {
    ss -Hltnp "sport = :$STOCK_PORT" 2>/dev/null |
        awk -v a="$1:$STOCK_PORT" '$4 == a || $4 ~ /^(0\.0\.0\.0|\*|\[::\]):/'
}

# Writes DIR/glusterd.vol: the package's glusterd.vol settings, with DIR's own
# working, run and log directories, socket, address and brick port range.
_stock_write_vol() {
    local dir=$1 addr=$2 base=$3 max=$4
    cat > "$dir/glusterd.vol" <<VOL
volume management
    type mgmt/glusterd
    option working-directory $dir/work
    option run-directory $dir/run
    option logging-directory $dir/log
    option glusterd-sockfile $dir/run/glusterd.socket
    option transport-type socket
    option transport.socket.bind-address $addr
    option transport.socket.listen-port $STOCK_PORT
    option transport.socket.keepalive-time 10
    option transport.socket.keepalive-interval 2
    option transport.socket.read-fail-log off
    option ping-timeout 0
    option event-threads 1
    option base-port $base
    option max-port $max
end-volume
VOL
}

# Starts a stock glusterd for directory DIR ($1, absolute, created if needed)
# listening on ADDR:24007 ($2), its bricks on ports BASE_PORT..MAX_PORT ($3, $4),
# and waits (up to 60 s) until its CLI socket answers. Returns 0 when it serves,
# 1 with a message on stderr saying what failed and what to do.
stock_glusterd_start() {
    local dir=$1 addr=$2 holders
    holders=$(_stock_port_holders "$addr")
    if [ -n "$holders" ]; then
        echo "stock glusterd: $addr:$STOCK_PORT is taken ($holders); stop that process" \
            "(a quickstart, Debian's glusterd service or an earlier benchmark) or use" \
            "another address" >&2
        return 1
    fi
    mkdir -p "$dir/work" "$dir/run" "$dir/log"
    _stock_write_vol "$@"
    if ! "$STOCK_SBIN/glusterd" -f "$dir/glusterd.vol" --log-file="$dir/log/glusterd.log" \
        --pid-file="$dir/run/glusterd.pid"; then
        echo "stock glusterd: did not start on $addr (see $dir/log/glusterd.log)" >&2
        return 1
    fi
    for _ in $(seq 1 600); do
        stock_cli "$dir" volume list > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "stock glusterd: $addr:$STOCK_PORT does not answer its CLI after 60 s" \
        "(see $dir/log/glusterd.log)" >&2
    return 1
}

# Runs the stock gluster CLI (script mode) against DIR's glusterd; its log goes to
# DIR/log/cli.log. Returns the CLI's status.
stock_cli() {
    local dir=$1
    shift
    "$STOCK_SBIN/gluster" --mode=script --wignore --glusterd-sock="$dir/run/glusterd.socket" \
        --log-file="$dir/log/cli.log" "$@"
}

# PID of DIR's stock glusterd, from its pid file, when that process runs and names
# DIR on its command line (a stale pid file's PID may belong to another process).
stock_glusterd_pid() {
    local pid
    pid=$(cat "$1/run/glusterd.pid" 2>/dev/null) || return 1
    grep -q -F -a -- "$1/" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# PIDs of the running stock brick processes of DIR.
stock_brick_pids() { pids_naming "$1" glusterfsd; }

# Stops every stock process of each DIR given (glusterd, bricks, and any glusterfs
# whose command line names DIR) by PID, all at once: SIGTERM, then SIGKILL after
# 10 s (a stock glusterd whose peers are gone may not exit on SIGTERM). Then
# removes from /var/run/gluster the unix sockets of every brick process DIR's
# glusterd ever started (each brick log records its command line, -S included).
# Unmounting is the caller's job.
stock_stop() {
    local dir pids=() s
    for dir in "$@"; do
        [ -d "$dir" ] && mapfile -t -O "${#pids[@]}" pids < <(pids_naming "$dir" "glusterd glusterfsd glusterfs")
    done
    stop_pids "${pids[@]}"
    for dir in "$@"; do
        for s in $(cat "$dir"/log/bricks/*.log 2>/dev/null |
            grep -o -- '-S /var/run/gluster/[0-9a-f]*\.socket' | cut -d' ' -f2 | sort -u); do
            rm -f "$s"
        done
    done
}
