#!/bin/sh
# Footprint benchmark of the packaged agent: RSS, CPU share and time to first published message.
# Usage: bench/footprint.sh RATE_HZ DURATION_S [BROKER_PORT]   (from device-agent/, after 'mvn package')
# Runs target/nanofleet-agent.jar with the systemd unit's JVM flags, replaying SKAB valve1/1.csv (8 channels,
# detector on: calibrates on the first 400 samples, then scores every sample) against the MQTT broker on
# 127.0.0.1:BROKER_PORT (default 1883), and prints one line of figures.
set -eu
RATE=${1:?rate in Hz}
DURATION=${2:?duration in seconds}
PORT=${3:-1883}
DATA=${NANOFLEET_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
FLAGS=${NANOFLEET_BENCH_FLAGS:--Xms8m -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
ID="bench-$RATE-$$"
DIR=$(mktemp -d)
INTERVAL=$((1000 / RATE))
cat > "$DIR/agent.conf" <<CONF
device.id = $ID
state.dir = $DIR/state
mqtt.url = mqtt://127.0.0.1:$PORT
sensor.type = csv
sensor.csv.file = $DATA/skab-dev/valve1/1.csv
sensor.sample-interval-ms = $INTERVAL
telemetry.interval-ms = 10000
commands.require-signature = false
CONF
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "nf/v1/d/$ID/#" -C 1 > /dev/null &
SUB=$!
sleep 0.3
START=$(date +%s%N)
java $FLAGS -jar target/nanofleet-agent.jar run --config "$DIR/agent.conf" > "$DIR/agent.log" 2>&1 &
PID=$!
wait $SUB
FIRST=$(( ($(date +%s%N) - START) / 1000000 ))
sleep "$DURATION"
TICKS=$(getconf CLK_TCK)
CPU=$(awk '{print $14 + $15}' /proc/$PID/stat)
ELAPSED=$(( ($(date +%s%N) - START) / 1000000 ))
RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
HWM=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
SAMPLES=$(awk -F': ' '/sensor.samples/ {print $2}' "$DIR/state/status" 2>/dev/null || echo "?")
PHASE=$(awk -F': ' '/detector.phase/ {print $2}' "$DIR/state/status" 2>/dev/null || echo "?")
kill "$PID"; wait "$PID" 2>/dev/null || true
awk -v r="$RATE" -v d="$DURATION" -v f="$FIRST" -v rss="$RSS" -v hwm="$HWM" -v cpu="$CPU" -v t="$TICKS" -v e="$ELAPSED" -v s="$SAMPLES" -v p="$PHASE" \
  'BEGIN { printf "rate_hz=%d duration_s=%d first_message_ms=%d rss_mb=%.1f peak_rss_mb=%.1f cpu_pct_of_one_core=%.2f samples=%s detector=%s\n", r, d, f, rss/1024, hwm/1024, 100*cpu/t/(e/1000), s, p }'
rm -rf "$DIR"
