#!/bin/sh
# Uplink bytes per device-hour, edge pipeline vs raw streaming, on SKAB valve1 (see BENCHMARKS.md).
# Usage (from device-agent/, after 'mvn test-compile'): bench/uplink.sh [DATA_DIR [SUMMARY_INTERVAL_S]]
set -eu
DATA=${1:-${NANOFLEET_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}/skab-dev/valve1}
../mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.nanofleet.agent.bench.UplinkBytesBench "$DATA" "${2:-10}"
