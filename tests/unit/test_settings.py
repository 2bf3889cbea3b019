"""Settings: typed, from the environment, and refusing insecure production setups."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bff.settings import MagentoSettings, SessionSettings, Settings, env_name

SECURE: dict[str, object] = {
    "environment": "production",
    "redis_url": SecretStr("redis://redis:6379/0"),
    "magento": MagentoSettings(url="https://magento.example.com/graphql"),
    "introspection": False,
    "graphiql": False,
}


def test_a_complete_production_setup_is_accepted() -> None:
    assert Settings(**SECURE).environment == "production"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"redis_url": None}, "BFF_REDIS_URL"),
        ({"magento": MagentoSettings(url=None)}, "BFF_MAGENTO__URL"),
        ({"introspection": True}, "BFF_INTROSPECTION"),
        ({"graphiql": True}, "BFF_GRAPHIQL"),
        ({"cors_origins": ["*"]}, "BFF_CORS_ORIGINS"),
        ({"session": SessionSettings(cookie_secure=False)}, "BFF_SESSION__COOKIE_SECURE"),
        ({"webhook_secret": SecretStr("short")}, "BFF_WEBHOOK_SECRET"),
    ],
)
def test_production_refuses_each_insecure_setting_by_name(change: dict[str, object], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(**{**SECURE, **change})  # type: ignore[arg-type]


def test_settings_are_read_from_bff_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_MAGENTO__URL", "https://m.example/graphql")
    monkeypatch.setenv("BFF_CORS_ORIGINS", "https://shop.example, https://m.shop.example")
    settings = Settings()
    assert settings.magento.url == "https://m.example/graphql"
    assert settings.cors_origins == ["https://shop.example", "https://m.shop.example"]


def test_development_allows_the_sandbox_and_memory_stores() -> None:
    settings = Settings(environment="development")
    assert settings.redis_url is None
    assert settings.magento.url is None


def test_the_redis_pool_defaults_to_fifty_connections_and_a_two_second_wait() -> None:
    settings = Settings(environment="development")
    assert (settings.redis_pool_size, settings.redis_pool_timeout_s) == (50, 2.0)


def test_the_redis_pool_is_sized_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_REDIS_POOL_SIZE", "12")
    monkeypatch.setenv("BFF_REDIS_POOL_TIMEOUT_S", "0.5")
    settings = Settings()
    assert (settings.redis_pool_size, settings.redis_pool_timeout_s) == (12, 0.5)


@pytest.mark.parametrize(("variable", "value"), [("BFF_REDIS_POOL_SIZE", "0"), ("BFF_REDIS_POOL_TIMEOUT_S", "0")])
def test_a_redis_pool_without_room_or_without_a_bounded_wait_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert [env_name(tuple(e["loc"])) for e in refused.value.errors()] == [variable]
