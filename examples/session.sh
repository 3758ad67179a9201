#!/usr/bin/env bash
# The README's example session against a running `make run` (or any vocflow server):
# open a ticket with curl, act on it with the CLI, show its history.
#   VOCFLOW_URL (default http://127.0.0.1:8080), VOCFLOW_BIN (default build/app/vocflow)
set -euo pipefail
URL=${VOCFLOW_URL:-http://127.0.0.1:8080}
VOCFLOW=${VOCFLOW_BIN:-build/app/vocflow}
AGENT=dev-agent-li-wei-0001        # development tokens from config/vocflow.yaml
ENGINEER=dev-supervisor-maria-01

echo "== open a ticket (curl)"
curl -sS -X POST "$URL/v1/tickets" \
  -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: readme-$(date +%s%N)" \
  -d '{"customer":"C-1001","channel":"app","category":"app","severity":"high",
       "product":"mobile app 5.2","text":"The app closes when I open my orders"}' \
  | tee /tmp/vocflow-session-open.json
echo
ID=$(sed -E 's/.*"id":"([^"]+)".*/\1/' /tmp/vocflow-session-open.json)

echo "== act on it (CLI)"
export VOCFLOW_URL=$URL
"$VOCFLOW" ticket act "$ID" respond --token "$AGENT" --text "Sorry - which phone do you use?"
"$VOCFLOW" ticket act "$ID" escalate_to_engineering --token "$AGENT" --text "Reproduced on Android 15"
"$VOCFLOW" ticket act "$ID" fix_released --token "$ENGINEER" --text "5.2.1 is out"

echo "== a wrong action says what is possible (409)"
curl -sS -X POST "$URL/v1/tickets/$ID/actions" -H "Authorization: Bearer $AGENT" \
  -d '{"action":"fix_released"}'
echo

echo "== its whole history (CLI)"
"$VOCFLOW" ticket show "$ID" --token "$AGENT"
