# Defined before every shell sample the docs test runs (see shell.ts).
set -euo pipefail
MOCK_PORT="$DOCS_MOCK_PORT"
# The mock `trigger` and `deliveries` reach by default (http://127.0.0.1:4010) is the sample's mock.
export INKLINK_MOCK_URL="http://127.0.0.1:$MOCK_PORT"
SERVED=()
__args() { ARGS=(); local a; for a in "$@"; do ARGS+=("${a//:4010/:$MOCK_PORT}"); done; }
__begin() { printf '\n@@begin %s\n' "$1"; }
__end() { printf '\n@@end %s\n' "$1"; }
curl() {
  __args "$@"; __begin curl; local rc=0
  command curl -sS -w '\n@@status %{http_code}' "${ARGS[@]}" 2>&1 || rc=$?
  __end "$rc"
}
inklink-mock() {
  __args "$@"
  if [ "${ARGS[0]:-}" = serve ]; then __begin serve; __serve "${ARGS[@]:1}"; __end 0; return 0; fi
  __begin cli; local rc=0
  node "$DOCS_CLI" "${ARGS[@]}" 2>&1 || rc=$?
  __end "$rc"
}
npx() {
  if [ "${1:-}" = inklink-mock ]; then shift; inklink-mock "$@"; return 0; fi
  echo "samples test: npx $1 is not something it runs" >&2; return 97
}
npm() {
  if [ "${1:-}" = start ]; then shift; if [ "${1:-}" = -- ]; then shift; fi; inklink-mock serve "$@"; return 0; fi
  echo "samples test: npm $* is not something it runs" >&2; return 97
}
__serve() {
  local log=".served-${#SERVED[@]}.log" pid port deadline
  node "$DOCS_CLI" serve "$@" --port 0 >"$log" 2>&1 &
  pid=$!
  # Waits by the clock, not by a count of tries: a busy machine starts the mock slowly.
  deadline=$((SECONDS + ${DOCS_SERVE_WAIT_S:-60}))
  until grep -q 'listening on' "$log"; do
    kill -0 "$pid" 2>/dev/null || break
    if [ "$SECONDS" -ge "$deadline" ]; then echo "@@serve-timeout ${DOCS_SERVE_WAIT_S:-60}s"; break; fi
    sleep 0.05
  done
  cat "$log"
  port=$(sed -n 's|^inklink-mock listening on http://[^:]*:\([0-9]*\).*|\1|p' "$log" | head -n 1)
  if [ -z "$port" ]; then kill "$pid" 2>/dev/null || true; echo '@@serve-failed'; return 0; fi
  MOCK_PORT=$port
  INKLINK_MOCK_URL="http://127.0.0.1:$port"
  SERVED+=("$pid")
}
__stop() {
  local pid rc
  for pid in "${SERVED[@]}"; do kill -TERM "$pid"; rc=0; wait "$pid" || rc=$?; printf '\n@@served-exit %s\n' "$rc"; done
}
trap __stop EXIT
