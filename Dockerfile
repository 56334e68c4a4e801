# syntax=docker/dockerfile:1
# Production image of the portal. By default it serves the site with gunicorn on port 8000; the same
# image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_STORAGE_ROOT=/data/private

# Libraries WeasyPrint loads at run time (Pango, HarfBuzz with its font subsetter) and a base font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies in their own layer, so a code change does not reinstall them. The versions are the
# ones CI tested (constraints.txt). The code is not pip-installed: it runs from /app (PYTHONPATH),
# where the templates, static files and data files sit beside it.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -c constraints.txt -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .

# Static files are collected at build time (hashed and compressed by WhiteNoise). The key only
# satisfies DEBUG=false for this one command; the real SECRET_KEY comes from the environment.
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only ALLOWED_HOSTS=localhost \
        PUBLIC_BASE_URL=https://collectstatic.invalid \
        python manage.py collectstatic --noinput \
 && mkdir -p /app/var /data/private \
 && chown -R portal:portal /app/var /data/private

USER portal
EXPOSE 8000

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60", \
     "--access-logfile", "-"]
