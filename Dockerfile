# tular API service: `tular serve` (FastAPI + uvicorn) on port 8000.
#
#   docker build -t tular .
#   docker run --rm -p 127.0.0.1:8000:8000 tular                  # embedded SQLite store
#   docker run --rm -p 127.0.0.1:8000:8000 -e TULAR_DB=neo4j://host:7687 \
#       -e TULAR_NEO4J_USER=neo4j -e TULAR_NEO4J_PASSWORD=... tular  # Neo4j store
#
# With Neo4j, prefer `docker compose up` (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

# Shared libraries WeasyPrint loads at run time for PDF reports (Pango, HarfBuzz,
# fontconfig) and a font with Latin coverage for the Indonesian and English editions.
# libharfbuzz-subset0 is optional for WeasyPrint (it falls back to fontTools) but makes
# font subsetting faster.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user that runs the service; its home holds caches (matplotlib, fontconfig)
# and /var/lib/tular is the working directory, so the default embedded store
# (sqlite:///tular.db) and `tular demo` outputs land somewhere writable.
RUN groupadd --system --gid 10001 tular \
    && useradd --system --uid 10001 --gid tular --create-home --home-dir /home/tular \
        --shell /usr/sbin/nologin tular \
    && install -d -o tular -g tular -m 0750 /var/lib/tular

WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY tular/ tular/
COPY graph/ graph/
COPY service/ service/
COPY visualizations/ visualizations/
# (setup.py compiles the message catalogues into the installed package; the odk extra is
# `tular import --from-odk`)
RUN pip install --no-cache-dir ".[odk]" \
    && rm -rf /src/build /src/*.egg-info

USER 10001:10001
WORKDIR /var/lib/tular
ENV HOME=/home/tular \
    MPLCONFIGDIR=/home/tular/.cache/matplotlib

EXPOSE 8000

# /healthz says the process is up (SPEC §7); /readyz would also fail while Neo4j is down,
# which should not get the container restarted. No curl in slim images: use Python.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

CMD ["tular", "serve", "--host", "0.0.0.0", "--port", "8000"]
