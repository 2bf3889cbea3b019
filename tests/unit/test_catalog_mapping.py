"""Magento catalog results → catalog models, including the cases the sandbox never produces."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar, cast

from bff.catalog.mapping import (
    category_from_magento,
    countries_from_magento,
    product_from_magento,
    product_page_from_magento,
)
from bff.catalog.models import Country, Region
from bff.catalog.service import CatalogService
from bff.magento.operations import Request
from bff.magento.results.catalog import (
    CategoryByUrlPathResultCategoriesItems,
    CountriesResultCountries,
    ProductListingResultProducts,
)
from bff.magento.results.fragments import CatalogProductDetail
from bff.money import Money
from bff.shopper import Gateway
from tests.fake_clock import FakeClock

R = TypeVar("R")

# Every key CatalogProductDetail selects, null (Magento answers every selected key).
DETAIL_KEYS = ("__typename", "uid", "sku", "name", "url_key", "stock_status", "only_x_left_in_stock", "description",
               "short_description", "thumbnail", "image", "media_gallery", "price_range", "categories")  # fmt: skip
NODE_KEYS = ("uid", "name", "url_path", "level", "position", "product_count")


def country(code: str, name: str, regions: list[Any] | None) -> dict[str, Any]:
    return {"id": code, "two_letter_abbreviation": code, "full_name_locale": name, "full_name_english": None,
            "available_regions": regions}  # fmt: skip


US = country("US", "United States", [{"id": 57, "code": "TX", "name": "Texas"}, None])
FR = country("FR", "France", None)
AT = country("AT", "Österreich", [])
PL = country("PL", "Polen", [])


def countries(*rows: dict[str, Any] | None) -> list[CountriesResultCountries | None]:
    return [CountriesResultCountries(r) if r is not None else None for r in rows]


def detail(**fields: Any) -> CatalogProductDetail:
    return CatalogProductDetail({**dict.fromkeys(DETAIL_KEYS), "price_range": {"minimum_price": price(0.0)}, **fields})


def node(**fields: Any) -> dict[str, Any]:
    return {**dict.fromkeys(NODE_KEYS), **fields}


def price(value: float, final: float | None = None, percent: float | None = 0.0) -> dict[str, Any]:
    return {
        "regular_price": {"value": value, "currency": "USD"},
        "final_price": {"value": final if final is not None else value, "currency": "USD"},
        "discount": {"percent_off": percent},
    }


def variant(sku: str, color_uid: str, stock: str) -> dict[str, Any]:
    return {
        "attributes": [{"code": "color", "uid": color_uid, "label": color_uid.title()}],
        "product": {"sku": sku, "stock_status": stock, "only_x_left_in_stock": None,
                    "price_range": {"minimum_price": price(10.0)}},
    }  # fmt: skip


def test_countries_without_store_settings_require_regions_where_magento_lists_them() -> None:
    found = countries_from_magento(countries(US, FR, None))
    assert found == [
        Country(code="FR", name="France", regions=(), region_required=False, postcode_required=True),
        Country(code="US", name="United States", regions=(Region(57, "TX", "Texas"),), region_required=True,
                postcode_required=True),
    ]  # fmt: skip


def test_countries_follow_magentos_required_region_and_optional_zip_settings() -> None:
    found = countries_from_magento(countries(US, FR), countries_with_required_region="FR", optional_zip_countries="US")
    assert [(c.code, c.region_required, c.postcode_required) for c in found] == [
        ("FR", True, True),
        ("US", False, False),
    ]


def test_countries_sort_accented_names_alphabetically() -> None:
    assert [c.code for c in countries_from_magento(countries(PL, AT, US))] == ["AT", "PL", "US"]


def test_country_finds_a_region_by_code_or_name() -> None:
    us = countries_from_magento(countries(US))[0]
    assert us.find_region("tx") == us.find_region("Texas") == Region(57, "TX", "Texas")
    assert us.find_region("Ontario") is None


def test_option_value_is_out_of_stock_when_no_in_stock_variant_has_it() -> None:
    product = product_from_magento(detail(
        __typename="ConfigurableProduct", uid="P1", sku="CFG", name="Tee", stock_status="IN_STOCK",
        price_range={"minimum_price": price(10.0)},
        configurable_options=[{"uid": "O1", "attribute_code": "color", "label": "Color", "values": [
            {"uid": "red", "label": "Red", "swatch_data": {"value": "#ff0000"}},
            {"uid": "blue", "label": "Blue", "swatch_data": None},
        ]}],
        variants=[variant("CFG-red", "red", "IN_STOCK"), variant("CFG-blue", "blue", "OUT_OF_STOCK")],
    ))  # fmt: skip
    values = product.options[0].values
    assert [(v.label, v.swatch, v.in_stock) for v in values] == [("Red", "#ff0000", True), ("Blue", None, False)]
    assert [(v.sku, v.in_stock) for v in product.variants] == [("CFG-red", True), ("CFG-blue", False)]


def test_product_with_missing_optional_fields_gets_safe_defaults() -> None:
    product = product_from_magento(detail(uid="P2", sku="S", name=None, description=None,
                                          price_range={"minimum_price": price(5.0, percent=None)},
                                          only_x_left_in_stock=2.0,
                                          thumbnail={"url": None, "label": None}))  # fmt: skip
    assert (product.name, product.description, product.thumbnail, product.in_stock) == ("", "", None, False)
    assert product.only_x_left == 2
    assert product.price.final == Money(Decimal("5.0"), "USD")
    assert product.price.discount_percent == Decimal(0)


def test_gallery_hides_disabled_images_and_follows_positions() -> None:
    product = product_from_magento(detail(uid="P3", sku="G", media_gallery=[
        {"url": "b.jpg", "label": None, "position": 2, "disabled": False},
        {"url": "x.jpg", "label": None, "position": 1, "disabled": True},
        {"url": "a.jpg", "label": "A", "position": 1, "disabled": False},
    ]))  # fmt: skip
    assert [i.url for i in product.gallery] == ["a.jpg", "b.jpg"]


def test_product_page_computes_total_pages_when_magento_omits_them() -> None:
    products = ProductListingResultProducts(
        {"total_count": 41, "items": [None], "page_info": None, "aggregations": None, "sort_fields": None}
    )
    page = product_page_from_magento(products, page=2, page_size=20)
    assert (page.items, page.total_count, page.current_page, page.page_size, page.total_pages) == ((), 41, 2, 20, 3)


def test_category_keeps_only_the_requested_depth_in_position_order() -> None:
    men = node(uid="C1", name="Men", url_path="men", level=2, position=1, product_count=9,
               children=[node(uid="C3", name="B", position=2, children=[node(uid="C4", name="Deep")]),
                         node(uid="C2", name="A", position=1)])  # fmt: skip
    category = category_from_magento(CategoryByUrlPathResultCategoriesItems(men), 1)
    assert [c.name for c in category.children] == ["A", "B"]
    assert all(c.children == () for c in category.children)


# --- the countries cache (CatalogService with an injected clock) -------------------------------


class CountingShopper:
    """Stands in for ``Shopper``: answers ``Countries`` and counts the calls per store."""

    def __init__(self) -> None:
        self.store: str | None = "default"
        self.calls: list[str | None] = []

    async def call(self, request: Request[R], *, as_customer: bool = True, timeout_s: float | None = None) -> R:
        assert (request.operation.name, request.operation.policy.audience) == ("Countries", "public")
        self.calls.append(self.store)
        return request.operation.result({"storeConfig": None, "countries": [US]})


async def test_countries_are_fetched_again_after_ten_minutes_per_store_view() -> None:
    clock = FakeClock()
    service = CatalogService(clock=clock)
    fake = CountingShopper()
    shopper = cast(Gateway, fake)
    await service.countries(shopper)
    clock.advance(599)
    await service.countries(shopper)
    fake.store = "de"
    await service.countries(shopper)
    fake.store = "default"
    clock.advance(2)
    assert [c.code for c in await service.countries(shopper)] == ["US"]
    assert fake.calls == ["default", "de", "default"]
