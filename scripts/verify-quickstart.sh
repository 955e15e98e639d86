#!/usr/bin/env bash
# Follow the README quick start in a fresh clone: `npm install` (builds dist/ through
# the prepare script), then `npx cam-gateway --demo`; check that a 320x240
# snapshot and a multipart stream come out, and that SIGINT stops it with exit 0.
# Too slow for `npm test` (a full install); run it by hand: scripts/verify-quickstart.sh
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PGID=""
cleanup() {
  if [ -n "$PGID" ]; then kill -TERM -- "-$PGID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '== %s\n' "$*"; }
t0=$(date +%s.%N)
elapsed() { printf '%.1f s' "$(echo "$(date +%s.%N) - $t0" | bc)"; }

step "git clone $REPO"
git clone -q "$REPO" "$WORK/cam-gateway"
cd "$WORK/cam-gateway"

step "npm install (as the README says; uses the npm cache when it can)"
npm install --prefer-offline --no-audit --no-fund --loglevel=error
echo "   installed and built after $(elapsed)"

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
step "npx cam-gateway --demo --listen 127.0.0.1:$PORT"
setsid npx cam-gateway --demo --listen "127.0.0.1:$PORT" >"$WORK/out.log" 2>&1 &
PGID=$!
for _ in $(seq 1 300); do
  grep -q 'open http' "$WORK/out.log" && break
  sleep 0.1
done
grep 'open http' "$WORK/out.log" || { cat "$WORK/out.log"; echo "FAIL: no startup line"; exit 1; }

step "GET /snapshot"
curl -sf "http://127.0.0.1:$PORT/snapshot" -o "$WORK/snap.jpg"
size=$(exiftool -s3 -ImageSize "$WORK/snap.jpg")
echo "   snapshot: $(stat -c %s "$WORK/snap.jpg") bytes, $size"
[ "$size" = "320x240" ] || [ "$size" = "320 240" ] || { echo "FAIL: snapshot is $size"; exit 1; }

step "GET /stream for 2 s"
curl -s --max-time 2 "http://127.0.0.1:$PORT/stream" -o "$WORK/stream.bin" || true
parts=$(grep -c -a 'Content-Type: image/jpeg' "$WORK/stream.bin" || true)
echo "   $parts parts in 2 s"
[ "$parts" -ge 10 ] || { echo "FAIL: expected at least 10 parts"; exit 1; }

step "SIGINT"
node_pid=$(pgrep -g "$PGID" -f 'bin/cam-gateway' | head -1)
ts=$(date +%s%N)
kill -INT "$node_pid"
code=0
wait "$PGID" || code=$?
PGID=""
echo "   exit $code after $(( ($(date +%s%N) - ts) / 1000000 )) ms"
[ "$code" = 0 ] || { cat "$WORK/out.log"; echo "FAIL: exit code $code"; exit 1; }
echo "OK: quick start works from a fresh clone ($(elapsed) in all)"
