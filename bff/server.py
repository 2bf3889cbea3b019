"""``bff serve``: the production server (uvicorn on uvloop + httptools, one or more workers).

Shutdown is graceful: on SIGTERM/SIGINT the app marks itself not ready (``/readyz`` answers 503,
see ``bff.health.drain_on_signals``), uvicorn stops accepting connections, lets in-flight requests
finish (a running ``checkout`` completes) for up to ``BFF_SERVER__GRACEFUL_TIMEOUT_S``, then runs
the app's lifespan shutdown, which closes the Magento and Redis pools. Kubernetes'
``terminationGracePeriodSeconds`` must be larger than that timeout (k8s/base does this).

Each worker process builds its own app from the environment (``bff.app:app_from_env``), so
settings are validated before the first worker starts, and again in each worker.
"""

from __future__ import annotations

import logging

import uvicorn
from uvicorn.supervisors import Multiprocess

from bff.settings import Settings

log = logging.getLogger("bff.server")
APP = "bff.app:app_from_env"


def uvicorn_config(settings: Settings) -> uvicorn.Config:
    s = settings.server
    return uvicorn.Config(
        APP,
        factory=True,
        host=s.host,
        port=s.port,
        workers=s.workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        timeout_graceful_shutdown=int(s.graceful_timeout_s) if s.graceful_timeout_s else None,
        timeout_keep_alive=int(s.keep_alive_s),
        proxy_headers=False,  # the BFF reads X-Forwarded-For itself, from trusted proxies only
        server_header=False,
        date_header=True,
        access_log=False,  # the BFF logs one structured line per request itself
        log_config=None,
        log_level=settings.log.level.lower(),
    )


def serve(settings: Settings) -> None:
    config = uvicorn_config(settings)
    log.info("bff serve: http://%s:%s (%d worker(s))", config.host, config.port, config.workers)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
