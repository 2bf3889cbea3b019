"""Typed settings, read once from the environment (prefix ``BFF_``, nested with ``__``).

Only ``bff.app.app_from_env`` (and the CLI) instantiate ``Settings()`` from the environment;
everything else receives the object. Tests build ``Settings(environment="test", ...)``.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REDIS_SCHEMES = ("redis://", "rediss://", "redis+sentinel://")


class MagentoSettings(BaseModel):
    model_config = {"frozen": True}

    url: str | None = Field(default=None, description="Magento GraphQL endpoint; unset = built-in sandbox")
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    pool_size: int = 100
    query_retries: int = 1  # extra attempts for queries on transport errors; mutations: never
    default_store: str | None = None  # Magento store view code used when the shopper sends none
    single_flight: bool = True  # identical public reads in flight at once share one upstream call
    # Upstream resilience (bff/magento/client.py): deadlines, retry budget, circuit breaker, in-flight cap.
    request_deadline_s: float = Field(default=10.0, gt=0)  # all upstream work of one GraphQL request
    retry_min_left_s: float = Field(default=0.5, ge=0)  # a retry starts only with this much of the call's deadline left
    retry_backoff_s: float = Field(default=0.05, ge=0)  # first retry's backoff (doubles; jittered in [half, full])
    retry_backoff_max_s: float = Field(default=1.0, ge=0)
    retry_budget_ratio: float = Field(default=0.1, ge=0, le=1)  # retries per retryable call, at most (token bucket)
    retry_budget_burst: float = Field(default=10.0, ge=1)  # retries that may go at once before the ratio applies
    breaker_failures: int = Field(default=5, ge=1)  # consecutive unavailable answers that open the breaker
    breaker_failure_ratio: float = Field(default=0.5, gt=0, le=1)  # …or this share of calls in a window
    breaker_min_calls: int = Field(default=20, ge=1)  # calls in the window before the ratio counts
    breaker_window_s: float = Field(default=10.0, gt=0)
    breaker_cool_down_s: float = Field(default=5.0, gt=0)  # open this long, then one probe goes (half-open)
    max_inflight: int | None = Field(default=None, ge=1)  # upstream calls at once per process; None = pool_size


class SessionSettings(BaseModel):
    model_config = {"frozen": True}

    cookie_name: str = "bff_session"
    idle_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)  # sliding; refreshed on every use
    cookie_secure: bool = True  # `Secure` cookie; development turns it off for http://localhost
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"


class CheckoutSettings(BaseModel):
    model_config = {"frozen": True}

    idempotency_ttl_s: int = 24 * 3600
    lease_s: float = 60.0  # how long a running checkout holds its key before others may resume
    duplicate_wait_s: float = 30.0  # how long a concurrent duplicate waits for the first result
    place_order_timeout_s: float = 30.0  # Magento's placeOrder can be slow (payment, stock, e-mails)
    # how long past place_order_timeout_s an unanswered placeOrder may still run in Magento (never re-sent before)
    place_order_margin_s: float = Field(default=30.0, ge=0)
    settle_poll_s: float = Field(default=0.5, gt=0)  # how often the cart is polled while an earlier attempt settles


class ServerSettings(BaseModel):
    model_config = {"frozen": True}

    host: str = "0.0.0.0"  # noqa: S104 (a server in a container listens on all interfaces)
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)  # processes; on Kubernetes prefer 1 per pod and more pods
    graceful_timeout_s: float = Field(default=25.0, ge=0)  # in-flight requests may finish within this
    keep_alive_s: float = Field(default=5.0, ge=0)


class MetricsSettings(BaseModel):
    model_config = {"frozen": True}

    enabled: bool = True
    port: int | None = Field(default=None, ge=1, le=65535)  # None: /metrics on the main port


class TracingSettings(BaseModel):
    model_config = {"frozen": True}

    enabled: bool = False
    service_name: str = "bff"
    otlp_endpoint: str | None = None  # e.g. http://otel-collector:4318/v1/traces (needs the `otlp` extra)
    sample_ratio: float = Field(default=1.0, ge=0, le=1)


class LogSettings(BaseModel):
    model_config = {"frozen": True}

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_output: bool = Field(default=True, alias="json")
    background: bool = False  # lines written by a thread (a stdout that may block); costs more CPU per line
    sample_ok: float = Field(default=1.0, ge=0, le=1)  # share of OK requests given an access line; errors: all
    # share of response-cache hits answered at the edge (bff.cache.edge) given an access line; metrics count all
    sample_hits: float = Field(default=0.01, ge=0, le=1)


class LimitsSettings(BaseModel):
    """Static limits, checked at admission before anything runs (``QUERY_TOO_COMPLEX``)."""

    model_config = {"frozen": True}

    max_body_bytes: int = Field(default=65_536, ge=1024)  # the HTTP request body
    max_document_bytes: int = Field(default=16_384, ge=256)  # the GraphQL document
    max_tokens: int = Field(default=2_000, ge=50)
    max_depth: int = Field(default=12, ge=2)
    max_aliases: int = Field(default=15, ge=0)  # counted through fragments, as executed
    max_root_fields: int = Field(default=10, ge=1)
    max_directives: int = Field(default=20, ge=0)
    max_cost: int = Field(default=1_000, ge=1)  # requested cost of one operation


class DocumentCacheSettings(BaseModel):
    """The process's cache of parsed and validated GraphQL documents (``bff.document_cache``)."""

    model_config = {"frozen": True}

    max_entries: int = Field(default=1_000, ge=1)  # distinct documents kept (least recently used dropped)
    max_chars: int = Field(default=16_384, ge=0)  # longer documents are parsed per request, never kept


