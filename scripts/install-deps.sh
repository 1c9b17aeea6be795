#!/bin/sh
# Installs, from Debian's packages, what building and testing the project needs.
# Run as root on Debian 12. `--runtime-only` skips the test-only packages.
set -e
PKGS="build-essential autoconf automake libtool pkg-config rpcsvc-proto
      libtirpc-dev liburcu-dev libssl-dev uuid-dev libcmocka-dev attr"
TEST_PKGS="psmisc procps iproute2 perl"
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
