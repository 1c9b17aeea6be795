#!/bin/bash
# Builds the libFuzzer targets of tests/fuzz (clang, AddressSanitizer and
# UndefinedBehaviorSanitizer over the whole library code) in build-fuzz/ and runs
# each one for a bounded time. Fails when any target crashes, leaks, times out on
# one input or exceeds its memory limit; the input that did it is saved under
# build-fuzz/crashes/ (replay it with `build-fuzz/tests/fuzz/TARGET FILE`).
#
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]   (default: 30 seconds, every target)
# The seed corpora in tests/fuzz/corpus/ are only read; what the fuzzers learn
# goes to build-fuzz/corpus/ and is reused by the next run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
secs=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-"fuzz-record fuzz-rpc-msg fuzz-dict fuzz-gfx-dict fuzz-fop-req fuzz-volfile fuzz-handshake"}
case $secs in
    '' | *[!0-9]*) echo "fuzz: SECONDS must be a number, not '$secs'" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)" >&2; exit 2; }

bdir=$top/build-fuzz
log=$bdir/build.log
mkdir -p "$bdir/crashes"
: > "$log"
step() {
    if ! "$@" >> "$log" 2>&1; then
        echo "fuzz: '$*' failed; the end of $log:" >&2
        tail -30 "$log" >&2
        exit 1
    fi
}
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    step ./autogen.sh
fi
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
cd "$bdir" || exit 1
if [ ! -f Makefile ] || [ ../configure -nt Makefile ]; then
    step ../configure --enable-fuzz --enable-static --disable-shared CC=clang \
        CFLAGS="-g -O1 -fno-omit-frame-pointer $san"
fi
# Only what the targets link: the other programs need not build for fuzzing.
for dir in libglusterfs/src rpc tests/fuzz; do
    step make -C "$dir" -j"$(nproc)"
done

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for t in $targets; do
    [ -x "tests/fuzz/$t" ] || { echo "fuzz: no target '$t'" >&2; failed=$((failed + 1)); continue; }
    mkdir -p "corpus/$t"
    tlog=$bdir/$t.log
    "tests/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$bdir/crashes/$t-" \
        "corpus/$t" "$top/tests/fuzz/corpus/$t" > "$tlog" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tlog")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tlog")
    if [ $rc -ne 0 ]; then
        echo "fuzz: FAIL $t (exit $rc); from $tlog:"
        grep -E 'ERROR|invariant broken|runtime error|SUMMARY|Test unit written' "$tlog" | head -8
        grep -E '^ +#[0-9]+ ' "$tlog" | grep -v -E 'fuzzer::|__sanitizer|__asan|__interceptor|libc_start|_start' | head -8
        failed=$((failed + 1))
    else
        echo "fuzz: ok   $t: ${runs:-?} runs, ${rate:-?} exec/s, corpus $(find "corpus/$t" -type f | wc -l) inputs"
    fi
done
if [ $failed -ne 0 ]; then
    echo "fuzz: $failed target(s) failed"
    exit 1
fi
echo "fuzz: every target ran ${secs}s without a failure"
