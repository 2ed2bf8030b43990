# Container image of the FAQ bot: the same gunicorn command as App Service (see
# deployment/infra/azure.bicep), listening on ${PORT:-3978}.
#
#   docker build -t fasttrack-faq-bot .
#   docker run --rm -p 3978:3978 -v faqbot-log:/app/var -e MicrosoftAppType=... \
#       -e MicrosoftAppId=... -e FAQ_LOG_SALT=... fasttrack-faq-bot
#
# Only the runtime code and the knowledge base go in: bot/, intents/ and faq_data/.
# tests/endpoint/test_container_command.py runs the CMD below, so keep it a JSON array
# around one `sh -c` script.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# Dependencies first, so editing the code or the FAQ does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY bot/ bot/
COPY intents/ intents/
COPY faq_data/ faq_data/

# The files stay root-owned and read-only to the process; it writes only the question log
# (SQLite, /app/var: mount a volume there to keep it, or set FAQ_DATABASE_URL for PostgreSQL),
# /tmp, and gunicorn's control socket under the user's home.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin faqbot \
    && mkdir /app/var && chown faqbot /app/var
VOLUME /app/var
USER faqbot

EXPOSE 3978

# slim has no curl: probe with Python's urllib (non-2xx or no answer -> exit 1 -> unhealthy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3978') + '/healthz', timeout=4)"]

CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT:-3978} --worker-class aiohttp.GunicornWebWorker --timeout 600 bot.app:make_app"]
