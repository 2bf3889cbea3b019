"""The static floor: a bare Starlette app that answers every request with the same bytes as the
BFF's cached listing, served by uvicorn exactly as ``bff serve`` configures it.

The uvicorn configuration is ``bff.server.uvicorn_config`` itself with only the application swapped,
so the floor cannot drift from the BFF's server settings (uvloop, httptools, no access log, the
same keep-alive and headers). What separates the BFF's cached answer from this floor is then the
BFF's own work, not the server around it.
Usage (the harness starts it): ``python -m bench.floor --port PORT --body FILE``
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.server import uvicorn_config
from bff.settings import ServerSettings, Settings

BODY_ENV = "BENCH_FLOOR_BODY"


def floor_app() -> Starlette:
    """For uvicorn's factory: the bytes come from the file named by ``BENCH_FLOOR_BODY``."""
    body = Path(os.environ[BODY_ENV]).read_bytes()

    async def answer(_: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description="the benchmark's static floor")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", required=True, help="file holding the bytes to answer")
    args = parser.parse_args()
    os.environ[BODY_ENV] = str(Path(args.body).resolve())
    settings = Settings(server=ServerSettings(host="127.0.0.1", port=args.port))
    config = uvicorn_config(settings)
    config.app = "bench.floor:floor_app"  # the same settings, another application
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
