#!/usr/bin/env bash
# Chromium without CAP_SYS_NICE, for bench/data-plane-one-group.sh. Run as root (as here), Chromium
# raises its compositor and IO threads to nice -8; an ordinary user's browser (or Electron's
# renderer) cannot. Dropping the capability from the bounding set makes root's Chromium behave alike.
exec setpriv --bounding-set -sys_nice --inh-caps -sys_nice "${FLAT_CHROMIUM_REAL:-/usr/bin/chromium}" "$@"
