"""``route(url:)`` end to end: a storefront URL as the product, category or CMS page it shows."""

from __future__ import annotations

from typing import Any

import pytest

from bff.sandbox import Fault, FaultPlan
from tests.storefront_fixtures import Gql

ROUTE = """query Route($url: String!) {
  route(url: $url) {
    __typename relativeUrl redirectCode
    ... on ProductRoute { product { sku name urlKey price { final { value currency } } } }
    ... on CategoryRoute { category { name urlPath level children { urlPath } } }
    ... on CmsPageRoute { page { identifier title contentHeading content metaTitle metaDescription metaKeywords } }
  }
}"""


async def route(gql: Gql, url: str) -> Any:
    body = await gql(ROUTE, {"url": url})
    assert "errors" not in body, body
    return body["data"]["route"]


async def refusal(gql: Gql, url: str) -> tuple[str, str]:
    body = await gql(ROUTE, {"url": url})
    assert body["data"] == {"route": None}
    (error,) = body["errors"]
    return error["extensions"]["code"], error["message"]


async def test_a_product_url_is_the_product_page(gql: Gql) -> None:
    assert await route(gql, "/joust-duffle-bag.html") == {
        "__typename": "ProductRoute",
        "relativeUrl": "/joust-duffle-bag.html",
        "redirectCode": 0,
        "product": {"sku": "BAG-001", "name": "Joust Duffle Bag", "urlKey": "joust-duffle-bag",
                    "price": {"final": {"value": "45.00", "currency": "USD"}}},
    }  # fmt: skip


async def test_a_category_url_is_the_category_with_its_children(gql: Gql) -> None:
    assert await route(gql, "/men/tops-men.html") == {
        "__typename": "CategoryRoute",
        "relativeUrl": "/men/tops-men.html",
        "redirectCode": 0,
        "category": {"name": "Tops", "urlPath": "men/tops-men", "level": 3, "children": [
            {"urlPath": "men/tops-men/jackets-men"}, {"urlPath": "men/tops-men/hoodies-and-sweatshirts-men"},
            {"urlPath": "men/tops-men/tees-men"}, {"urlPath": "men/tops-men/tanks-men"},
        ]},
    }  # fmt: skip


async def test_a_cms_page_url_is_the_page_with_its_content_and_meta(gql: Gql) -> None:
    assert await route(gql, "/privacy-policy-cookie-restriction-mode") == {
        "__typename": "CmsPageRoute",
        "relativeUrl": "/privacy-policy-cookie-restriction-mode",
        "redirectCode": 0,
        "page": {
            "identifier": "privacy-policy-cookie-restriction-mode",
            "title": "Privacy Policy",
            "contentHeading": "Privacy Policy",
            "content": "<p>This privacy policy sets out how this website uses and protects any information that "
            "you give when you use this website.</p>",
            "metaTitle": "Privacy Policy",
            "metaDescription": "Privacy Policy of the Luma demo store.",
            "metaKeywords": "",
        },
    }


async def test_the_root_url_is_the_home_page(gql: Gql) -> None:
    found = await route(gql, "/")
    assert (found["__typename"], found["page"]["identifier"], found["redirectCode"]) == ("CmsPageRoute", "home", 0)


async def test_an_old_product_url_answers_the_product_with_a_permanent_redirect(gql: Gql) -> None:
    found = await route(gql, "/joust-duffel-bag.html")
    assert (found["relativeUrl"], found["redirectCode"], found["product"]["sku"]) == (
        "/joust-duffle-bag.html", 301, "BAG-001"
    )  # fmt: skip


async def test_a_moved_category_url_answers_a_temporary_redirect(gql: Gql) -> None:
    found = await route(gql, "/bags.html")
    assert (found["relativeUrl"], found["redirectCode"], found["category"]["urlPath"]) == (
        "/gear/bags.html", 302, "gear/bags"
    )  # fmt: skip


async def test_query_string_and_fragment_are_ignored(gql: Gql) -> None:
    assert (await route(gql, "/men/tops-men.html?product_list_order=price#top"))["relativeUrl"] == "/men/tops-men.html"


async def test_a_path_without_leading_slash_is_the_same_page(gql: Gql) -> None:
    assert (await route(gql, "joust-duffle-bag.html"))["product"]["sku"] == "BAG-001"


async def test_an_unknown_url_is_null(gql: Gql) -> None:
    assert await gql(ROUTE, {"url": "/no-such-page.html"}) == {"data": {"route": None}}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", '`url` must not be empty (send "/" for the home page).'),
        ("   ", '`url` must not be empty (send "/" for the home page).'),
        ("/" + "a" * 2048, "`url` must be at most 2048 characters."),
        ("https://shop.example.com/joust-duffle-bag.html",
         "`url` must be a path such as `/joust-duffle-bag.html`, without scheme and host."),
        ("//shop.example.com/joust-duffle-bag.html",
         "`url` must be a path such as `/joust-duffle-bag.html`, without scheme and host."),
        ("javascript:alert(1)", "`url` must be a path such as `/joust-duffle-bag.html`, without scheme and host."),
        ("/joust duffle.html", "`url` must not contain spaces or control characters (percent-encode them)."),
    ],
)  # fmt: skip
async def test_a_url_that_is_no_storefront_path_is_bad_user_input_before_magento(
    gql: Gql, faults: FaultPlan, url: str, message: str
) -> None:
    faults.set("route", Fault(error_rate=1.0, error="graphql"))
    assert await refusal(gql, url) == ("BAD_USER_INPUT", message)
