"""Listings filter by any facet they return, several categories and price buckets; they sort by the store's fields."""

from __future__ import annotations

from typing import Any

from tests.api.test_catalog import LISTING, category_uid, errors_of, final_prices, skus
from tests.storefront_fixtures import Gql

FIXTURES = ["TEE-CFG", "BAG-001", "BAG-002"]
FACETS = """query Facets($filter: ProductFilterInput) {
  products(filter: $filter) { facets { attribute options { value } } }
}"""
SORT_FIELDS = "{ products(pageSize: 1) { sortFields { default options { value label } } } }"


async def facet_values(gql: Gql, attribute: str, filter_: dict[str, Any]) -> list[str]:
    body = await gql(FACETS, {"filter": filter_})
    facet = next(f for f in body["data"]["products"]["facets"] if f["attribute"] == attribute)
    return [o["value"] for o in facet["options"]]


async def test_a_color_facet_value_filters_the_listing(gql: Gql) -> None:
    blue = (await facet_values(gql, "color", {"skus": FIXTURES}))[1]
    body = await gql(LISTING, {"filter": {"skus": FIXTURES, "attributes": [{"code": "color", "in": [blue]}]}})
    assert skus(body) == ["TEE-CFG"]


async def test_several_values_of_one_facet_match_any_of_them(gql: Gql) -> None:
    filter_ = {"skus": FIXTURES, "attributes": [{"code": "color", "in": ["6", "5"]}, {"code": "size", "in": ["12"]}]}
    assert skus(await gql(LISTING, {"filter": filter_})) == ["TEE-CFG"]


async def test_several_categories_list_the_products_of_any(gql: Gql) -> None:
    bags, tees = await category_uid(gql, "gear/bags"), await category_uid(gql, "men/tops-men/tees-men")
    body = await gql(LISTING, {"filter": {"skus": FIXTURES, "categoryUids": [bags, tees]}, "sort": {"field": "name"}})
    assert skus(body) == ["TEE-CFG", "BAG-001", "BAG-002"]


async def test_a_price_bucket_from_the_price_facet_filters_from_its_low_to_its_high_end(gql: Gql) -> None:
    buckets = await facet_values(gql, "price", {"skus": FIXTURES})
    assert buckets == ["20_30", "40_50"]
    body = await gql(LISTING, {"filter": {"skus": FIXTURES, "priceBucket": "20_30"}, "sort": {"field": "price"}})
    assert (skus(body), [str(p) for p in final_prices(body)]) == (["BAG-002", "TEE-CFG"], ["24.00", "25.00"])


async def test_the_price_facet_in_attributes_is_the_same_bucket_filter(gql: Gql) -> None:
    body = await gql(LISTING, {"filter": {"skus": FIXTURES, "attributes": [{"code": "price", "in": ["40_50"]}]}})
    assert skus(body) == ["BAG-001"]


async def test_listings_offer_the_stores_sort_fields(gql: Gql) -> None:
    body = await gql(SORT_FIELDS)
    assert body["data"]["products"]["sortFields"] == {
        "default": "position",
        "options": [{"value": "position", "label": "Position"}, {"value": "name", "label": "Product Name"},
                    {"value": "price", "label": "Price"}],
    }  # fmt: skip


async def test_an_unknown_facet_code_is_bad_user_input_naming_the_stores_facets(gql: Gql) -> None:
    body = await gql(LISTING, {"filter": {"attributes": [{"code": "material", "in": ["1"]}]}})
    assert errors_of(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == (
        "`filter.attributes` names `material`, which is no facet of this store "
        "(its facets: category_uid, color, price, size)."
    )


async def test_an_unknown_sort_field_is_bad_user_input_naming_the_stores_sort_fields(gql: Gql) -> None:
    body = await gql(LISTING, {"sort": {"field": "NAME"}})
    assert (
        body["errors"][0]["message"]
        == "`sort.field` must be one of the store's sort fields: name, position, price, relevance."
    )


async def test_a_malformed_price_bucket_is_bad_user_input(gql: Gql) -> None:
    body = await gql(LISTING, {"filter": {"priceBucket": "cheap"}})
    assert body["errors"][0]["message"] == '`filter.priceBucket` must be a value of the price facet, e.g. "10_20".'


async def test_too_many_values_for_a_facet_are_bad_user_input(gql: Gql) -> None:
    body = await gql(LISTING, {"filter": {"attributes": [{"code": "color", "in": [str(i) for i in range(51)]}]}})
    assert body["errors"][0]["message"] == "`filter.attributes[0].in` must list between 1 and 50 values."
