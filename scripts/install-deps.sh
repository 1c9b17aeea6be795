#!/bin/sh
# Installs, from Debian's packages, what building and testing the project needs.
# Run as root on Debian 12. `--runtime-only` skips the test-only packages.
set -e
PKGS="build-essential autoconf automake libtool pkg-config rpcsvc-proto
      libtirpc-dev liburcu-dev libssl-dev uuid-dev libcmocka-dev attr
      libcurl4-openssl-dev libjson-c-dev"
TEST_PKGS="psmisc procps iproute2 perl etcd-server etcd-client glusterfs-client"
[ "${1:-}" = "--runtime-only" ] || PKGS="$PKGS $TEST_PKGS"

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

# Debian's etcd-server enables and starts its own etcd on ports 2379/2380. The
# tests and scripts/etcd-cluster.sh run their own members on other ports; that
# service is not ours to keep running. With systemd: disable and stop it; in a
# container without systemd: stop it through its init script, and no start at boot.
case " $missing " in
*" etcd-server "*)
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl disable --now etcd >/dev/null 2>&1 || true
    else
        [ -x /etc/init.d/etcd ] && { /etc/init.d/etcd stop >/dev/null 2>&1 || true; }
        command -v update-rc.d >/dev/null && { update-rc.d etcd disable >/dev/null 2>&1 || true; }
    fi
    echo "install-deps: Debian's etcd service is stopped and disabled (ours use other ports)"
    ;;
esac
