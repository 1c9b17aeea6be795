#!/bin/sh
# Builds the project out of tree in build/ and installs it into _install/ (the
# prefix tests and the quickstart run from). Extra arguments go to configure.
# The build's output goes to build/build.log; its tail is shown when a step fails.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p build
log=$top/build/build.log
: > "$log"
step() {
    if ! "$@" >> "$log" 2>&1; then
        echo "build: '$*' failed; the end of $log:" >&2
        tail -40 "$log" >&2
        exit 1
    fi
}
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    step ./autogen.sh
fi
cd build
if [ ! -f Makefile ] || [ ../configure -nt Makefile ]; then
    step ../configure --prefix="$top/_install" "$@"
fi
step make -j"$(nproc)"
step make install
