# Kaufrunde: polling or webhook mode chosen by the environment (see README, "Configuration").
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY core core
COPY catalog catalog
COPY social social
COPY orders orders
COPY deals deals
# Install the dependencies into their own virtual environment; the code itself runs from /app.
RUN python -m venv /venv \
    && /venv/bin/pip install /src \
    && /venv/bin/pip uninstall --yes kaufrunde

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 HTTP_HOST=0.0.0.0 HTTP_PORT=8080
RUN useradd --create-home --uid 10001 kaufrunde
WORKDIR /app
COPY --from=build /venv /venv
COPY bot bot
COPY handlers handlers
COPY core core
COPY catalog catalog
COPY social social
COPY orders orders
COPY deals deals
COPY locales locales
RUN mkdir -p /app/var && chown 10001:10001 /app/var
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('HTTP_PORT', '8080')}/healthz\")"]
CMD ["python", "-m", "bot", "run"]
