# The bff production image. Build from the repository root:
#
#     docker build -t bff:latest .
#
# Stage "builder" installs the project and its runtime dependencies (pyproject.toml, no extras)
# into a virtualenv; stage "runtime" is a clean python:3.11-slim holding only that virtualenv and
# runs `bff serve` as an unprivileged user (UID/GID 10001). The image works with a read-only root
# filesystem: Python writes no bytecode at run time, and only /tmp needs to be writable.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src

# A virtualenv without pip, setuptools or wheel: the runtime gets the application and its
# dependencies only. The base image's pip installs into it (pip --python).
RUN python -m venv --without-pip /opt/venv

COPY pyproject.toml README.md ./
COPY bff/ ./bff/

# Versions come from pyproject.toml. Every dependency ships CPython 3.11 wheels for linux
# amd64/arm64, so this stage needs no compiler. pip byte-compiles what it installs (.pyc files
# are shipped, so a read-only root filesystem costs no start-up time). Plain RUN, no BuildKit
# cache mount: the file builds with any builder (BuildKit, legacy, Podman, Kaniko).
RUN pip --python /opt/venv/bin/python install --no-cache-dir --compile . \
 && /opt/venv/bin/python -c "import bff.cli, uvloop, httptools"


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="bff" \
      org.opencontainers.image.description="Backend-for-frontend for headless Magento 2" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

# An unprivileged user with a fixed numeric UID/GID (Kubernetes' runAsUser matches it), and no
# packaging tools in the final image (nothing installs anything at run time).
RUN groupadd --system --gid 10001 bff \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin bff \
 && python -m pip uninstall --yes --quiet pip setuptools wheel

COPY --from=builder /opt/venv /opt/venv

# An empty, root-owned working directory: Settings also reads a `.env` file from here, and
# there is none in the image.
WORKDIR /app

USER 10001:10001

EXPOSE 8000

# Liveness only (no I/O): /healthz. Python's urllib, because the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('BFF_SERVER__PORT', '8000') + '/healthz', timeout=3)"]

# `bff serve`: uvicorn + uvloop + httptools, graceful shutdown on SIGTERM (bff/server.py).
# Other commands run with e.g. `docker run bff:latest sandbox --host 0.0.0.0`.
ENTRYPOINT ["bff"]
CMD ["serve"]
