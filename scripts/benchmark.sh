#!/usr/bin/env bash
# Bootstrap-storm benchmark: builds the orchestrator and the benchmark in Release, then runs
#   ./scripts/benchmark.sh [--devices N] [--protocol cwmp|usp|mix] [--concurrency C] [--connect-only N] [--smoke] [--perf] ...
# It starts a private PostgreSQL (temp folder) unless --connection-string is given, starts the orchestrator as its own
# process on free ports, bootstraps the simulated fleet, measures the Marten reference, prints the figures and writes
# benchmark-results/storm-<timestamp>.json (the path is printed at the end).
# --no-build (anywhere in the arguments) skips the Release build.
# Microbenchmarks: ./scripts/benchmark.sh --micro [BenchmarkDotNet args, default --filter '*']
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./scripts/prepare.sh --no-restore >/dev/null

if [[ "${1:-}" == "--micro" ]]; then
  shift
  [[ $# -eq 0 ]] && set -- --filter '*'
  exec dotnet run -c Release --project benchmarks/Micro -- "$@"
fi

build=1
args=()
for a in "$@"; do
  if [[ "$a" == "--no-build" ]]; then build=0; else args+=("$a"); fi
done
set -- "${args[@]+"${args[@]}"}"
# The storm project references the launcher, so this builds src/Launcher (and the orchestrator) in Release too.
if [[ $build == 1 ]] && ! build_log="$(dotnet build -c Release --nologo -v quiet benchmarks/Storm 2>&1)"; then
  echo "$build_log" >&2
  exit 1
fi
# Many sockets at once (10,000 CPE sessions or 20,000 WebSockets, both ends in this box).
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
status=0
dotnet benchmarks/Storm/bin/Release/net10.0/Provisioning.Benchmarks.Storm.dll "$@" || status=$?
# With --perf: the hottest frames of the orchestrator during the storm.
if [[ " $* " == *" --perf "* ]]; then
  data="$(ls -t benchmark-results/perf-*.data 2>/dev/null | head -1 || true)"
  if [[ -n "$data" ]]; then
    perf report -i "$data" --stdio --no-children --sort dso,symbol --percent-limit 0.8 2>/dev/null | grep -v '^$' | grep -v '^#' | grep '%' | head -45 | tee "${data%.data}.txt"
    echo "perf report: ${data%.data}.txt"
  fi
fi
exit $status