class ApiKeyBudget(BaseModel):
    """A server-to-server partner: its key (sent as ``X-Api-Key``) has a cost budget of its own."""

    model_config = {"frozen": True}

    key: SecretStr
    maximum: int = Field(default=20_000, ge=1)
    restore_rate: float = Field(default=1_000.0, gt=0)


class ThrottleSettings(BaseModel):
    """Cost-budget throttling: a leaky bucket of cost points per client (``THROTTLED``)."""

    model_config = {"frozen": True}

    mode: Literal["enforce", "measure", "off"] = "enforce"  # measure: report, never refuse
    maximum: int = Field(default=2_000, ge=1)  # bucket size (maximumAvailable)
    restore_rate: float = Field(default=100.0, gt=0)  # cost points restored per second
    api_keys: dict[str, ApiKeyBudget] = Field(default_factory=dict)  # partner name → budget


class RateLimitSettings(BaseModel):
    """HTTP rate limits (``limits`` notation, e.g. ``10/minute``), answered with 429 and ``Retry-After``."""

    model_config = {"frozen": True}

    enabled: bool = True
    per_ip: str = "600/minute"
    per_session: str = "300/minute"
    sign_in_per_email: str = "5/minute"  # signIn and signUp, per e-mail address (credential stuffing)
    sign_in_per_ip: str = "20/minute"
    checkout_per_session: str = "30/minute"  # placeOrder and checkout (retries with one key count too)


