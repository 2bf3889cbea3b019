"""The ``bff`` command line: ``bff dev`` (the BFF with the Magento sandbox in-process), ``bff sandbox``,
``bff serve``, ``bff documents build`` (a trusted-document manifest), ``bff schema diff|release`` and
``bff events list|show|replay|purge``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bff.sandbox.faults import Fault, FaultPlan
from bff.sandbox.state import SandboxConfig

if TYPE_CHECKING:
    from bff.settings import Settings


def _split(spec: str, flag: str) -> tuple[str, str]:
    op, sep, value = spec.partition("=")
    if not op:
        raise argparse.ArgumentTypeError(f"{flag} expects OPERATION=VALUE, got {spec!r}")
    return op, value if sep else ""


def fault_plan_from_args(args: argparse.Namespace) -> FaultPlan:
    """Turn the fault flags into a plan; OPERATION is an operationName, a root field or '*'."""
    plan = FaultPlan(seed=args.fault_seed)

    def fault(op: str) -> Fault:
        return plan.faults.setdefault(op, Fault())

    try:
        for spec in args.latency:
            op, value = _split(spec, "--latency")
            base, _, jitter = value.partition("+")
            fault(op).latency_ms, fault(op).jitter_ms = float(base), float(jitter or 0)
        for spec in args.error_rate:
            op, value = _split(spec, "--error-rate")
            rate, _, kind = value.partition(":")
            fault(op).error_rate = float(rate)
            fault(op).error = kind or "http503"  # type: ignore[assignment]
        for op in args.hang:
            fault(op).hang = True
        for op in args.drop:
            fault(op).drop = True
        for spec in args.lose_response:
            op, mode = _split(spec, "--lose-response")
            fault(op).lose_response = mode or "drop"  # type: ignore[assignment]
        for op, f in plan.faults.items():
            plan.faults[op] = Fault.from_json(f.to_json())  # re-validate
    except ValueError as exc:
        raise SystemExit(f"bff sandbox: bad fault flag: {exc}") from exc
    return plan


def _add_sandbox_flags(parser: argparse.ArgumentParser, default_port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=default_port, help=f"port (default {default_port})")
    parser.add_argument("--seed", type=int, default=2024, help="catalog seed (default 2024)")
    parser.add_argument(
        "--token-lifetime",
        type=int,
        default=60,
        metavar="MINUTES",
        help="customer token lifetime in minutes (default 60, as Magento)",
    )
    parser.add_argument("--fake-clock", action="store_true", help="run on a clock moved only by POST /__sandbox/clock")
    store = parser.add_argument_group(
        "store configuration (Magento's defaults; POST /__sandbox/config changes them live)"
    )
    store.add_argument(
        "--show-out-of-stock", action="store_true", help="list out-of-stock products and variants (default: hidden)"
    )
    store.add_argument("--no-guest-checkout", action="store_true", help="refuse guest checkout (default: allowed)")
    store.add_argument(
        "--payment-methods",
        default="checkmo,free",
        metavar="CODES",
        help="enabled payment methods, comma-separated, of checkmo,banktransfer,free (default checkmo,free)",
    )
    store.add_argument(
        "--shipping-methods",
        default="flatrate",
        metavar="CODES",
        help="enabled carriers, comma-separated, of flatrate,freeshipping (default flatrate)",
    )
    store.add_argument("--max-sale-qty", default="10000", metavar="QTY", help="maximum quantity per line (10000)")
    store.add_argument(
        "--enable-agreements", action="store_true", help="show the terms and conditions (checkoutAgreements)"
    )
    parser.add_argument(
        "--cache-hook",
        metavar="URL",
        help="send catalog changes to this BFF hook (e.g. http://127.0.0.1:8000/hooks/magento/cache), "
        "signed with $BFF_CACHE__WEBHOOK_SECRET",
    )
    group = parser.add_argument_group("fault injection (OP = operationName, root field or '*')")
    group.add_argument("--latency", action="append", default=[], metavar="OP=MS[+JITTER]")
    group.add_argument("--error-rate", action="append", default=[], metavar="OP=RATE[:graphql|http500|http503]")
    group.add_argument("--hang", action="append", default=[], metavar="OP")
    group.add_argument("--drop", action="append", default=[], metavar="OP")
    group.add_argument("--lose-response", action="append", default=[], metavar="OP[=drop|hang]")
    group.add_argument("--fault-seed", type=int, default=7)


def sandbox_config_from_args(args: argparse.Namespace) -> SandboxConfig:
    """The sandbox's store configuration from ``bff sandbox``'s flags (Magento's defaults without them)."""
    from bff.sandbox.config_admin import ConfigInputError, changed_config

    def codes(text: str) -> list[str]:
        return [code.strip() for code in text.split(",") if code.strip()]

    try:
        return changed_config(
            SandboxConfig(seed=args.seed, customer_token_lifetime_minutes=args.token_lifetime),
            {
                "show_out_of_stock": args.show_out_of_stock,
                "guest_checkout_enabled": not args.no_guest_checkout,
                "payment_methods": codes(args.payment_methods),
                "shipping_methods": codes(args.shipping_methods),
                "max_sale_qty": args.max_sale_qty,
                "enable_agreements": args.enable_agreements,
            },
        )
    except ConfigInputError as exc:
        raise SystemExit(f"bff sandbox: {exc}") from exc


def run_sandbox(args: argparse.Namespace) -> None:
    import uvicorn

    from bff.sandbox import create_sandbox_app
    from bff.sandbox.clock import FakeClock, SystemClock
    from bff.sandbox.seed import seeded_state

    config = sandbox_config_from_args(args)
    clock = FakeClock() if args.fake_clock else SystemClock()
    hook = None
    if args.cache_hook:  # the BFF's invalidation hook, signed with the secret the BFF has
        from bff.sandbox.catalog_admin import CacheHook

        secret = os.environ.get("BFF_CACHE__WEBHOOK_SECRET")
        if not secret:
            raise SystemExit("bff sandbox: --cache-hook needs BFF_CACHE__WEBHOOK_SECRET (the BFF's hook secret)")
        hook = CacheHook(args.cache_hook, secret)
    app = create_sandbox_app(seeded_state(config, clock), fault_plan_from_args(args), cache_hook=hook)
    print(f"Magento sandbox: http://{args.host}:{args.port}/graphql", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


def run_dev(args: argparse.Namespace) -> None:
    import uvicorn

    from bff.app import create_app
    from bff.observability.logging import configure_logging
    from bff.persisted.manifests import ManifestError
    from bff.settings import Settings

    settings = Settings(environment="development")
    # Readable console lines unless BFF_LOG__JSON is set explicitly (then the JSON of `bff serve`).
    log = (
        settings.log
        if "json_output" in settings.log.model_fields_set
        else settings.log.model_copy(update={"json_output": False})
    )
    configure_logging(log, trace_ids=settings.tracing.enabled)
    # With the hook on and a secret set, the built-in sandbox's catalog admin endpoint purges this BFF's cache.
    hook_on = settings.cache.hook_enabled and settings.cache.webhook_secret is not None
    hook_url = f"http://{args.host}:{args.port}/hooks/magento/cache" if hook_on else None
    try:
        app = create_app(settings, sandbox_hook_url=hook_url)
    except ManifestError as exc:
        raise SystemExit(f"bff dev: {exc}") from None
    magento = settings.magento.url or "the built-in Magento sandbox (in-process)"
    print(f"bff dev: storefront GraphQL API and GraphiQL at http://{args.host}:{args.port}/graphql", flush=True)
    print(f"         Magento: {magento}; sessions: {'Redis' if settings.redis_url else 'in-process'}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=log.level.lower(), log_config=None, access_log=False)


def _settings_or_exit() -> Settings:
    """The settings from the environment; invalid ones end the command with a readable message."""
    from pydantic import ValidationError

    from bff.settings import Settings, describe_settings_error

    try:
        return Settings()
    except ValidationError as exc:
        raise SystemExit(describe_settings_error(exc)) from None


def run_serve(args: argparse.Namespace) -> None:
    from bff.observability.logging import configure_logging
    from bff.persisted.manifests import ManifestError, trusted_documents
    from bff.server import serve

    settings = _settings_or_exit()
    try:
        trusted_documents(settings.persisted_queries)  # each worker loads them again; refuse bad ones now
    except ManifestError as exc:
        raise SystemExit(f"bff serve: {exc}") from None
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers)) if v}
    if overrides:
        settings = settings.model_copy(update={"server": settings.server.model_copy(update=overrides)})
    # JSON lines by default; each worker configures again in app_from_env
    configure_logging(settings.log, trace_ids=settings.tracing.enabled)
    serve(settings)


