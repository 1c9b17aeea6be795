#!/bin/bash
# Installs what is needed, builds, and starts a working single-server system in a
# private directory: glusterd, a volume of two bricks, a file written through the
# project's client and read back. Prints how to stop everything at the end.
#
#   ./quickstart.sh            start (re-running stops the previous quickstart first)
#   ./quickstart.sh stop       stop what the last run started
set -eu
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
QS=${QS_DIR:-/tmp/gfs-quickstart}
PORT=${QS_PORT:-24007}
HOST=127.0.0.1
P=$top/_install

stop_all() {
    [ -d "$QS" ] || return 0
    if [ -x "$P/sbin/gluster" ] && [ -S "$QS/run/glusterd.socket" ]; then
        "$P/sbin/gluster" --mode=script --glusterd-sock "$QS/run/glusterd.socket" volume stop demo >/dev/null 2>&1 || true
    fi
    for f in "$QS"/run/glusterd.pid "$QS"/run/bricks/*.pid; do
        [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
    done
    sleep 1
    mountpoint -q "$QS/bricks" && umount "$QS/bricks"
    rm -rf "$QS"
}

if [ "${1:-}" = stop ]; then
    stop_all
    echo "quickstart: stopped and removed $QS"
    exit 0
fi

echo "== installing dependencies (Debian packages)"
./scripts/install-deps.sh --runtime-only
echo "== building into build/ and installing into _install/"
./scripts/build.sh

stop_all
mkdir -p "$QS"/{work,run,log,bricks}
# Bricks on a small tmpfs, so they are not on the root file system.
mount -t tmpfs -o size=256m tmpfs "$QS/bricks"
mkdir -p "$QS/bricks/b1" "$QS/bricks/b2"

gluster() { "$P/sbin/gluster" --mode=script --glusterd-sock "$QS/run/glusterd.socket" "$@"; }
gfcli() { "$P/bin/gfcli" -s "$HOST:$PORT" "$@"; }

echo "== starting glusterd (working directory $QS)"
"$P/sbin/glusterd" --workdir "$QS/work" --rundir "$QS/run" --logdir "$QS/log" \
    --bind "$HOST" --port "$PORT" --pid-file "$QS/run/glusterd.pid"

echo "== gluster volume create demo $HOST:$QS/bricks/b1 $HOST:$QS/bricks/b2"
gluster volume create demo "$HOST:$QS/bricks/b1" "$HOST:$QS/bricks/b2"
echo "== gluster volume start demo"
gluster volume start demo

echo "== writing a file through the client (gfcli) and reading it back"
echo "Hello from $(hostname) at $(date -u +%FT%TZ)" > "$QS/hello.txt"
gfcli demo put "$QS/hello.txt" /hello.txt
gfcli demo get /hello.txt "$QS/hello.back"
cmp "$QS/hello.txt" "$QS/hello.back"
echo "read back: $(cat "$QS/hello.back")"
gfcli demo stat /hello.txt

echo "== gluster volume info demo"
gluster volume info demo
echo "== gluster volume status demo"
gluster volume status demo

pids=$(for f in "$QS"/run/bricks/*.pid; do cat "$f"; done 2>/dev/null | sort -u | xargs)
n=$(echo $pids | wc -w)
if [ "$n" = 1 ]; then
    echo "== one brick process (glusterfsd, pid $pids) serves both bricks on one port (multiplexing)"
else
    echo "== $n brick processes (glusterfsd, pids $pids)"
fi

cat <<MSG

The system is running:
  gluster:  $P/sbin/gluster --glusterd-sock $QS/run/glusterd.socket volume info
  client:   $P/bin/gfcli -s $HOST:$PORT demo ls /
  logs:     $QS/log
To stop everything and remove $QS:
  ./quickstart.sh stop
MSG
