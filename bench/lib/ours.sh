# Runs OUR server for the benchmarks (bash; source it after common.sh): a private
# glusterd from an install prefix with its own working, run and log directories
# under DIR, bound to a given address and port, its bricks on ports above a given
# base, found by DIR on their command line and stopped by PID.
#
#   ours_glusterd_start DIR ADDR PORT BASE_PORT PREFIX
#   ours_cli DIR ARGS...         our gluster CLI (script mode) against DIR's glusterd
#   ours_glusterd_pid DIR
#   ours_brick_pids DIR          running glusterfsd of DIR
#   ours_brick_sock DIR PID      the brick-op socket of brick process PID
#   ours_stop DIR                stops every process of DIR, by PID

OURS_PREFIX=""

# Starts our glusterd from install prefix PREFIX ($5) with directory DIR ($1:
# DIR/work, DIR/run, DIR/log), listening on ADDR:PORT ($2, $3), bricks on ports
# from BASE_PORT ($4) up. Returns 0 when it runs, 1 with a message on stderr.
ours_glusterd_start() {
    local dir=$1 addr=$2 port=$3 base=$4 b
    OURS_PREFIX=$5
    for b in glusterd glusterfsd gluster; do
        [ -x "$OURS_PREFIX/sbin/$b" ] || {
            echo "our server: $OURS_PREFIX/sbin/$b is missing; run ./scripts/build.sh first" >&2
            return 1
        }
    done
    mkdir -p "$dir/work" "$dir/run" "$dir/log"
    "$OURS_PREFIX/sbin/glusterd" --workdir "$dir/work" --rundir "$dir/run" --logdir "$dir/log" \
        --bind "$addr" --port "$port" --base-port "$base" \
        --glusterfsd "$OURS_PREFIX/sbin/glusterfsd" --xlator-dir "$OURS_PREFIX/lib/gfs/xlator" \
        --pid-file "$dir/run/glusterd.pid" || {
        echo "our server: glusterd did not start on $addr:$port (see $dir/log)" >&2
        return 1
    }
}

# Runs our gluster CLI against DIR's glusterd. Returns the CLI's status.
ours_cli() {
    local dir=$1
    shift
    "$OURS_PREFIX/sbin/gluster" --mode=script --glusterd-sock "$dir/run/glusterd.socket" "$@"
}

# PID of DIR's glusterd, from its pid file, when that process runs and names DIR on
# its command line (a stale pid file's PID may belong to another process).
ours_glusterd_pid() {
    local pid
    pid=$(cat "$1/run/glusterd.pid" 2>/dev/null) || return 1
    grep -q -F -a -- "$1/" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

ours_brick_pids() { pids_naming "$1" glusterfsd; }

# The brick-op socket of brick process $2 of DIR ($1): its pid file's path with
# .sock. Returns 1 when no pid file names that PID.
ours_brick_sock() {
    local f
    for f in "$1"/run/bricks/*.pid; do
        [ "$(cat "$f" 2>/dev/null)" = "$2" ] && { echo "${f%.pid}.sock"; return 0; }
    done
    return 1
}

# Stops DIR's glusterd and every brick process of DIR, by PID.
ours_stop() {
    [ -d "$1" ] || return 0
    # shellcheck disable=SC2046
    stop_pids $(ours_glusterd_pid "$1") $(ours_brick_pids "$1")
}
