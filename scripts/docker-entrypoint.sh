#!/bin/sh
# Container entrypoint: make sure the data folders exist, migrate when asked, then run the
# command (gunicorn by default; celery worker/beat in docker-compose.yml).
#
# MIGRATE_ON_START: 1 = run `manage.py migrate` first, 0 = never,
#                   auto (default) = only when the command is gunicorn (the web server).
# docker-compose.yml migrates in a one-shot `migrate` service and sets it to 0.
set -eu

data_dir=${DATA_DIR:-/data}
mkdir -p "$data_dir/media"

migrate=${MIGRATE_ON_START:-auto}
if [ "$migrate" = auto ]; then
  case "${1:-}" in
    gunicorn|*/gunicorn) migrate=1 ;;
    *) migrate=0 ;;
  esac
fi
if [ "$migrate" = 1 ]; then
  python manage.py migrate --noinput
fi

exec "$@"
