#!/usr/bin/env bash
# Packs the Marten stand-in package into .local-nuget/ (needed before the first restore),
# then restores the solution. Used by README's commands and by .ci/run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ ! -f .local-nuget/Patched.DistributedLock.Core.1.0.11.nupkg ]; then
  mkdir -p .local-nuget
  dotnet pack build/shims/Patched.DistributedLock.Core.csproj -o .local-nuget -v quiet -nologo >/dev/null
fi
if [ "${1:-}" != "--no-restore" ]; then
  dotnet restore Provisioning.sln -v quiet -nologo
fi
