#!/bin/bash
# Installs what the tests need, builds, runs the unit tests (make check) and the
# regression suite (prove), and ends with one line: "N passed, N failed".
#
# Environment: GF_TEST_FILTER=REGEX runs only the .t files whose path matches.
set -u
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

log() { echo "run-tests: $*"; }

./scripts/install-deps.sh || { log "could not install dependencies"; echo "0 passed, 1 failed"; exit 1; }
log "building into build/ and installing into _install/"
if ! ./scripts/build.sh --enable-werror; then
    log "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
skipped=0

# Unit tests: each cmocka program prints "[  PASSED  ] N test(s)." and, on failure,
# "[  FAILED  ] N test(s)".
log "unit tests (make check)"
make -C build/tests/unit check > build/unit.log 2>&1
unit_rc=$?
for f in build/tests/unit/test-*.log; do
    [ "$(basename "$f")" = test-suite.log ] && continue
    [ -f "$f" ] || continue
    if grep -q '^:test-result: SKIP' "${f%.log}.trs" 2>/dev/null; then
        log "$(basename "$f" .log): skipped ($(tail -1 "$f"))"
        skipped=$((skipped + 1))
        continue
    fi
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$f" | tail -1)
    x=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$f" | tail -1)
    if [ -z "$p" ] && [ -z "$x" ]; then
        log "$(basename "$f" .log): crashed or printed no result"; x=1
    fi
    [ -n "${x:-}" ] && [ "$x" != 0 ] && { log "$(basename "$f" .log): $x failed"; sed -n '/FAILED\|ERROR/p' "$f" | head -10; }
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${x:-0}))
done

if [ $unit_rc -ne 0 ] && [ $failed -eq 0 ]; then
    log "make check failed before any test reported a failure; see build/unit.log:"
    tail -20 build/unit.log
    failed=$((failed + 1))
fi

# Regression suite: every TAP "ok"/"not ok" line of every .t counts; a .t that
# dies before its plan counts as one failure.
log "regression suite (prove)"
tests=$(find tests/basic tests/bugs -name '*.t' 2>/dev/null | sort | grep -E "${GF_TEST_FILTER:-.}")
for t in $tests; do
    out=$(timeout 600 prove -v "$t" 2>&1)
    rc=$?
    ok=$(echo "$out" | grep -c '^ok ')
    nok=$(echo "$out" | grep -c '^not ok ')
    if [ $rc -ne 0 ] && [ "$nok" -eq 0 ]; then nok=1; fi
    if [ $rc -ne 0 ]; then
        log "FAIL $t"
        echo "$out" | grep -E '^not ok|^#|Bail out' | head -30
    else
        log "ok   $t ($ok checks)"
    fi
    passed=$((passed + ok))
    failed=$((failed + nok))
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
