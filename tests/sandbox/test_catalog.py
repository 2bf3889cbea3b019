"""The sandbox's seeded catalog and its catalog/store queries behave like Magento 2.4's."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx

from bff.sandbox import FakeClock, SandboxConfig, SandboxState
from bff.sandbox.catalog import product_view
from bff.sandbox.context import RequestContext
from bff.sandbox.countries import (
    country_requires_postcode,
    country_requires_region,
    find_country,
    find_region,
)
from bff.sandbox.seed import seeded_state
from bff.sandbox.state import uid

Gql = Callable[..., Awaitable[dict[str, Any]]]

ITEM = "sku name stock_status price_range { minimum_price { final_price { value currency } } }"


async def products(gql: Gql, args: str, fields: str = "sku", **kwargs: Any) -> dict[str, Any]:
    """``products(<args>) { total_count page_info items { <fields> } }``; asserts no errors."""
    page_info = "page_info { current_page page_size total_pages }"
    query = f"{{ products({args}) {{ total_count {page_info} items {{ {fields} }} }} }}"
    body = await gql(query, **kwargs)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["products"]
    return result


async def skus(gql: Gql, args: str) -> list[str]:
    return [item["sku"] for item in (await products(gql, args))["items"]]


async def error_of(gql: Gql, query: str) -> dict[str, Any]:
    body = await gql(query)
    assert body.get("errors"), body
    error: dict[str, Any] = body["errors"][0]
    return error


def category_uid(state: SandboxState, url_path: str) -> str:
    return uid(next(c.id for c in state.categories.values() if c.url_path == url_path))


# --- the seed -------------------------------------------------------------------------------


def test_seed_has_at_least_520_products_in_at_least_20_categories(state: SandboxState) -> None:
    assert len(state.products) >= 520
    used = {cid for p in state.products.values() for cid in p.category_ids}
    assert len(used) >= 20
    assert len([c for c in state.categories.values() if c.level >= 2]) >= 20


def test_seed_has_configurable_out_of_stock_and_discounted_products(state: SandboxState) -> None:
    visible = [p for p in state.products.values() if p.visible]
    assert sum(p.type_id == "configurable" for p in visible) >= 10
    assert sum(p.qty == 0 for p in visible) >= 3
    assert sum(p.final_price < p.price for p in visible) >= 10
    assert all(Decimal("5.00") <= p.price <= Decimal("250.00") for p in visible if p.sku != "FREEBIE")


def test_seed_fixtures_have_the_agreed_values(state: SandboxState) -> None:
    bag = state.products["BAG-001"]
    assert (bag.name, bag.price, bag.qty, bag.type_id) == (
        "Joust Duffle Bag",
        Decimal("45.00"),
        100,
        "simple",
    )
    assert state.categories[bag.category_ids[0]].url_path == "gear/bags"
    assert state.products["BAG-002"].final_price == Decimal("24.00")
    assert state.products["LAST-ONE"].qty == 1
    assert state.products["SOLD-OUT"].qty == 0
    assert state.products["FREEBIE"].price == Decimal("0.00")
    tee = state.products["TEE-CFG"]
    assert len(tee.variant_skus) == 6
    assert state.products["TEE-CFG-Blue-L"].qty == 0
    assert state.products["TEE-CFG-Red-S"].attributes == {"color": 4, "size": 10}
    assert state.products["TEE-CFG-Red-S"].parent_sku == "TEE-CFG"


def test_seed_is_deterministic_and_ids_continue_in_sequences(clock: FakeClock) -> None:
    first, second = seeded_state(SandboxConfig(), clock), seeded_state(SandboxConfig(), clock)
    assert first.products == second.products
    assert first.next_id("product") == len(first.products) + 1
    assert first.next_id("customer") == 3


def test_seed_has_demo_customers_and_coupons(state: SandboxState) -> None:
    roni = state.customer_by_email("roni_cost@example.com")
    assert roni is not None
    assert roni.id == 1
    assert roni.password == "Roni-Cost-3"
    assert roni.addresses[0].region_id == 33
    assert roni.addresses[0].postcode == "49628-7978"
    john = state.customer_by_email("john.doe@example.com")
    assert john is not None
    assert john.id == 2
    assert john.addresses == []
    assert state.coupons == {"SAVE10": ("percent", Decimal(10)), "TAKE5": ("fixed", Decimal("5.00"))}


# --- search, filters, sorting ---------------------------------------------------------------


async def test_search_matches_every_word_case_insensitively(gql: Gql) -> None:
    result = await products(gql, 'search: "JOUST duffle"', "name")
    assert [item["name"] for item in result["items"]] == ["Joust Duffle Bag"]


async def test_search_ranks_name_matches_first(gql: Gql) -> None:
    found = await skus(gql, 'search: "kangeroo", pageSize: 50')
    assert found[0] == "TEE-CFG"


async def test_listing_never_shows_configurable_children(gql: Gql) -> None:
    assert await skus(gql, 'filter: {sku: {in: ["TEE-CFG", "TEE-CFG-Red-S"]}}') == ["TEE-CFG"]


async def test_category_uid_filter_includes_descendant_categories(gql: Gql, state: SandboxState) -> None:
    found = await skus(gql, f'filter: {{category_uid: {{eq: "{category_uid(state, "gear")}"}}}}, pageSize: 200')
    assert {"BAG-001", "BAG-002", "FREEBIE"} <= set(found)


async def test_category_id_and_url_path_filters_find_the_same_products(gql: Gql, state: SandboxState) -> None:
    bags_id = next(c.id for c in state.categories.values() if c.url_path == "gear/bags")
    by_id = await skus(gql, f'filter: {{category_id: {{eq: "{bags_id}"}}}}, pageSize: 100')
    by_path = await skus(gql, 'filter: {category_url_path: {eq: "gear/bags"}}, pageSize: 100')
    assert by_id == by_path
    assert "BAG-001" in by_id


async def test_sku_filter_accepts_eq_and_in(gql: Gql) -> None:
    assert await skus(gql, 'filter: {sku: {eq: "BAG-001"}}') == ["BAG-001"]
    assert sorted(await skus(gql, 'filter: {sku: {in: ["BAG-001", "BAG-002"]}}')) == ["BAG-001", "BAG-002"]


async def test_a_select_attribute_filter_finds_configurables_with_a_child_of_that_value(gql: Gql) -> None:
    fixtures = 'sku: {in: ["TEE-CFG", "BAG-001"]}'
    assert await skus(gql, f'filter: {{{fixtures}, color: {{eq: "5"}}}}') == ["TEE-CFG"]
    assert await skus(gql, f'filter: {{{fixtures}, color: {{in: ["6", "7"]}}}}') == []
    assert await skus(gql, f'filter: {{{fixtures}, color: {{in: ["4", "6"]}}, size: {{eq: "12"}}}}') == ["TEE-CFG"]


async def test_a_category_uid_filter_with_several_uids_finds_products_of_any(gql: Gql, state: SandboxState) -> None:
    bags, tees = category_uid(state, "gear/bags"), category_uid(state, "men/tops-men/tees-men")
    found = await skus(gql, f'filter: {{category_uid: {{in: ["{bags}", "{tees}"]}}}}, pageSize: 200')
    assert {"BAG-001", "TEE-CFG"} <= set(found)


async def test_url_key_filter_finds_the_product(gql: Gql) -> None:
    assert await skus(gql, 'filter: {url_key: {eq: "strive-shoulder-pack"}}') == ["BAG-002"]


async def test_name_filter_matches_words_of_the_name(gql: Gql) -> None:
    assert await skus(gql, 'filter: {name: {match: "standing tee"}}') == ["LAST-ONE"]


async def test_description_filters_match_full_words_or_partial_text(gql: Gql) -> None:
    fixtures = {"BAG-001", "BAG-002", "LAST-ONE", "TEE-CFG", "FREEBIE"}  # SOLD-OUT: out of stock, hidden
    assert set(await skus(gql, 'filter: {description: {match: "sandbox fixture"}}, pageSize: 50')) == fixtures
    partial = 'filter: {short_description: {match: "ee Stick", match_type: PARTIAL}}'
    assert await skus(gql, partial) == ["FREEBIE"]


async def test_price_filter_is_inclusive_on_the_final_price(gql: Gql) -> None:
    found = await skus(gql, 'filter: {category_url_path: {eq: "gear/bags"}, price: {from: "24", to: "24.00"}}')
    assert "BAG-002" in found  # price 30.00, special price 24.00


async def test_sort_by_price_orders_by_final_price(gql: Gql) -> None:
    args = 'filter: {category_url_path: {eq: "gear"}}, pageSize: 100, sort: {price: %s}'
    ascending = (await products(gql, args % "ASC", ITEM))["items"]
    descending = (await products(gql, args % "DESC", ITEM))["items"]
    prices = [i["price_range"]["minimum_price"]["final_price"]["value"] for i in ascending]
    assert prices == sorted(prices)
    assert ascending[0]["sku"] == "FREEBIE"
    assert [i["sku"] for i in descending][-1] == "FREEBIE"


async def test_sort_by_name_orders_alphabetically(gql: Gql) -> None:
    items = (await products(gql, 'filter: {category_url_path: {eq: "gear/bags"}}, sort: {name: ASC}', "name"))["items"]
    names = [i["name"] for i in items]
    assert names == sorted(names, key=str.casefold)


# --- paging ---------------------------------------------------------------------------------


async def test_pages_together_hold_the_whole_result(gql: Gql) -> None:
    args = 'filter: {category_url_path: {eq: "gear/bags"}}, pageSize: 5, currentPage: %d'
    first = await products(gql, args % 1)
    total, pages = first["total_count"], first["page_info"]["total_pages"]
    seen = [i["sku"] for page in range(1, pages + 1) for i in (await products(gql, args % page))["items"]]
    assert len(seen) == len(set(seen)) == total
    assert pages == -(-total // 5)


async def test_page_size_below_one_is_an_input_error(gql: Gql) -> None:
    error = await error_of(gql, '{ products(search: "tee", pageSize: 0) { total_count } }')
    assert error["message"] == "pageSize value must be greater than 0."
    assert error["extensions"]["category"] == "graphql-input"


async def test_current_page_below_one_is_an_input_error(gql: Gql) -> None:
    error = await error_of(gql, '{ products(search: "tee", currentPage: 0) { total_count } }')
    assert error["message"] == "currentPage value must be greater than 0."


async def test_current_page_beyond_the_last_page_is_an_input_error(gql: Gql) -> None:
    error = await error_of(gql, '{ products(filter: {sku: {eq: "BAG-001"}}, currentPage: 3) { total_count } }')
    assert error["message"] == "currentPage value 3 specified is greater than the 1 page(s) available."


async def test_an_empty_result_has_no_pages_and_no_error(gql: Gql) -> None:
    result = await products(gql, 'search: "zzzzqqq", currentPage: 4')
    assert result["total_count"] == 0
    assert result["page_info"]["total_pages"] == 0
    assert result["items"] == []


async def test_products_without_search_or_filter_is_an_input_error(gql: Gql) -> None:
    error = await error_of(gql, "{ products { total_count } }")
    assert error["message"] == "'search' or 'filter' input argument is required."


# --- aggregations ---------------------------------------------------------------------------


AGGREGATION_FIELDS = "attribute_code label count options { label value count }"
AGGREGATIONS = "{ products(%s) { total_count aggregations { " + AGGREGATION_FIELDS + " } } }"


async def aggregations_of(gql: Gql, args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    body = await gql(AGGREGATIONS % args)
    assert "errors" not in body, body
    result = body["data"]["products"]
    return result["total_count"], {a["attribute_code"]: a for a in result["aggregations"]}


async def test_price_buckets_count_the_whole_result_not_the_page(gql: Gql) -> None:
    total, found = await aggregations_of(gql, 'search: "tee", pageSize: 1')
    options = found["price"]["options"]
    assert sum(o["count"] for o in options) == total > 1
    low, high = options[0]["value"].split("_")
    assert options[0]["label"] == f"{low}-{high}"
    assert int(high) > int(low)


async def test_category_aggregation_counts_products_per_category(gql: Gql, state: SandboxState) -> None:
    total, found = await aggregations_of(gql, 'filter: {category_url_path: {eq: "gear"}}')
    categories = found["category_uid"]
    assert categories["label"] == "Category"
    by_uid = {o["value"]: o for o in categories["options"]}
    assert by_uid[category_uid(state, "gear")]["count"] == total
    assert by_uid[category_uid(state, "gear/bags")]["label"] == "Bags"


async def test_color_and_size_aggregations_come_from_configurable_children(gql: Gql) -> None:
    _, found = await aggregations_of(gql, 'filter: {sku: {eq: "TEE-CFG"}}')
    assert [(o["label"], o["value"], o["count"]) for o in found["color"]["options"]] == [
        ("Red", "4", 1),
        ("Blue", "5", 1),
    ]
    assert [o["label"] for o in found["size"]["options"]] == ["S", "M", "L"]


async def test_sort_fields_offer_magentos_sort_options(gql: Gql) -> None:
    body = await gql('{ products(search: "bag") { sort_fields { default options { value label } } } }')
    fields = body["data"]["products"]["sort_fields"]
    assert fields["default"] == "position"
    assert [o["value"] for o in fields["options"]] == ["position", "name", "price"]


# --- product fields -------------------------------------------------------------------------


CONFIGURABLE = """{ products(filter: {sku: {eq: "TEE-CFG"}}) { items { __typename uid stock_status
  ... on ConfigurableProduct { configurable_options { uid attribute_uid attribute_code label
      values { uid value_index label swatch_data { value } } }
    variants { attributes { code label value_index uid } product { sku stock_status } } } } } }"""


async def test_configurable_product_exposes_options_with_magento_uids(gql: Gql, state: SandboxState) -> None:
    item = (await gql(CONFIGURABLE))["data"]["products"]["items"][0]
    assert item["__typename"] == "ConfigurableProduct"
    assert item["stock_status"] == "IN_STOCK"
    color = item["configurable_options"][0]
    tee_id = state.products["TEE-CFG"].id
    assert base64.b64decode(color["uid"]).decode() == f"configurable/{tee_id}/93"
    assert base64.b64decode(color["attribute_uid"]).decode() == "93"
    assert [(v["label"], v["value_index"]) for v in color["values"]] == [("Red", 4), ("Blue", 5)]
    assert base64.b64decode(color["values"][0]["uid"]).decode() == "configurable/93/4"


async def test_configurable_variants_carry_their_attributes_and_stock(gql: Gql, state: SandboxState) -> None:
    r"""With show_out_of_stock on, an out-of-stock variant is listed with its stock status; follows
    Magento\GraphQl\ConfigurableProduct\ConfigurableProductStockStatusTest::testConfigurableProductShowOutOfStock"""
    state.config = replace(state.config, show_out_of_stock=True)
    variants = (await gql(CONFIGURABLE))["data"]["products"]["items"][0]["variants"]
    by_sku = {v["product"]["sku"]: v for v in variants}
    assert len(by_sku) == 6
    assert by_sku["TEE-CFG-Blue-L"]["product"]["stock_status"] == "OUT_OF_STOCK"
    assert [(a["code"], a["label"]) for a in by_sku["TEE-CFG-Red-S"]["attributes"]] == [
        ("color", "Red"),
        ("size", "S"),
    ]


async def test_special_price_shows_as_a_discount(gql: Gql) -> None:
    prices = "regular_price { value } final_price { value } discount { amount_off percent_off }"
    fields = f"special_price price_range {{ minimum_price {{ {prices} }} }}"
    item = (await products(gql, 'filter: {sku: {eq: "BAG-002"}}', fields))["items"][0]
    minimum = item["price_range"]["minimum_price"]
    assert item["special_price"] == 24.0
    assert (minimum["regular_price"]["value"], minimum["final_price"]["value"]) == (30.0, 24.0)
    assert minimum["discount"] == {"amount_off": 6.0, "percent_off": 20.0}


async def test_stock_fields_show_low_and_missing_stock(gql: Gql, state: SandboxState) -> None:
    r"""With show_out_of_stock on, an out-of-stock product is listed as OUT_OF_STOCK; follows
    Magento\GraphQl\CatalogInventory\ProductStockStatusTest::testQueryProductStockStatusOutOfStock"""
    state.config = replace(state.config, show_out_of_stock=True)
    fields = "sku stock_status only_x_left_in_stock"
    items = (await products(gql, 'filter: {sku: {in: ["LAST-ONE", "SOLD-OUT", "BAG-001"]}}', fields))["items"]
    by_sku = {i["sku"]: (i["stock_status"], i["only_x_left_in_stock"]) for i in items}
    assert by_sku == {
        "BAG-001": ("IN_STOCK", None),
        "LAST-ONE": ("IN_STOCK", 1.0),
        "SOLD-OUT": ("OUT_OF_STOCK", None),
    }


async def test_product_lists_its_categories_and_images(gql: Gql) -> None:
    fields = "url_key url_suffix small_image { url label } media_gallery { url position } categories { url_path }"
    item = (await products(gql, 'filter: {sku: {eq: "BAG-001"}}', fields))["items"][0]
    assert item["url_suffix"] == ".html"
    assert item["small_image"]["url"].startswith("http://magento.test/media/catalog/product/")
    assert item["media_gallery"][0]["position"] == 1
    assert item["categories"] == [{"url_path": "gear/bags"}]


async def test_prices_convert_to_the_content_currency(gql: Gql) -> None:
    result = await products(gql, 'filter: {sku: {eq: "BAG-001"}}', ITEM, headers={"Content-Currency": "EUR"})
    assert result["items"][0]["price_range"]["minimum_price"]["final_price"] == {
        "value": 41.4,
        "currency": "EUR",
    }


async def test_german_store_shows_prices_in_euro_by_default(gql: Gql) -> None:
    result = await products(gql, 'filter: {sku: {eq: "BAG-002"}}', ITEM, headers={"Store": "de"})
    assert result["items"][0]["price_range"]["minimum_price"]["final_price"] == {
        "value": 22.08,
        "currency": "EUR",
    }


def test_product_view_helper_builds_a_typed_product(state: SandboxState) -> None:
    ctx = RequestContext(state, state.default_store, "USD", None, None)
    view = product_view(state.products["TEE-CFG-Red-S"], ctx)
    assert view["__typename"] == "SimpleProduct"
    assert view["sku"] == "TEE-CFG-Red-S"
    assert f"cat_p_{state.products['TEE-CFG-Red-S'].id}" in ctx.cache_tags


async def test_product_responses_carry_product_cache_tags(http: httpx.AsyncClient, state: SandboxState) -> None:
    query = '{ products(filter: {sku: {eq: "BAG-001"}}) { items { sku } } }'
    response = await http.get("/graphql", params={"query": query})
    tags = response.headers["X-Magento-Tags"].split(",")
    assert {"cat_p", f"cat_p_{state.products['BAG-001'].id}"} <= set(tags)


# --- categories -----------------------------------------------------------------------------


TREE = "{ categories%s { total_count items { uid name level url_path product_count children { name } } } }"


async def test_categories_without_filters_return_the_store_root(gql: Gql) -> None:
    result = (await gql(TREE % ""))["data"]["categories"]
    root = result["items"][0]
    assert (result["total_count"], root["uid"], root["level"]) == (1, uid(2), 1)
    assert [c["name"] for c in root["children"]] == ["What's New", "Women", "Men", "Gear", "Training", "Sale"]


async def test_category_product_count_includes_descendants(gql: Gql, state: SandboxState) -> None:
    gear = (await gql(TREE % '(filters: {url_path: {eq: "gear"}})'))["data"]["categories"]["items"][0]
    listed = await products(gql, f'filter: {{category_uid: {{eq: "{gear["uid"]}"}}}}')
    assert gear["product_count"] == listed["total_count"] > 3


async def test_categories_filter_by_parent_uid(gql: Gql, state: SandboxState) -> None:
    parent = category_uid(state, "gear")
    result = (await gql(TREE % f'(filters: {{parent_category_uid: {{eq: "{parent}"}}}})'))["data"]["categories"]
    assert [c["url_path"] for c in result["items"]] == ["gear/bags", "gear/fitness-equipment", "gear/watches"]


async def test_categories_filter_by_name_match(gql: Gql) -> None:
    result = (await gql(TREE % '(filters: {name: {match: "jackets"}})'))["data"]["categories"]
    assert {c["url_path"] for c in result["items"]} == {
        "women/tops-women/jackets-women",
        "men/tops-men/jackets-men",
    }


async def test_category_breadcrumbs_list_the_ancestors(gql: Gql) -> None:
    crumbs = "breadcrumbs { category_name category_level }"
    query = f'{{ categories(filters: {{url_path: {{eq: "gear/bags"}}}}) {{ items {{ {crumbs} }} }} }}'
    item = (await gql(query))["data"]["categories"]["items"][0]
    assert item["breadcrumbs"] == [{"category_name": "Gear", "category_level": 2}]


async def test_category_list_returns_a_plain_list(gql: Gql) -> None:
    body = await gql('{ categoryList(filters: {url_key: {in: ["bags", "watches"]}}) { name } }')
    assert body["data"]["categoryList"] == [{"name": "Bags"}, {"name": "Watches"}]


async def test_unknown_category_uid_is_an_input_error(gql: Gql) -> None:
    error = await error_of(gql, '{ categories(filters: {category_uid: {eq: "%%%"}}) { total_count } }')
    assert error["message"] == 'Value of uid "%%%" is incorrect.'


# --- store config, currency, countries ------------------------------------------------------


STORE = """{ storeConfig { store_code store_name locale base_currency_code default_display_currency_code
  root_category_uid product_url_suffix is_guest_checkout_enabled cart_expires_in_days
  customer_access_token_lifetime minimum_password_length } }"""


async def test_store_config_describes_the_default_store(gql: Gql) -> None:
    config = (await gql(STORE))["data"]["storeConfig"]
    assert config == {
        "store_code": "default",
        "store_name": "Default Store View",
        "locale": "en_US",
        "base_currency_code": "USD",
        "default_display_currency_code": "USD",
        "root_category_uid": uid(2),
        "product_url_suffix": ".html",
        "is_guest_checkout_enabled": True,
        "cart_expires_in_days": 30,
        "customer_access_token_lifetime": 1.0,
        "minimum_password_length": "8",
    }


async def test_store_config_describes_the_german_store(gql: Gql) -> None:
    config = (await gql(STORE, headers={"Store": "de"}))["data"]["storeConfig"]
    assert (config["store_code"], config["locale"], config["default_display_currency_code"]) == (
        "de",
        "de_DE",
        "EUR",
    )


async def test_available_stores_lists_both_store_views(gql: Gql) -> None:
    body = await gql("{ availableStores { store_code is_default_store } }")
    assert body["data"]["availableStores"] == [
        {"store_code": "default", "is_default_store": True},
        {"store_code": "de", "is_default_store": False},
    ]


async def test_currency_lists_the_stores_currencies_and_rates(gql: Gql) -> None:
    query = """{ currency { default_display_currency_code default_display_currency_symbol
      available_currency_codes exchange_rates { currency_to rate } } }"""
    currency = (await gql(query, headers={"Store": "de"}))["data"]["currency"]
    assert currency["default_display_currency_code"] == "EUR"
    assert currency["default_display_currency_symbol"] == "€"
    assert currency["available_currency_codes"] == ["EUR", "USD"]
    assert {"currency_to": "EUR", "rate": 0.92} in currency["exchange_rates"]


async def test_countries_are_named_in_the_store_locale(gql: Gql) -> None:
    query = "{ countries { id full_name_locale full_name_english available_regions { id code } } }"
    english = {c["id"]: c for c in (await gql(query))["data"]["countries"]}
    german = {c["id"]: c for c in (await gql(query, headers={"Store": "de"}))["data"]["countries"]}
    assert len(english) >= 40
    assert {"FR", "GB", "CH", "NO", "JP"} <= set(english)
    assert (english["DE"]["full_name_locale"], german["DE"]["full_name_locale"]) == ("Germany", "Deutschland")
    assert {"id": 33, "code": "MI"} in english["US"]["available_regions"]
    assert english["FR"]["available_regions"] is None


async def test_unknown_country_is_not_available(gql: Gql) -> None:
    error = await error_of(gql, '{ country(id: "XX") { id } }')
    assert error["message"] == "The country isn't available."
    assert error["extensions"]["category"] == "graphql-no-such-entity"


def test_regions_are_found_by_code_name_or_id() -> None:
    assert find_region("US", "MI") == find_region("us", "michigan") == find_region("US", 33)
    new_york = find_region("US", "43")
    assert new_york is not None
    assert new_york.name == "New York"
    assert find_region("US", "Bayern") is None
    assert find_country("DEU") == find_country("de")


def test_region_and_postcode_requirements_follow_magento_defaults() -> None:
    assert country_requires_region("US")
    assert country_requires_region("DE")
    assert not country_requires_region("FR")
    assert country_requires_postcode("US")
    assert not country_requires_postcode("IE")


# --- argument conflicts ------------------------------------------------------------------------


async def test_category_id_with_category_uid_is_refused(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\CatalogGraphQl\Model\Resolver\Products\Query\CategoryUidArgsProcessor::process"""
    bags = category_uid(state, "gear/bags")
    body = await gql(
        f'{{ products(filter: {{category_id: {{eq: "3"}}, category_uid: {{eq: "{bags}"}}}}) {{ total_count }} }}'
    )
    assert [(e["message"], e["extensions"]["category"]) for e in body["errors"]] == [
        ("`category_id` and `category_uid` can't be used at the same time.", "graphql-input")
    ]


