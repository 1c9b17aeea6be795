#!/bin/sh
# Builds the project out of tree in build/ and installs it into _install/ (the
# prefix tests and the quickstart run from). Extra arguments go to configure.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] || ./autogen.sh >/dev/null 2>&1 || ./autogen.sh
mkdir -p build
cd build
if [ ! -f Makefile ] || [ ../configure -nt Makefile ]; then
    ../configure --prefix="$top/_install" "$@" >/dev/null
fi
make -j"$(nproc)" >/dev/null
make install >/dev/null
