# syntax=docker/dockerfile:1
# Dealership production image: gunicorn serving Django, the same image runs the Celery
# worker and beat (see docker-compose.yml). Configuration comes from the environment
# (see .env.example); uploaded and generated files live in the /data volume.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango; libharfbuzz-subset0 keeps font subsetting fast; WenQuanYi Micro
# Hei renders Chinese in PDFs; gettext compiles the translation catalogues below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei gettext \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
      --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (cached until pyproject.toml changes). `pip install .` installs only
# the dependencies: the code runs from /app.
COPY pyproject.toml README.md* ./
RUN pip install . && rm -rf build *.egg-info

# The code stays owned by root (read-only for the app user); only /data is writable.
COPY . .
RUN chmod 0755 scripts/docker-entrypoint.sh \
 && SECRET_KEY=build-only-not-a-secret DEBUG=0 python manage.py compilemessages \
 && SECRET_KEY=build-only-not-a-secret DEBUG=0 python manage.py collectstatic --noinput \
 && mkdir -p /data/media \
 && chown -R app:app /data

ENV DATA_DIR=/data \
    WEB_CONCURRENCY=3
VOLUME ["/data"]
USER app
EXPOSE 8000

# Plain http inside the container: present the first ALLOWED_HOSTS entry and the proxy's
# https header, so neither host validation nor SECURE_SSL_REDIRECT rejects the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.').replace('*', '') or 'localhost'; r = u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4); sys.exit(0 if r.status == 200 else 1)"]

ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
# Workers: WEB_CONCURRENCY (read by gunicorn). Recycled now and then because WeasyPrint
# grows in long-lived processes.
CMD ["gunicorn", "dealership.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--access-logfile", "-"]
