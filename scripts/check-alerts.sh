#!/usr/bin/env bash
# Validates the Prometheus alert rules and runs their unit tests with promtool.
# promtool comes with Debian's `prometheus` package (CI installs it; locally: apt-get install -y prometheus).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rules_dir="$root/observability/prometheus"

if ! command -v promtool >/dev/null 2>&1; then
  echo "check-alerts: promtool not found; install Debian's prometheus package (apt-get install -y prometheus)" >&2
  exit 2
fi

promtool check rules "$rules_dir/cpe-alerts.yml"
# Relative rule_files in the test file resolve against the test file's folder.
promtool test rules "$rules_dir/cpe-alerts.test.yml"
