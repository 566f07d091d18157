#!/usr/bin/env bash
# Starts the product as a user would (`npm start`: build, embedded PostgreSQL, Retell emulator), checks /health and
# /docs, then sends SIGTERM and expects a clean exit. Uses a throwaway data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
# As root, PostgreSQL runs as the postgres user, which must be able to reach its data folder.
chmod 755 "$data"
port=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
log="$data/app.log"
# Job control: the background job gets a process group of its own (its id is $pid), so everything it started, and
# nothing else on the machine, can be signalled.
set -m
# The emulator on a free port with its state in the throwaway folder: never the fixed port or .data/ of a real `npm start`.
env -u DATABASE_URL -u RETELL_API_KEY -u RETELL_MODE PORT="$port" EMBEDDED_PG_DIR="$data/pg" DEV_SECRET_FILE="$data/secret" \
  RETELL_EMULATOR_PORT=0 RETELL_EMULATOR_STATE_DIR="$data/retell-emulator" \
  npm start >"$log" 2>&1 &
pid=$!
set +m
cleanup() { kill -TERM -- "-$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "app exited early:"; cat "$log"; exit 1; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/health" | grep -q '"database":"up"'
curl -fsSL "http://127.0.0.1:$port/docs" | grep -q 'swagger-ui'
grep -q 'local Retell emulator' "$log" || { echo "the log does not say the emulator is in use"; cat "$log"; exit 1; }
curl -fsS "http://127.0.0.1:$port/health" | grep -q '"retell":"emulator"' || { echo "/health does not name the emulator"; exit 1; }

# npm start runs node as a child of npm: signal the node process itself, as an orchestrator would signal PID 1. Its
# pid is in its own log lines; it must belong to the process group started above.
node_pid=$(grep -m1 -o '"pid":[0-9]*' "$log" | cut -d: -f2)
if [ -z "$node_pid" ] || [ "$(ps -o pgid= -p "$node_pid" | tr -d ' ')" != "$pid" ]; then
  echo "cannot find the server this script started (pid ${node_pid:-?}, group $pid)"; cat "$log"; exit 1
fi
kill -TERM "$node_pid"
for _ in $(seq 1 30); do kill -0 "$node_pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$node_pid" 2>/dev/null; then echo "app did not stop on SIGTERM"; cat "$log"; exit 1; fi
grep -q 'shutting down' "$log" || { echo "no graceful shutdown in the log"; cat "$log"; exit 1; }
echo "smoke: npm start served /health and /docs and stopped cleanly"
