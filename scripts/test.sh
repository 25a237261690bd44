#!/usr/bin/env bash
# Runs the whole test suite against real PostgreSQL (and mosquitto / promtool where installed),
# then prints one plain line "N passed, N failed" from the TRX results.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/prepare.sh || exit 1
dotnet build Provisioning.sln -c Release --no-restore -nologo -v quiet || exit 1

results="$root/TestResults"
rm -rf "$results"
status=0
dotnet test Provisioning.sln -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results" \
  --blame-hang --blame-hang-timeout 8m || status=$?

if [ -x scripts/check-alerts.sh ]; then
  ./scripts/check-alerts.sh || status=1
fi

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
echo "${passed} passed, ${failed} failed"
if [ "$passed" -eq 0 ]; then status=1; fi
exit $status
