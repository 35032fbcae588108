#!/usr/bin/env bash
# Starts the real service for the browser tests: a fresh SQLite database, the demo data, and
# the built web app (run `npm run build` first) served beside /api/v1.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.local/bin:$PATH"
TMP="$(mktemp -d -t supportdesk-e2e-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
if [ ! -f "$here/dist/index.html" ]; then
  echo "frontend/dist is missing: run 'npm run build' before 'npm run e2e'" >&2
  exit 1
fi
cd "$here/../backend"
export DATABASE_URL="sqlite+aiosqlite:///$TMP/e2e.db"
export WEB_DIST_DIR="$here/dist"
export PORT="${E2E_PORT:-8765}"
# Links in mails open this server; its mail catcher takes any free port (one may be running).
export PUBLIC_BASE_URL="http://127.0.0.1:$PORT"
export MAIL_CATCHER_PORT=0
# Uploaded files stay with the database, and go with it (journey o).
export STORAGE_DIR="$TMP/files"
# The gateway sandbox tells the service later what became of a refund (a refund that comes
# back from the bank: journey j), through signed events to the service itself.
export PAYMENT_GATEWAY_WEBHOOK_SECRET="whsec_e2e_sandbox_events"
export PAYMENT_GATEWAY_SANDBOX_EVENTS_URL="/api/v1/payment-gateway/webhooks"
# SLA clocks (journey m): around the clock every day, without holidays, so business time is
# plain time; "low" (which no other journey uses) has a first-response target of seconds, and
# the sweep that marks breaches looks every second.
export SLA_WORKING_DAYS="mon-sun"
export SLA_WORKING_HOURS="00:00-24:00"
export SLA_HOLIDAYS_COUNTRY=""
export SLA_FIRST_RESPONSE_TARGETS="urgent=1h,high=4h,normal=8h,low=5s"
export SLA_CHECK_INTERVAL_SECONDS=1
# A parcel lost in transit (journey s): the order simulator's sandbox moves a shipment back in
# time, and the service's copy of the order lasts a second, not the default thirty.
export ORDER_CACHE_TTL_SECONDS=1
# "Sign in with Example Shop" (journey p): the embedded test identity provider at /sim/idp.
export IDP_SIMULATOR=true
uv run supportdesk migrate
uv run supportdesk seed-demo
# Not exec: the trap above removes the temporary database when the server stops.
mkdir -p "$here/e2e/artifacts"
uv run supportdesk serve >"$here/e2e/artifacts/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
wait "$server"
