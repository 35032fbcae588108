# supportdesk: build the web app, then a slim Python runtime that serves it with the API.
# (The development machines have no container engine; this file is not exercised by tests.)

FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS python-deps
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /app/backend
COPY backend/pyproject.toml backend/uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY backend/ ./
RUN uv sync --frozen --no-dev

FROM python:3.11-slim-bookworm AS runtime
RUN useradd --system --uid 10001 --home /app supportdesk
WORKDIR /app/backend
COPY --from=python-deps --chown=supportdesk /app/backend /app/backend
COPY --from=web --chown=supportdesk /src/frontend/dist /app/frontend/dist
ENV PATH="/app/backend/.venv/bin:$PATH" \
    HOST=0.0.0.0 PORT=8000 ENVIRONMENT=production SEED_DEMO_DATA=false \
    WEB_DIST_DIR=/app/frontend/dist
USER supportdesk
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/api/v1/health/live')"
CMD ["sh", "-c", "supportdesk migrate && exec supportdesk serve"]
