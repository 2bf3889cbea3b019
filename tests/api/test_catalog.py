"""The catalog part of the storefront API, end to end (BFF over HTTP → Magento sandbox)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.storefront_fixtures import Gql

STORE_CONFIG = """query StoreConfig { storeConfig { storeCode storeName locale baseCurrency
  defaultDisplayCurrency rootCategoryUid productUrlSuffix categoryUrlSuffix guestCheckoutEnabled } }"""

LISTING = """query Listing($search: String, $categoryUid: ID, $filter: ProductFilterInput,
    $sort: ProductSortInput, $page: Int! = 1, $pageSize: Int! = 20) {
  products(search: $search, categoryUid: $categoryUid, filter: $filter, sort: $sort, page: $page,
           pageSize: $pageSize) {
    totalCount pageInfo { currentPage pageSize totalPages } items { sku name price { final { value currency } } }
  }
}"""

FACETS = """query Facets($categoryUid: ID) {
  products(categoryUid: $categoryUid) { facets { attribute label options { label value count } } }
}"""

CARD = """query Card($search: String!) {
  products(search: $search, pageSize: 1) { items { sku name urlKey thumbnail { url label } image { url label }
    price { regular { value currency } final { value currency } discountPercent }
    inStock onlyXLeft options { code values { label inStock } } } }
}"""

PRODUCT = """query Product($sku: String, $urlKey: String) {
  product(sku: $sku, urlKey: $urlKey) {
    sku name urlKey description shortDescription thumbnail { url label } image { url label } gallery { url }
    price { regular { value currency } final { value currency } discountPercent }
    inStock onlyXLeft categories { name urlPath } options { code } variants { sku }
  }
}"""

STOCK = """query Stock($sku: String!) { product(sku: $sku) { inStock onlyXLeft } }"""

CONFIGURABLE = """query Configurable($sku: String!) {
  product(sku: $sku) { sku options { code label values { label inStock } }
    variants { sku inStock attributes { code label } price { final { value currency } } } }
}"""

OPTION_UIDS = """query OptionUids($sku: String!) {
  product(sku: $sku) { options { values { uid label } } variants { sku attributes { valueUid label } } }
}"""

CATEGORY_TREE = """query Tree($depth: Int!) {
  categoryTree(depth: $depth) { name urlPath level children { name children { name children { name } } } }
}"""

CATEGORY = """query Category($urlPath: String!) {
  category(urlPath: $urlPath) { uid name urlPath level productCount children { name urlPath level children { name } } }
}"""

COUNTRIES = """query Countries { countries { code name regionRequired postcodeRequired regions { code name } } }"""


def errors_of(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def skus(body: dict[str, Any]) -> list[str]:
    return [item["sku"] for item in body["data"]["products"]["items"]]


def final_prices(body: dict[str, Any]) -> list[Decimal]:
    return [Decimal(item["price"]["final"]["value"]) for item in body["data"]["products"]["items"]]


async def category_uid(gql: Gql, url_path: str) -> str:
    body = await gql(CATEGORY, {"urlPath": url_path})
    uid: str = body["data"]["category"]["uid"]
    return uid


# --- store ------------------------------------------------------------------------------------


async def test_store_config_describes_the_default_store_view(gql: Gql) -> None:
    body = await gql(STORE_CONFIG)
    config = body["data"]["storeConfig"]
    assert config == {
        "storeCode": "default", "storeName": "Default Store View", "locale": "en_US", "baseCurrency": "USD",
        "defaultDisplayCurrency": "USD", "rootCategoryUid": config["rootCategoryUid"], "productUrlSuffix": ".html",
        "categoryUrlSuffix": ".html", "guestCheckoutEnabled": True,
    }  # fmt: skip
    assert config["rootCategoryUid"]


async def test_store_header_selects_the_german_store_view_in_euros(gql: Gql) -> None:
    body = await gql(STORE_CONFIG, headers={"Store": "de"})
    config = body["data"]["storeConfig"]
    assert {k: config[k] for k in ("storeCode", "storeName", "locale", "defaultDisplayCurrency")} == {
        "storeCode": "de", "storeName": "German Store View", "locale": "de_DE", "defaultDisplayCurrency": "EUR",
    }  # fmt: skip


async def test_countries_list_regions_and_address_requirements(gql: Gql) -> None:
    body = await gql(COUNTRIES)
    countries = {c["code"]: c for c in body["data"]["countries"]}
    assert {k: v for k, v in countries["US"].items() if k != "regions"} == {
        "code": "US", "name": "United States", "regionRequired": True, "postcodeRequired": True,
    }  # fmt: skip
    assert {"code": "TX", "name": "Texas"} in countries["US"]["regions"]
    assert countries["GB"] == {
        "code": "GB", "name": "United Kingdom", "regionRequired": False, "postcodeRequired": False, "regions": [],
    }  # fmt: skip


async def test_countries_are_named_in_the_store_views_language(gql: Gql) -> None:
    body = await gql(COUNTRIES, headers={"Store": "de"})
    names = [c["name"] for c in body["data"]["countries"]]
    assert "Deutschland" in names
    assert names.index("Österreich") < names.index("Polen")


async def test_countries_are_served_from_cache_while_magento_fails(gql: Gql, faults: FaultPlan) -> None:
    first = await gql(COUNTRIES)
    faults.set("Countries", Fault(error_rate=1.0, error="http503"))
    second = await gql(COUNTRIES)
    assert second == first


# --- listings ---------------------------------------------------------------------------------


async def test_search_finds_products_by_the_words_of_their_name(gql: Gql) -> None:
    body = await gql(LISTING, {"search": "joust duffle"})
    assert body["data"]["products"] == {
        "totalCount": 1,
        "pageInfo": {"currentPage": 1, "pageSize": 20, "totalPages": 1},
        "items": [
            {"sku": "BAG-001", "name": "Joust Duffle Bag", "price": {"final": {"value": "45.00", "currency": "USD"}}}
        ],
    }  # fmt: skip


async def test_category_listing_holds_the_category_products(gql: Gql) -> None:
    bags = await category_uid(gql, "gear/bags")
    body = await gql(LISTING, {"categoryUid": bags, "pageSize": 100})
    listing = body["data"]["products"]
    assert {"BAG-001", "BAG-002"} <= set(skus(body))
    assert listing["totalCount"] == len(listing["items"]) > 2


async def test_category_listing_offers_subcategory_and_price_facets(gql: Gql) -> None:
    gear = await category_uid(gql, "gear")
    body = await gql(FACETS, {"categoryUid": gear})
    facets = {f["attribute"]: f for f in body["data"]["products"]["facets"]}
    assert [o["label"] for o in facets["category_uid"]["options"]] == ["Bags", "Fitness Equipment", "Watches"]
    assert facets["category_uid"]["options"][0]["value"] == await category_uid(gql, "gear/bags")
    assert facets["price"]["label"] == "Price"
    assert all(o["count"] > 0 for o in facets["price"]["options"])


async def test_configurable_listings_offer_color_and_size_facets(gql: Gql) -> None:
    tees = await category_uid(gql, "men/tops-men/tees-men")
    body = await gql(FACETS, {"categoryUid": tees})
    facets = {f["attribute"]: f for f in body["data"]["products"]["facets"]}
    assert {"Red", "Blue"} <= {o["label"] for o in facets["color"]["options"]}
    assert {"S", "M", "L"} <= {o["label"] for o in facets["size"]["options"]}


async def test_price_filter_keeps_products_within_the_range(gql: Gql) -> None:
    bags = await category_uid(gql, "gear/bags")
    body = await gql(LISTING, {"categoryUid": bags, "filter": {"priceFrom": "24", "priceTo": "45"}})
    prices = final_prices(body)
    assert {"BAG-001", "BAG-002"} <= set(skus(body))
    assert all(Decimal(24) <= p <= Decimal(45) for p in prices)


async def test_an_out_of_stock_product_is_not_in_a_listing_by_default(gql: Gql) -> None:
    r"""Magento's default show_out_of_stock = 0; the sandbox follows
    Magento\GraphQl\Catalog\ProductSearchTest::testFilterProductsThatAreOutOfStockWithConfigSettings"""
    body = await gql(LISTING, {"filter": {"skus": ["BAG-001", "SOLD-OUT"]}})
    assert skus(body) == ["BAG-001"]
    assert body["data"]["products"]["totalCount"] == 1


async def test_an_out_of_stock_product_is_listed_when_the_store_shows_them(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    sandbox_state.config = replace(sandbox_state.config, show_out_of_stock=True)
    body = await gql(LISTING, {"filter": {"skus": ["BAG-001", "SOLD-OUT"]}, "sort": {"field": "name"}})
    assert skus(body) == ["BAG-001", "SOLD-OUT"]


async def test_a_configurable_products_out_of_stock_variant_is_left_out_by_default(gql: Gql) -> None:
    r"""the sandbox follows
    Magento\GraphQl\ConfigurableProduct\ConfigurableProductStockStatusTest::testConfigurableProductDoNotShowOutOfStock"""
    variants = (await gql(CONFIGURABLE, {"sku": "TEE-CFG"}))["data"]["product"]["variants"]
    assert [v["sku"] for v in variants] == [f"TEE-CFG-{c}-{s}" for c in ("Red", "Blue") for s in ("S", "M", "L")
                                            if (c, s) != ("Blue", "L")]  # fmt: skip
    assert all(v["inStock"] for v in variants)


async def test_sku_filter_returns_only_the_listed_products(gql: Gql) -> None:
    body = await gql(LISTING, {"filter": {"skus": ["BAG-001", "FREEBIE"]}, "sort": {"field": "name"}})
    assert skus(body) == ["FREEBIE", "BAG-001"]


async def test_name_filter_matches_words_of_the_name(gql: Gql) -> None:
    body = await gql(LISTING, {"filter": {"name": "Strive Shoulder"}})
    assert skus(body) == ["BAG-002"]


async def test_sort_by_price_orders_by_final_price(gql: Gql) -> None:
    bags = await category_uid(gql, "gear/bags")
    ascending = await gql(LISTING, {"categoryUid": bags, "sort": {"field": "price"}})
    descending = await gql(LISTING, {"categoryUid": bags, "sort": {"field": "price", "direction": "DESC"}})
    assert final_prices(ascending) == sorted(final_prices(ascending))
    assert final_prices(descending) == sorted(final_prices(ascending), reverse=True)


async def test_sort_by_name_orders_alphabetically(gql: Gql) -> None:
    bags = await category_uid(gql, "gear/bags")
    body = await gql(LISTING, {"categoryUid": bags, "sort": {"field": "name", "direction": "ASC"}})
    names = [item["name"] for item in body["data"]["products"]["items"]]
    assert names == sorted(names, key=str.casefold)


async def test_pages_split_the_listing(gql: Gql) -> None:
    bags = await category_uid(gql, "gear/bags")
    whole = await gql(LISTING, {"categoryUid": bags, "sort": {"field": "name"}, "pageSize": 100})
    second = await gql(LISTING, {"categoryUid": bags, "sort": {"field": "name"}, "page": 2, "pageSize": 5})
    total = whole["data"]["products"]["totalCount"]
    assert second["data"]["products"]["pageInfo"] == {"currentPage": 2, "pageSize": 5, "totalPages": -(-total // 5)}
    assert skus(second) == skus(whole)[5:10]


async def test_page_beyond_the_last_is_empty(gql: Gql) -> None:
    bags = await category_uid(gql, "gear/bags")
    body = await gql(LISTING, {"categoryUid": bags, "page": 50, "pageSize": 10})
    listing = body["data"]["products"]
    assert "errors" not in body
    assert listing["items"] == []
    assert listing["pageInfo"] == {"currentPage": 50, "pageSize": 10, "totalPages": -(-listing["totalCount"] // 10)}


async def test_listing_cards_show_price_stock_and_images(gql: Gql) -> None:
    body = await gql(CARD, {"search": "Strive Shoulder Pack"})
    image = "http://magento.test/media/catalog/product/s/t/strive-shoulder-pack_main.jpg"
    assert body["data"]["products"]["items"] == [{
        "sku": "BAG-002", "name": "Strive Shoulder Pack", "urlKey": "strive-shoulder-pack",
        "thumbnail": {"url": image, "label": "Strive Shoulder Pack"},
        "image": {"url": image, "label": "Strive Shoulder Pack"},
        "price": {"regular": {"value": "30.00", "currency": "USD"}, "final": {"value": "24.00", "currency": "USD"},
                  "discountPercent": 20.0},
        "inStock": True, "onlyXLeft": None, "options": [],
    }]  # fmt: skip


async def test_listing_cards_of_configurable_products_show_their_options(gql: Gql) -> None:
    body = await gql(CARD, {"search": "Chaz Kangeroo"})
    card = body["data"]["products"]["items"][0]
    assert card["options"] == [
        {"code": "color", "values": [{"label": "Red", "inStock": True}, {"label": "Blue", "inStock": True}]},
        {"code": "size", "values": [{"label": size, "inStock": True} for size in ("S", "M", "L")]},
    ]  # fmt: skip


async def test_content_currency_header_prices_products_in_euros(gql: Gql) -> None:
    body = await gql(LISTING, {"filter": {"skus": ["BAG-001"]}}, headers={"Content-Currency": "EUR"})
    assert body["data"]["products"]["items"][0]["price"] == {"final": {"value": "41.40", "currency": "EUR"}}


# --- product pages ----------------------------------------------------------------------------


async def test_product_by_sku_returns_the_product_page(gql: Gql) -> None:
    body = await gql(PRODUCT, {"sku": "BAG-001"})
    media = "http://magento.test/media/catalog/product/j/o/joust-duffle-bag"
    assert body["data"]["product"] == {
        "sku": "BAG-001", "name": "Joust Duffle Bag", "urlKey": "joust-duffle-bag",
        "description": "<p>Joust Duffle Bag: a sandbox fixture product.</p>",
        "shortDescription": "<p>Joust Duffle Bag</p>",
        "thumbnail": {"url": f"{media}_main.jpg", "label": "Joust Duffle Bag"},
        "image": {"url": f"{media}_main.jpg", "label": "Joust Duffle Bag"},
        "gallery": [{"url": f"{media}_main.jpg"}, {"url": f"{media}_back.jpg"}, {"url": f"{media}_alt.jpg"}],
        "price": {"regular": {"value": "45.00", "currency": "USD"}, "final": {"value": "45.00", "currency": "USD"},
                  "discountPercent": 0.0},
        "inStock": True, "onlyXLeft": None, "categories": [{"name": "Bags", "urlPath": "gear/bags"}],
        "options": [], "variants": [],
    }  # fmt: skip


async def test_product_by_url_key_returns_the_same_page_as_by_sku(gql: Gql) -> None:
    by_url_key = await gql(PRODUCT, {"urlKey": "joust-duffle-bag"})
    by_sku = await gql(PRODUCT, {"sku": "BAG-001"})
    assert by_url_key == by_sku


@pytest.mark.parametrize(("sku", "stock"), [("bag-001", {"inStock": True, "onlyXLeft": None}),
                                           ("LAST-ONE", {"inStock": True, "onlyXLeft": 1}),
                                           ("SOLD-OUT", {"inStock": False, "onlyXLeft": None})])  # fmt: skip
async def test_product_reports_stock_and_how_few_are_left(
    gql: Gql, sandbox_state: SandboxState, sku: str, stock: dict[str, Any]
) -> None:
    sandbox_state.config = replace(sandbox_state.config, show_out_of_stock=True)  # else SOLD-OUT is not found
    body = await gql(STOCK, {"sku": sku})
    assert body["data"]["product"] == stock


async def test_a_sold_out_product_is_not_found_by_default(gql: Gql) -> None:
    r"""The BFF looks products up with Magento's products(filter:), which leaves out-of-stock ones out
    by default; the sandbox follows
    Magento\GraphQl\Catalog\ProductSearchTest::testFilterProductsThatAreOutOfStockWithConfigSettings"""
    assert await gql(STOCK, {"sku": "SOLD-OUT"}) == {"data": {"product": None}}


async def test_unknown_product_is_null(gql: Gql) -> None:
    body = await gql(PRODUCT, {"urlKey": "no-such-product"})
    assert body == {"data": {"product": None}}


async def test_configurable_product_lists_options_and_variants(gql: Gql, sandbox_state: SandboxState) -> None:
    sandbox_state.config = replace(sandbox_state.config, show_out_of_stock=True)  # else Blue-L is left out
    body = await gql(CONFIGURABLE, {"sku": "TEE-CFG"})
    usd = {"final": {"value": "25.00", "currency": "USD"}}
    assert body["data"]["product"] == {
        "sku": "TEE-CFG",
        "options": [
            {"code": "color", "label": "Color",
             "values": [{"label": "Red", "inStock": True}, {"label": "Blue", "inStock": True}]},
            {"code": "size", "label": "Size",
             "values": [{"label": "S", "inStock": True}, {"label": "M", "inStock": True},
                        {"label": "L", "inStock": True}]},
        ],
        "variants": [
            {"sku": f"TEE-CFG-{color}-{size}", "inStock": (color, size) != ("Blue", "L"),
             "attributes": [{"code": "color", "label": color}, {"code": "size", "label": size}], "price": usd}
            for color in ("Red", "Blue") for size in ("S", "M", "L")
        ],
    }  # fmt: skip


async def test_variant_attributes_name_the_option_value_uids_to_add_to_cart(gql: Gql) -> None:
    body = await gql(OPTION_UIDS, {"sku": "TEE-CFG"})
    product = body["data"]["product"]
    value_uids = {v["label"]: v["uid"] for option in product["options"] for v in option["values"]}
    red_m = next(v for v in product["variants"] if v["sku"] == "TEE-CFG-Red-M")
    assert red_m["attributes"] == [
        {"valueUid": value_uids["Red"], "label": "Red"},
        {"valueUid": value_uids["M"], "label": "M"},
    ]


# --- categories -------------------------------------------------------------------------------


async def test_category_tree_lists_the_store_root_children(gql: Gql) -> None:
    body = await gql(CATEGORY_TREE, {"depth": 1})
    assert body["data"]["categoryTree"] == [
        {"name": name, "urlPath": path, "level": 2, "children": []}
        for name, path in (("What's New", "what-is-new"), ("Women", "women"), ("Men", "men"), ("Gear", "gear"),
                           ("Training", "training"), ("Sale", "sale"))
    ]  # fmt: skip


async def test_category_tree_goes_as_deep_as_requested(gql: Gql) -> None:
    body = await gql(CATEGORY_TREE, {"depth": 2})
    men = next(c for c in body["data"]["categoryTree"] if c["name"] == "Men")
    assert men["children"] == [{"name": "Tops", "children": []}, {"name": "Bottoms", "children": []}]


async def test_category_by_url_path_has_its_direct_children(gql: Gql) -> None:
    body = await gql(CATEGORY, {"urlPath": "men/tops-men"})
    category = body["data"]["category"]
    assert {k: v for k, v in category.items() if k not in ("uid", "productCount")} == {
        "name": "Tops",
        "urlPath": "men/tops-men",
        "level": 3,
        "children": [
            {"name": name, "urlPath": f"men/tops-men/{key}-men", "level": 4, "children": []}
            for name, key in (("Jackets", "jackets"), ("Hoodies & Sweatshirts", "hoodies-and-sweatshirts"),
                              ("Tees", "tees"), ("Tanks", "tanks"))
        ],
    }  # fmt: skip
    assert category["productCount"] > 0


async def test_category_product_count_matches_its_listing(gql: Gql) -> None:
    body = await gql(CATEGORY, {"urlPath": "gear/bags"})
    category = body["data"]["category"]
    listing = await gql(LISTING, {"categoryUid": category["uid"], "pageSize": 1})
    assert category["productCount"] == listing["data"]["products"]["totalCount"]


async def test_unknown_category_is_null(gql: Gql) -> None:
    body = await gql(CATEGORY, {"urlPath": "no/such-category"})
    assert body == {"data": {"category": None}}


# --- input validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variables",
    [{"page": 0}, {"pageSize": 0}, {"pageSize": 101}, {"search": "x" * 201}, {"categoryUid": "not a uid!"},
     {"filter": {"priceFrom": "-1"}}, {"filter": {"priceFrom": "50", "priceTo": "10"}},
     {"filter": {"priceFrom": "cheap"}}, {"filter": {"skus": []}}, {"filter": {"name": " "}}],
    ids=["page-0", "page-size-0", "page-size-101", "long-search", "bad-uid", "negative-price", "inverted-range",
         "price-not-a-number", "no-skus", "blank-name"],
)  # fmt: skip
async def test_invalid_listing_arguments_are_bad_user_input(gql: Gql, variables: dict[str, Any]) -> None:
    body = await gql(LISTING, variables)
    assert errors_of(body) == ["BAD_USER_INPUT"]
    assert body["data"] is None


@pytest.mark.parametrize("variables", [{}, {"sku": "BAG-001", "urlKey": "joust-duffle-bag"}, {"sku": " "}],
                         ids=["neither", "both", "blank"])  # fmt: skip
async def test_product_needs_exactly_one_of_url_key_and_sku(gql: Gql, variables: dict[str, Any]) -> None:
    body = await gql(PRODUCT, variables)
    assert errors_of(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("depth", [0, 6])
async def test_category_tree_depth_outside_one_to_five_is_bad_user_input(gql: Gql, depth: int) -> None:
    body = await gql(CATEGORY_TREE, {"depth": depth})
    assert errors_of(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "`depth` must be between 1 and 5."


TILE_AND_PAGE = """query TileAndPage($sku: String!) {
  products(filter: {skus: [$sku]}) { items { __typename id sku name } }
  product(sku: $sku) { __typename id sku name }
}"""
TILES_WITH_PAGE_FIELDS = """{ products(filter: {skus: ["BAG-001", "BAG-002", "TEE-CFG"]}) {
  items { sku shortDescription variants { sku } } } }"""


async def test_a_listing_tile_and_the_product_page_are_one_cached_object(gql: Gql) -> None:
    data = (await gql(TILE_AND_PAGE, {"sku": "BAG-001"}))["data"]
    [tile] = data["products"]["items"]
    assert tile == data["product"]
    assert tile["__typename"] == "Product"


async def test_the_page_fields_of_a_listings_tiles_take_one_magento_call(client: httpx.AsyncClient, gql: Gql) -> None:
    response = await client.post("/graphql", json={"query": TILES_WITH_PAGE_FIELDS})
    items = response.json()["data"]["products"]["items"]
    assert [(i["sku"], len(i["variants"])) for i in items] == [("BAG-001", 0), ("BAG-002", 0), ("TEE-CFG", 5)]
    # actual cost = 9 objects (page, 3 tiles, 5 in-stock variants) + ProductListing (5) + ONE ProductsBySkus (5)
    assert response.json()["extensions"]["cost"]["actualQueryCost"] == 9 + 5 + 5
