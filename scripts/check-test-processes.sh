#!/usr/bin/env bash
# Run by the build after a module's tests (verify phase): every process a test started must have been stopped by
# it, also on failure. The test JVMs run with CSO_TEST_RUN=<marker> in their environment, which the processes they
# start inherit (operators, local mode, API servers, etcd, redis-server). Anything still carrying this build's
# marker is listed, stopped (SIGTERM, then SIGKILL after 10 s) and fails the build.
set -uo pipefail
marker="${1:?usage: check-test-processes.sh <marker>}"

leaked() {
  local env pid
  for env in /proc/[0-9]*/environ; do
    pid="${env#/proc/}"; pid="${pid%/environ}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    if grep -qzxF "CSO_TEST_RUN=$marker" "$env" 2>/dev/null; then  # NUL-separated; kernel threads have none
      echo "$pid"
    fi
  done
}

pids=$(leaked)
[[ -z "$pids" ]] && exit 0

echo "Processes started by the tests are still running (each test must stop what it starts):" >&2
for pid in $pids; do
  echo "  $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-300)" >&2
done
kill $pids 2>/dev/null
for _ in $(seq 1 20); do
  sleep 0.5
  [[ -z "$(leaked)" ]] && break
done
remaining=$(leaked)
[[ -n "$remaining" ]] && kill -9 $remaining 2>/dev/null
exit 1
