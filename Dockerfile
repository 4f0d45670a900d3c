# Production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_VAR_DIR=/srv/var
# WeasyPrint needs pango/harfbuzz and fonts to render the PDF reports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      libffi8 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.in -c requirements/constraints.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only FIELD_ENCRYPTION_KEYS=build-only PERSON_HASH_KEY=build-only \
    SITE_URL=https://build.invalid EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
    python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /srv trial && mkdir -p /srv/var/media && chown -R trial /srv
USER trial
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
