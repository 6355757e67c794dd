#!/usr/bin/env bash
# The data-plane bench with the processes scheduled as on a reader's desktop (Linux, root, by hand):
#  - one scheduling group: Playwright starts Chromium in a session of its own, and with the kernel's
#    autogroups the CPUs are then shared between sessions rather than processes, so the host waits
#    for Chromium's whole group; Electron's renderer and utility process share the app's session.
#    The autogroup switch is turned off for the run and restored after it;
#  - Chromium without the root-only priority raise (bench/chromium-unraised.sh).
# Usage: bash bench/data-plane-one-group.sh [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ] || [ ! -w /proc/sys/kernel/sched_autogroup_enabled ]; then
  echo "data-plane-one-group: needs root on Linux (it switches kernel.sched_autogroup_enabled for the run)" >&2
  exit 2
fi
previous=$(cat /proc/sys/kernel/sched_autogroup_enabled)
trap 'echo "$previous" > /proc/sys/kernel/sched_autogroup_enabled' EXIT
echo 0 > /proc/sys/kernel/sched_autogroup_enabled
FLAT_CHROMIUM="$PWD/bench/chromium-unraised.sh" npx tsx bench/data-plane.ts "$@"
