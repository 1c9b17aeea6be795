# Shell helpers shared by the benchmarks in bench/ (bash; source it, do not run
# it): clocks, percentiles and unit formatting, free TCP ports below the test
# suite's range, processes found by a directory on their command line, CPU time
# of a process, and stopping a set of processes by PID.

# Microseconds since the epoch, from bash's own clock (no fork).
now_us() {
    local t=${EPOCHREALTIME/./}
    echo "${t#0}"
}

# Percentile $1 (nearest rank) of the numbers on stdin; "-" when there are none.
pct() {
    sort -n | awk -v p="$1" '{v[NR]=$1} END {if (!NR) {print "-"; exit}
        r = int((p * NR + 99) / 100); if (r < 1) r = 1; print v[r]}'
}

# Microseconds $1 as milliseconds (2 decimals) or seconds; "-" stays "-".
ms() { [ "$1" = - ] && echo - || awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }
sec() { [ "$1" = - ] && echo - || awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000000}'; }

# "A/B" with 2 decimals, or "-" when either is not a positive number.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || a + 0 <= 0 || b + 0 <= 0) print "-";
        else printf "%.2f", a / b }'
}

# True when no TCP socket in any state has port $1 as its local port.
port_free() { [ -z "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; }

# Picks a base port P in 20000..29699 such that P and every 10th port up to P + $1
# are free: below the usual ephemeral range (32768 up) and the test suite's port
# slots (30000 up). Prints P; returns 1 when 50 tries found none.
pick_port_range() {
    local span=$1 p i ok
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % (9700 - span)))
        ok=1
        for i in $(seq 0 10 "$span"); do port_free $((p + i)) || { ok=0; break; }; done
        [ $ok = 1 ] && { echo "$p"; return 0; }
    done
    return 1
}

# PIDs of the processes named one of the words in $2 (their comm) whose command
# line contains the directory $1 followed by a slash. One grep reads every command
# line; the grep itself is not one of the names.
pids_naming() {
    local dir=$1 names=" $2 " f pid comm
    for f in $(grep -l -F -a -- "$dir/" /proc/[0-9]*/cmdline 2>/dev/null); do
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        { read -r comm < "/proc/$pid/comm"; } 2>/dev/null || continue
        case "$names" in *" $comm "*) echo "$pid" ;; esac
    done
}

# User plus system CPU time of process $1 in clock ticks (0 when it is gone).
cpu_ticks() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    s=${s##*) }
    set -- $s
    echo $((${12} + ${13}))
}

# Sends SIGTERM to every PID given, waits up to 10 s for all of them to exit,
# then sends SIGKILL to those left. Only the PIDs given are touched.
stop_pids() {
    local p alive
    [ $# -gt 0 ] || return 0
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for _ in $(seq 1 100); do
        alive=0
        for p in "$@"; do kill -0 "$p" 2>/dev/null && { alive=1; break; }; done
        [ $alive = 0 ] && return 0
        sleep 0.1
    done
    for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
    return 0
}

# Sums over the PIDs given their resident memory, threads, open descriptors and
# listening TCP ports; prints "PROCS RSS_MiB THREADS FDS PORTS", or "0 - - - -"
# when no PID is given.
proc_figures() {
    local p kib=0 thr=0 fds=0 ports listeners
    [ $# -gt 0 ] || { echo "0 - - - -"; return; }
    listeners=$(ss -Hltnp 2>/dev/null)
    for p in "$@"; do
        kib=$((kib + $(awk '/^VmRSS/ {print $2; f = 1} END {if (!f) print 0}' "/proc/$p/status" 2>/dev/null)))
        thr=$((thr + $(ls "/proc/$p/task" 2>/dev/null | wc -l)))
        fds=$((fds + $(ls "/proc/$p/fd" 2>/dev/null | wc -l)))
    done
    ports=$(for p in "$@"; do echo "$listeners" | grep "pid=$p,"; done | awk '{print $4}' | sort -u | wc -l)
    echo "$# $(awk -v k="$kib" 'BEGIN {printf "%.1f", k / 1024}') $thr $fds $ports"
}
