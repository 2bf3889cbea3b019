"""Typed settings, read once from the environment (prefix ``BFF_``, nested with ``__``).

Only ``bff.app.app_from_env`` (and the CLI) instantiate ``Settings()`` from the environment;
everything else receives the object. Tests build ``Settings(environment="test", ...)``.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class MagentoSettings(BaseModel):
    model_config = {"frozen": True}

    url: str | None = Field(default=None, description="Magento GraphQL endpoint; unset = built-in sandbox")
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 10.0
    pool_size: int = 100
    query_retries: int = 1  # extra attempts for queries on transport errors; mutations: never
    default_store: str | None = None  # Magento store view code used when the shopper sends none


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BFF_", env_nested_delimiter="__", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = "development"
    magento: MagentoSettings = Field(default_factory=MagentoSettings)
    redis_url: SecretStr | None = None  # redis://, rediss:// ; unset = in-process stores
    session: SessionSettings = Field(default_factory=SessionSettings)
    checkout: CheckoutSettings = Field(default_factory=CheckoutSettings)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    graphiql: bool = True
    introspection: bool = True

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
        if problems:
            raise ValueError("insecure production settings: " + "; ".join(problems))
        return self
