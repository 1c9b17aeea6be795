#!/bin/sh
# Installs, from Debian's packages, what building and testing the project needs.
# Run as root on Debian 12.
#   (no argument)    build and test packages (what run-tests.sh and CI use)
#   --runtime-only   skips the test-only packages
#   --bench          the build and test packages, plus what bench/ compares against
#                    and drives: the stock GlusterFS server, fio and dbench
set -e
PKGS="build-essential autoconf automake libtool pkg-config rpcsvc-proto
      libtirpc-dev liburcu-dev libssl-dev uuid-dev libcmocka-dev attr
      libcurl4-openssl-dev libjson-c-dev"
TEST_PKGS="psmisc procps iproute2 perl openssl python3 etcd-server etcd-client glusterfs-client"
BENCH_PKGS="glusterfs-server fio dbench"
case "${1:-}" in
"") PKGS="$PKGS $TEST_PKGS" ;;
--runtime-only) ;;
--bench) PKGS="$PKGS $TEST_PKGS $BENCH_PKGS" ;;
*)
    echo "install-deps: unknown argument '$1'; use no argument, --runtime-only or --bench" >&2
    exit 2
    ;;
esac

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: these Debian packages are missing:$missing; run as root (apt-get install$missing)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q $missing >/dev/null

# Stops and disables a service that a package just installed and started, so that
# nothing of it keeps running or starts at boot. $1: the service name. With
# systemd: systemctl; in a container without systemd: its init script, if it has one.
stop_service() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl disable --now "$1" >/dev/null 2>&1 || true
    else
        [ -x "/etc/init.d/$1" ] && { "/etc/init.d/$1" stop >/dev/null 2>&1 || true; }
        command -v update-rc.d >/dev/null && { update-rc.d "$1" disable >/dev/null 2>&1 || true; }
    fi
}

# Debian's etcd-server enables and starts its own etcd on ports 2379/2380. The
# tests and scripts/etcd-cluster.sh run their own members on other ports; that
# service is not ours to keep running.
case " $missing " in
*" etcd-server "*)
    stop_service etcd
    echo "install-deps: Debian's etcd service is stopped and disabled (ours use other ports)"
    ;;
esac

# Debian's glusterfs-server enables and starts the stock glusterd (port 24007, state
# in /var/lib/glusterd) and glustereventsd. bench/lib/stock.sh runs its own stock
# glusterds, each with its own working, run and log directories and address; the
# system-wide ones would hold port 24007 and are not ours to keep running.
case " $missing " in
*" glusterfs-server "*)
    stop_service glusterd
    stop_service glustereventsd
    echo "install-deps: Debian's glusterd service is stopped and disabled (bench/ runs its own)"
    ;;
esac
