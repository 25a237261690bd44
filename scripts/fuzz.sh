#!/usr/bin/env bash
# Longer fuzzing run of the hostile-input targets (SOAP parser, USP record/message decoder, gRPC request validation).
# The normal test suite runs each target once (over 100,000 inputs in total); this multiplies every count.
#   ./scripts/fuzz.sh [scale]        e.g. ./scripts/fuzz.sh 50   (about 6 million inputs), or FUZZ_SCALE=50
# A failure prints the smallest failing input CsCheck found and the seed to replay it (CsCheck_Seed=<seed>).
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SCALE="${1:-${FUZZ_SCALE:-20}}"
echo "fuzzing with FUZZ_SCALE=${FUZZ_SCALE}"
[ -d .local-nuget ] || ./scripts/prepare.sh
dotnet test tests/Fuzzing --logger "console;verbosity=detailed" "${@:2}"