class PersistedQuerySettings(BaseModel):
    """Automatic persisted queries (Apollo's protocol) and trusted documents (manifests)."""

    model_config = {"frozen": True}

    apq: bool = True
    apq_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    trusted_documents: Literal["off", "allow", "enforce"] = "off"  # enforce: only manifest documents run
    manifests: Annotated[list[str], NoDecode] = Field(default_factory=list)  # paths of manifest files

    @field_validator("manifests", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


class CacheSettings(BaseModel):
    """The response cache of public catalog reads and its invalidation hook (``bff.cache``)."""

    model_config = {"frozen": True}

    enabled: bool = True
    stale_s: int = Field(default=60, ge=0)  # served stale (and refreshed in the background) this long past the TTL
    default_ttl_s: int = Field(default=60, ge=1)  # answers that called no Magento operation ({ __typename })
    memory_entries: int = Field(default=2_000, ge=1)  # the in-process tier (the whole cache without Redis)
    memory_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    memory_ttl_s: float = Field(default=5.0, gt=0)  # how long the in-process tier keeps an entry (with Redis)
    hook_enabled: bool = False  # POST /hooks/magento/cache
    webhook_secret: SecretStr | None = None  # the hook's HMAC secret (production: at least 32 characters)
    replay_window_s: int = Field(default=300, ge=1)  # accepted timestamp skew; a signature is used once


class EventsSettings(BaseModel):
    """Outbound domain events: the Redis Streams outbox and ``bff worker`` (``bff.events``)."""

    model_config = {"frozen": True}

    enabled: bool = False  # write events to the outbox (needs BFF_REDIS_URL to be durable)
    endpoints: dict[str, list[str]] = Field(default_factory=dict)  # event type or "*" -> URLs
    secret: SecretStr | None = None  # Standard Webhooks signing secret, whsec_<base64>
    max_attempts: int = Field(default=8, ge=1)  # then the event goes to the dead-letter stream
    backoff_base_s: float = Field(default=1.0, gt=0)  # exponential backoff with full jitter
    backoff_cap_s: float = Field(default=300.0, gt=0)
    claim_idle_s: float = Field(default=60.0, gt=0)  # pending this long without a heartbeat: a dead worker's
    stream_maxlen: int = Field(default=100_000, ge=1)  # approximate trimming (XADD MAXLEN ~)
    delivery_timeout_s: float = Field(default=5.0, gt=0)  # one HTTP delivery

    @field_validator("secret")
    @classmethod
    def _whsec(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("whsec_"):
            raise ValueError("must be a Standard Webhooks secret: whsec_<base64>")
        return value

    @model_validator(mode="after")
    def _claim_after_delivery(self) -> Self:
        if self.claim_idle_s <= self.delivery_timeout_s:
            raise ValueError("claim_idle_s must exceed delivery_timeout_s (a slow delivery is not a dead worker)")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BFF_", env_nested_delimiter="__", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = "development"
    magento: MagentoSettings = Field(default_factory=MagentoSettings)
    redis_url: SecretStr | None = None  # redis://, rediss:// ; unset = in-process stores
    redis_pool_size: int = Field(default=50, ge=1)  # connections per process; when all are busy, wait
    redis_pool_timeout_s: float = Field(default=2.0, gt=0)  # how long to wait for a free connection
    redis_timeout_s: float = Field(default=0.25, gt=0)  # one command (or connect); a hung Redis fails this fast
    session: SessionSettings = Field(default_factory=SessionSettings)
    checkout: CheckoutSettings = Field(default_factory=CheckoutSettings)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    graphiql: bool = True
    introspection: bool = True
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    document_cache: DocumentCacheSettings = Field(default_factory=DocumentCacheSettings)
    throttle: ThrottleSettings = Field(default_factory=ThrottleSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    persisted_queries: PersistedQuerySettings = Field(default_factory=PersistedQuerySettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    events: EventsSettings = Field(default_factory=EventsSettings)
    webhook_secret: SecretStr | None = None  # POST /hooks/magento/{event} is served when set
    webhook_replay_window_s: int = Field(default=300, ge=1)  # accepted timestamp skew; a signature is used once
    webhook_event_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)  # an event id is handled once this long
    webhook_order_status_ttl_s: int = Field(default=900, ge=1)  # viewer.orders shows an announced status this long
    server: ServerSettings = Field(default_factory=ServerSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    log: LogSettings = Field(default_factory=LogSettings)

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(REDIS_SCHEMES):
            raise ValueError("must start with redis://, rediss:// or redis+sentinel://")
        return value

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Self:
        if self.environment != "production":
            return self
        problems = []
        if self.redis_url is None:
            problems.append("BFF_REDIS_URL is required (sessions must be shared and survive restarts)")
        if self.magento.url is None:
            problems.append("BFF_MAGENTO__URL is required (the sandbox is for development only)")
        if self.introspection:
            problems.append("BFF_INTROSPECTION must be false")
        if self.graphiql:
            problems.append("BFF_GRAPHIQL must be false")
        if "*" in self.cors_origins:
            problems.append("BFF_CORS_ORIGINS must list exact origins, not '*' (credentials are allowed)")
        if not self.session.cookie_secure:
            problems.append("BFF_SESSION__COOKIE_SECURE must be true")
        secret = self.cache.webhook_secret
        if self.cache.hook_enabled and (secret is None or len(secret.get_secret_value()) < 32):
            problems.append("BFF_CACHE__WEBHOOK_SECRET must be at least 32 characters (the hook is enabled)")
        hooks = self.webhook_secret
        if hooks is not None and len(hooks.get_secret_value()) < 32:
            problems.append("BFF_WEBHOOK_SECRET must be at least 32 characters")
        if problems:
            raise ValueError("insecure production settings: " + "; ".join(problems))
        return self


def env_name(loc: tuple[int | str, ...]) -> str:
    """The environment variable behind a settings field path, e.g. ("magento", "url") → BFF_MAGENTO__URL."""
    return "BFF_" + "__".join(str(part).upper() for part in loc if not isinstance(part, int))


def describe_settings_error(exc: ValidationError) -> str:
    """A message for operators that names each bad variable (and never echoes secret values)."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        where = env_name(tuple(error["loc"])) if error["loc"] else "settings"
        lines.append(f"{where}: {error['msg']}")
    return "invalid settings:\n  " + "\n  ".join(lines)
