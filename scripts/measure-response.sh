#!/usr/bin/env bash
# Manual measurement (not part of CI) of response actions: audit log append+fsync rate, verify
# speed, and automatic endSession latency against the simulator's REST emulation over loopback TLS.
# Needs the shaded jar: mvn -B -q -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
java -cp "$root/app/target/leakwatch.jar" "$root/scripts/ResponseMeasure.java" 2>/dev/null
