# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/app/var

# WeasyPrint needs Pango; fonts-dejavu gives the PDFs a font without reaching the internet.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY onlinesafety ./onlinesafety
RUN pip install --no-cache-dir .
COPY . .

# collectstatic only needs settings that import; these throwaway values never reach a running container (the key is
# random because production refuses a weak one).
RUN DJANGO_ENV=production SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --system --home /app onlinesafety && mkdir -p /app/var && chown -R onlinesafety /app/var
USER onlinesafety

EXPOSE 8000
# The access log format and the scrubbing of every log line: onlinesafety/gunicorn_conf.py.
CMD ["gunicorn", "--config", "python:onlinesafety.gunicorn_conf", "onlinesafety.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
