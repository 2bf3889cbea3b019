"""Settings: typed, from the environment, and refusing insecure production setups."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bff.settings import MagentoSettings, SessionSettings, Settings

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
