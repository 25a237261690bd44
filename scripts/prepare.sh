#!/usr/bin/env bash
# Restores the solution (every package as published). Used by README's commands and by .ci/run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ "${1:-}" != "--no-restore" ]; then
  dotnet restore Provisioning.sln -v quiet -nologo
fi
