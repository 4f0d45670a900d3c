#!/usr/bin/env bash
# The README's test command (run by `make test` and .ci/run): lint, types, then the suite on the
# real PostgreSQL and Redis when they answer, and the smoke path on the embedded SQLite defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

# Browser tests use the system Chromium (Playwright cannot download its own here) and PDF tests
# read reports back with pdftotext.
if ! command -v "${CHROMIUM_PATH:-chromium}" >/dev/null || ! command -v pdftotext >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing chromium and poppler-utils (browser and PDF tests need them)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
  else
    echo "Chromium and pdftotext are needed: install the chromium and poppler-utils packages" >&2
    echo "(or set CHROMIUM_PATH to a Chromium binary) and run again." >&2
    exit 1
  fi
fi

export DJANGO_TESTING=1  # settings load without production secrets (mypy's plugin loads them too)
"$BIN/python" scripts/prepare.py  # var/: the test secrets and folders the settings read
echo "== ruff"
"$BIN/ruff" check .
"$BIN/ruff" format --check .
echo "== mypy"
"$BIN/mypy" .
echo "== one door: import contracts and writes outside services"
"$BIN/lint-imports" --no-cache
"$BIN/python" lint/writes.py

answers() { "$BIN/python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 2)" 2>/dev/null; }

status=0
run_pytest() {
  # pytest exits 5 when it collected no test: that is a failure here, never a pass.
  set +e
  "$BIN/python" -m pytest "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "No test ran: failing." >&2; rc=1; fi
  [ $rc -eq 0 ] || status=$rc
}

if answers 5432 && answers 6379; then
  echo "== whole suite on PostgreSQL and Redis"
  DATABASE_URL="$PG_URL" CELERY_BROKER_URL="$REDIS" REQUIRE_REAL_SERVICES=1 run_pytest -p no:cacheprovider
  echo "== smoke path on the embedded defaults (SQLite, file-system broker)"
  (unset DATABASE_URL CELERY_BROKER_URL REDIS_URL; run_pytest -p no:cacheprovider -m smoke
   exit $status) || status=$?
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; one does not answer." >&2
  exit 1
else
  echo "== PostgreSQL or Redis not answering: whole suite on the embedded defaults (SQLite)"
  echo "   (tests marked postgres are left out: they need PostgreSQL's own row locks)"
  unset DATABASE_URL CELERY_BROKER_URL REDIS_URL
  run_pytest -p no:cacheprovider -m "not postgres"
fi
exit $status
