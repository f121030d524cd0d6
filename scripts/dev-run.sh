#!/usr/bin/env bash
# Development server: migrate, seed the demo store once, then runserver on
# http://127.0.0.1:8000 together with a Celery worker with embedded beat.
# Ctrl-C stops both. Run through `make run` (which installs the venv and compiles the
# translation catalogues first).
#
# Without DATABASE_URL / REDIS_URL / CELERY_BROKER_URL nothing else is needed: the
# database is a SQLite file and the Celery broker a set of folders, both under var/.
# RUN_ADDR overrides the address runserver listens on (default 127.0.0.1:8000).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=.venv/bin/python
CELERY=.venv/bin/celery
HOST_PORT=${RUN_ADDR:-127.0.0.1:8000}
DEMO_USERS="receptionist supervisor manager finance service_advisor customer_care marketing group_exec admin consultant1..consultant8"
DEMO_PASSWORD=demo-pass-2026

if [[ ! -x $PY ]]; then
  echo "error: $PY not found; run 'make run' (or 'make install') instead." >&2
  exit 1
fi

export DEBUG="${DEBUG:-1}"
export PYTHONUNBUFFERED=1
data_dir=${DATA_DIR:-var}
mkdir -p "$data_dir" "$data_dir/media"

# kombu's filesystem transport does not create its folders (settings.py names them).
if [[ -z ${CELERY_BROKER_URL:-} && -z ${REDIS_URL:-} ]]; then
  mkdir -p "$data_dir"/celery/{queue,processed,control,results}
fi

$PY manage.py migrate --noinput
$PY manage.py seed_demo --if-empty

worker_pid=
stop_worker() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $worker_pid ]] && kill -0 "$worker_pid" 2>/dev/null; then
    echo "Stopping the Celery worker (pid $worker_pid)..."
    kill -TERM "$worker_pid" 2>/dev/null || true
    # Warm shutdown finishes the running task; do not hang forever on it.
    for _ in $(seq 1 100); do
      kill -0 "$worker_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$worker_pid" 2>/dev/null; then
      echo "The Celery worker did not stop within 10 s; killing it."
      kill -KILL "$worker_pid" 2>/dev/null || true
    fi
    wait "$worker_pid" 2>/dev/null || true
  fi
  exit "$rc"
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cat <<BANNER

  Dealership (DEBUG) on http://$HOST_PORT/
  Demo logins (password: $DEMO_PASSWORD):
    $DEMO_USERS
  Celery worker with embedded beat starts alongside.  Ctrl-C stops both.

BANNER

"$CELERY" -A dealership worker -B -s "$data_dir/celerybeat-schedule" -l info &
worker_pid=$!

# In the foreground: when it exits (Ctrl-C, error), the EXIT trap stops the worker.
$PY manage.py runserver "$HOST_PORT"
