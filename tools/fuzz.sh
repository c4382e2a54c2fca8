#!/usr/bin/env bash
# Fuzz every input surface of garant (tests/fuzz, hypothesis) with N generated inputs per
# property: tools/fuzz.sh [N [MODULE...]]   (default 10000 and every tests/fuzz/test_fuzz_*.py;
# .ci/run calls it with a smaller N).
# The modules run in parallel (FUZZ_JOBS, default: the number of CPUs); each module's
# output goes to $FUZZ_LOGS (default out/fuzz) and a failing module's log is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
shift $(( $# > 0 ? 1 : 0 ))
MODULES=("$@")
[ ${#MODULES[@]} -gt 0 ] || MODULES=(tests/fuzz/test_fuzz_*.py)
JOBS="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"
PY="${PYTHON:-.venv/bin/python}"
LOGS="${FUZZ_LOGS:-out/fuzz}"
mkdir -p "$LOGS"
export GARANT_FUZZ_EXAMPLES="$N" PY LOGS
echo "garant fuzz: $N inputs per property, $JOBS jobs, logs in $LOGS"
start=$(date +%s)
status=0
printf '%s\n' "${MODULES[@]}" | xargs -P "$JOBS" -I{} sh -c '
  log="$LOGS/$(basename "{}" .py).log"
  t0=$(date +%s)
  if "$PY" -m pytest "{}" -m fuzz -q -p no:cacheprovider -p no:logging >"$log" 2>&1; then
    echo "  ok   {} ($(( $(date +%s) - t0 )) s): $(tail -n 1 "$log")"
  else
    echo "  FAIL {} ($(( $(date +%s) - t0 )) s)"; cat "$log"; exit 1
  fi' || status=$?
echo "garant fuzz: finished in $(( $(date +%s) - start )) s"
exit "$status"