async def test_category_url_path_with_category_id_is_refused(gql: Gql) -> None:
    r"""follows Magento\CatalogGraphQl\Model\Resolver\Products\Query\CategoryUrlPathArgsProcessor::process"""
    body = await gql('{ products(filter: {category_id: {eq: "3"}, category_url_path: {eq: "gear"}}) { total_count } }')
    assert body["errors"][0]["message"] == "`category_id` and `category_url_path` can't be used at the same time."


async def test_an_unknown_category_url_path_is_refused(gql: Gql) -> None:
    r"""No category has the path; follows
    Magento\CatalogGraphQl\Model\Resolver\Products\Query\CategoryUrlPathArgsProcessor::process"""
    body = await gql('{ products(filter: {category_url_path: {eq: "no/such/path"}}) { total_count } }')
    assert [(e["message"], e["extensions"]["category"]) for e in body["errors"]] == [
        ("No category with the provided `category_url_path` was found", "graphql-input")
    ]


async def test_a_category_name_match_shorter_than_three_characters_is_refused(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Catalog\CategoriesQuery\CategoriesFilterTest::testMinimumMatchQueryLength"""
    body = await gql('{ categories(filters: {name: {match: "mo"}}) { items { name } } }')
    assert [(e["message"], e["extensions"]["category"]) for e in body["errors"]] == [
        ("Invalid match filter. Minimum length is 3.", "graphql-input")
    ]
    found = await gql('{ categories(filters: {name: {match: "bag"}}) { items { name } } }')
    assert {"name": "Bags"} in found["data"]["categories"]["items"]


async def test_category_ids_with_category_uid_are_refused(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\CatalogGraphQl\Model\Category\CategoryUidsArgsProcessor::process"""
    bags = category_uid(state, "gear/bags")
    body = await gql(
        f'{{ categories(filters: {{ids: {{eq: "3"}}, category_uid: {{eq: "{bags}"}}}}) {{ total_count }} }}'
    )
    assert body["errors"][0]["message"] == "`ids` and `category_uid` can't be used at the same time."


# --- category(id:) -------------------------------------------------------------------------------

CATEGORY_BY_ID = "query C($id: Int) { category(id: $id) { id name url_path product_count children { name } } }"


async def test_category_by_id_answers_the_category_tree(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\Catalog\CategoryTest::testGetCategoryById (the deprecated category(id:))"""
    bags = next(c for c in state.categories.values() if c.url_path == "gear/bags")
    found = (await gql(CATEGORY_BY_ID, {"id": bags.id}))["data"]["category"]
    listed = await gql(f'{{ categories(filters: {{ids: {{eq: "{bags.id}"}}}}) {{ items {{ product_count }} }} }}')
    assert (found["id"], found["name"], found["url_path"]) == (bags.id, "Bags", "gear/bags")
    assert found["product_count"] == listed["data"]["categories"]["items"][0]["product_count"]


async def test_category_without_an_id_is_the_store_root_category(gql: Gql, state: SandboxState) -> None:
    r"""CatalogGraphQl's CategoryTree::resolve: no id means the store's root category"""
    found = (await gql(CATEGORY_BY_ID))["data"]["category"]
    assert found["id"] == state.default_store.root_category_id
    assert {"name": "Gear"} in found["children"]


async def test_an_unknown_category_id_does_not_exist(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Catalog\CategoryTest::testNonExistentCategoryWithProductCount and
    ::testGetCategoryIdZero"""
    for missing in (99999, 0):
        body = await gql(CATEGORY_BY_ID, {"id": missing})
        assert body["data"] == {"category": None}
        assert [(e["message"], e["extensions"]["category"]) for e in body["errors"]] == [
            ("Category doesn't exist", "graphql-no-such-entity")
        ]