def run_documents_build(args: argparse.Namespace) -> None:
    """Validate a client app's documents and write their trusted-document manifest (Apollo format)."""
    import json
    from pathlib import Path

    from bff.graphql.documents_build import build_documents
    from bff.graphql.schema import build_schema
    from bff.magento.operations import operation_costs
    from bff.persisted.manifests import apollo_manifest

    directory = Path(args.dir)
    if not directory.is_dir():
        raise SystemExit(f"bff documents build: {directory} is not a directory")
    build = build_documents(directory, build_schema()._schema, operation_costs(), add_typename=args.add_typename)
    if build.problems:
        for path, problems in sorted(build.problems.items()):
            for problem in problems:
                print(f"{path}: {problem}", file=sys.stderr)
        raise SystemExit(f"bff documents build: {len(build.problems)} invalid file(s), no manifest written")
    if not build.operations:
        raise SystemExit(f"bff documents build: no operations in the .graphql files under {directory}")
    report = sys.stdout if args.out else sys.stderr  # stdout carries the manifest when there is no --out
    for built in build.operations:
        op = built.operation
        print(f"{op.name}\t{op.type}\tsha256={op.id}\tcost={built.cost}\t{built.path}", file=report)
    manifest = json.dumps(apollo_manifest([b.operation for b in build.operations]), indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(manifest, encoding="utf-8")
    else:
        sys.stdout.write(manifest)


def run_schema(args: argparse.Namespace) -> None:
    """``bff schema diff`` (changes against the latest release) and ``bff schema release``."""
    from importlib.metadata import version
    from pathlib import Path

    from bff.graphql.export import current_sdl
    from bff.graphql.versions import releases, schema_changes

    directory = Path(args.versions)
    if args.schema_command == "release":
        target = directory / f"{version('bff')}.graphql"
        if target.exists():
            raise SystemExit(f"bff schema release: {target} exists; bump the version in pyproject.toml first")
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(current_sdl(), encoding="utf-8")
        print(f"froze {target}; add its section to the changelog")
        return
    frozen = releases(directory)
    against = Path(args.against) if args.against else (frozen[-1][1] if frozen else None)
    if against is None:
        print(f"no release frozen under {directory} yet: nothing to compare")
        return
    changes = schema_changes(against.read_text(encoding="utf-8"), current_sdl())
    for change in changes:
        print(change)
    print(f"{len(changes)} change(s) against {against}")
    if any(c.severity == "breaking" for c in changes):
        raise SystemExit(1)


def run_events(args: argparse.Namespace) -> None:
    """``bff events list|show|replay|purge`` against the outbox in ``BFF_REDIS_URL``."""
    from bff.events import cli as events_cli
    from bff.events.admin_redis import OutboxAdmin, OutboxUnavailable, connect

    settings = _settings_or_exit()
    if settings.redis_url is None:
        raise SystemExit("bff events: BFF_REDIS_URL is not set (the outbox lives in Redis)")
    try:
        client = connect(settings.redis_url.get_secret_value())
    except ValueError as exc:  # e.g. a redis+sentinel:// URL
        raise SystemExit(f"bff events: {exc}") from None
    try:
        events_cli.run(args, OutboxAdmin(client), settings.events.stream_maxlen)
    except OutboxUnavailable as exc:
        raise SystemExit(f"bff events: Redis did not answer ({type(exc).__name__})") from None
    finally:
        client.close()


def run_worker(args: argparse.Namespace) -> None:
    import asyncio
    from pathlib import Path

    from bff.observability.logging import configure_logging
    from bff.worker import run_worker_until_stopped

    settings = _settings_or_exit()
    if settings.redis_url is None:
        raise SystemExit("bff worker: BFF_REDIS_URL is required (the outbox is a Redis stream)")
    if settings.events.endpoints and settings.events.secret is None:
        raise SystemExit("bff worker: BFF_EVENTS__SECRET is required to sign deliveries")
    configure_logging(settings.log, trace_ids=False)
    liveness = Path(args.liveness_file) if args.liveness_file else None
    asyncio.run(
        run_worker_until_stopped(settings, metrics_host=args.host, metrics_port=args.port, liveness_file=liveness)
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bff", description="Backend-for-frontend for headless Magento 2.")
    commands = parser.add_subparsers(dest="command", required=True)
    sandbox = commands.add_parser("sandbox", help="serve the Magento sandbox at /graphql")
    _add_sandbox_flags(sandbox, default_port=8080)
    sandbox.set_defaults(run=run_sandbox)
    dev = commands.add_parser("dev", help="the BFF for development, against the built-in Magento sandbox")
    dev.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    dev.set_defaults(run=run_dev)
    prod = commands.add_parser("serve", help="the production server (settings from BFF_* environment variables)")
    prod.add_argument("--host", default=None, help="overrides BFF_SERVER__HOST (default 0.0.0.0)")
    prod.add_argument("--port", type=int, default=None, help="overrides BFF_SERVER__PORT (default 8000)")
    prod.add_argument("--workers", type=int, default=None, help="overrides BFF_SERVER__WORKERS (default 1)")
    prod.set_defaults(run=run_serve)
    worker = commands.add_parser("worker", help="deliver the events outbox to its endpoints (BFF_EVENTS__*)")
    worker.add_argument("--host", default=None, help="the /metrics listener's interface (default BFF_SERVER__HOST)")
    worker.add_argument(
        "--port",
        type=int,
        default=None,
        help="serve /metrics on this port (default BFF_METRICS__PORT; neither: no /metrics)",
    )
    worker.add_argument(
        "--liveness-file", metavar="PATH", help="touched as the delivery loop turns (a liveness probe checks its age)"
    )
    worker.set_defaults(run=run_worker)
    documents = commands.add_parser("documents", help="trusted documents (persisted queries)")
    documents_commands = documents.add_subparsers(dest="documents_command", required=True)
    build = documents_commands.add_parser(
        "build", help="validate every .graphql file under DIR and write their manifest (Apollo format)"
    )
    build.add_argument("dir", metavar="DIR", help="the client app's documents (*.graphql, searched recursively)")
    build.add_argument("--out", metavar="FILE", help="write the manifest here (default: stdout)")
    build.add_argument(
        "--add-typename", action="store_true", help="add __typename to every selection set, as Apollo Client does"
    )
    build.set_defaults(run=run_documents_build)
    schema = commands.add_parser("schema", help="the storefront schema's releases")
    schema_commands = schema.add_subparsers(dest="schema_command", required=True)
    diff = schema_commands.add_parser("diff", help="changes of the current schema against the latest release")
    diff.add_argument("--against", metavar="FILE", help="compare with this SDL instead (default: the latest release)")
    release = schema_commands.add_parser("release", help="freeze the current schema as the project's version")
    for command in (diff, release):
        command.add_argument(
            "--versions", default="schema/versions", help="the frozen releases (default schema/versions)"
        )
        command.set_defaults(run=run_schema)
    events = commands.add_parser("events", help="the outbox: pending and dead-lettered events (BFF_REDIS_URL)")
    from bff.events.cli import add_commands

    add_commands(events)
    events.set_defaults(run=run_events)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main(sys.argv[1:])
