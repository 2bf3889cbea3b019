"""Sandbox ``route(url:)``: URLs resolved as Magento\\UrlRewriteGraphQl\\Model\\Resolver\\Route does
(EntityUrl's lookup: request path, redirects followed, then target path; HomePageUrlLocator for "/")."""

from __future__ import annotations

from typing import Any

import httpx

from bff.sandbox.state import SandboxState
from tests.sandbox.conftest import Gql

ROUTE = """query R($url: String!) { route(url: $url) {
  __typename relative_url redirect_code type
  ... on ProductInterface { sku }
  ... on CategoryTree { url_path }
  ... on CmsPage { identifier title content_heading }
} }"""


async def route(gql: Gql, url: str, headers: dict[str, str] | None = None) -> Any:
    body = await gql(ROUTE, {"url": url}, headers)
    assert "errors" not in body, body
    return body["data"]["route"]


async def test_a_product_url_with_the_product_url_suffix_is_the_product(gql: Gql) -> None:
    assert await route(gql, "joust-duffle-bag.html") == {
        "__typename": "SimpleProduct", "relative_url": "joust-duffle-bag.html", "redirect_code": 0,
        "type": "PRODUCT", "sku": "BAG-001",
    }  # fmt: skip


async def test_a_configurable_products_url_is_the_configurable_product(gql: Gql) -> None:
    found = await route(gql, "chaz-kangeroo-tee.html")
    assert (found["__typename"], found["sku"]) == ("ConfigurableProduct", "TEE-CFG")


async def test_a_leading_slash_is_dropped(gql: Gql) -> None:
    assert (await route(gql, "/joust-duffle-bag.html"))["sku"] == "BAG-001"


async def test_a_product_url_without_the_suffix_is_not_found(gql: Gql) -> None:
    assert await route(gql, "joust-duffle-bag") is None


async def test_a_configurable_child_has_no_url_of_its_own(gql: Gql, state: SandboxState) -> None:
    child = state.products[state.products["TEE-CFG"].variant_skus[0]]
    assert await route(gql, f"{child.url_key}.html") is None


async def test_a_category_url_is_its_url_path_with_the_category_url_suffix(gql: Gql) -> None:
    assert await route(gql, "men/tops-men.html") == {
        "__typename": "CategoryTree", "relative_url": "men/tops-men.html", "redirect_code": 0,
        "type": "CATEGORY", "url_path": "men/tops-men",
    }  # fmt: skip


async def test_a_cms_page_url_is_its_identifier(gql: Gql) -> None:
    assert await route(gql, "about-us") == {
        "__typename": "CmsPage", "relative_url": "about-us", "redirect_code": 0, "type": "CMS_PAGE",
        "identifier": "about-us", "title": "About us", "content_heading": "About us",
    }  # fmt: skip


async def test_the_root_url_is_the_home_page(gql: Gql) -> None:
    """Magento\\CmsUrlRewriteGraphQl's HomePageUrlLocator: "/" is web/default/cms_home_page."""
    found = await route(gql, "/")
    assert (found["identifier"], found["relative_url"]) == ("home", "home")


async def test_an_old_product_url_redirects_permanently_to_the_current_one(gql: Gql) -> None:
    found = await route(gql, "joust-duffel-bag.html")
    assert (found["relative_url"], found["redirect_code"], found["sku"]) == ("joust-duffle-bag.html", 301, "BAG-001")


async def test_a_moved_category_url_redirects_temporarily(gql: Gql) -> None:
    found = await route(gql, "bags.html")
    assert (found["relative_url"], found["redirect_code"], found["url_path"]) == ("gear/bags.html", 302, "gear/bags")


async def test_a_target_path_finds_its_entitys_url(gql: Gql, state: SandboxState) -> None:
    product_id = state.products["BAG-001"].id
    found = await route(gql, f"catalog/product/view/id/{product_id}")
    assert (found["relative_url"], found["redirect_code"]) == ("joust-duffle-bag.html", 0)


async def test_an_unknown_url_is_null(gql: Gql) -> None:
    assert await route(gql, "no-such-page.html") is None


async def test_an_empty_url_is_refused(gql: Gql) -> None:
    body = await gql(ROUTE, {"url": "  "})
    assert (body["errors"][0]["message"], body["errors"][0]["extensions"]["category"]) == (
        '"url" argument should be specified and not empty',
        "graphql-input",
    )


async def test_the_german_store_view_resolves_the_same_urls(gql: Gql) -> None:
    assert (await route(gql, "joust-duffle-bag.html", {"Store": "de"}))["sku"] == "BAG-001"


async def test_a_cms_page_answer_carries_the_pages_cache_tags(http: httpx.AsyncClient, state: SandboxState) -> None:
    """Magento\\CmsGraphQl\\Model\\Resolver\\Page\\Identity: cms_p_<page id>."""
    response = await http.get("/graphql", params={"query": '{ route(url: "about-us") { relative_url } }'})
    assert f"cms_p_{state.cms_pages['about-us'].id}" in response.headers["X-Magento-Tags"].split(",")
