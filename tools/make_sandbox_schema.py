"""Cut the sandbox's SDL out of Magento's real storefront schema.

The sandbox (``bff/sandbox``) may only declare types and fields that exist in Magento 2.4's
schema, with the same types. Rather than typing that subset by hand, this tool slices it out of
``schema.graphql`` (+ ``default-install.graphql``): it keeps

* the root fields listed in ``ROOT_FIELDS``,
* for every object/interface type reached: the fields used by the sample operations in
  ``operations-sample/`` plus the fields listed in ``EXTRA_FIELDS``; a reached type with no
  entry in either keeps all of its leaf (scalar/enum) fields,
* the implementations of kept interfaces/unions listed in ``IMPLEMENTATIONS``,
* every input object and enum reached, whole.

Descriptions are dropped; deprecations are kept. The output is committed as
``bff/sandbox/schema.graphql`` and checked by ``tests/contract/test_sandbox_fidelity.py``.

Usage: ``python -m tools.make_sandbox_schema [--magento DIR] [--out FILE]``
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_ast_schema,
    get_named_type,
    is_input_object_type,
    is_interface_type,
    is_leaf_type,
    is_object_type,
    is_union_type,
    parse,
    print_ast,
    visit,
)
from graphql.language import (
    DefinitionNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    UnionTypeDefinitionNode,
)

from tools.magento_schema import magento_dir, magento_sdl

ROOT_FIELDS: dict[str, list[str]] = {
    "Query": [
        "storeConfig",
        "availableStores",
        "currency",
        "countries",
        "country",
        "products",
        "categories",
        "categoryList",
        "category",
        "route",
        "cart",
        "customerCart",
        "customer",
        "checkoutAgreements",
    ],
    "Mutation": [
        "createGuestCart",
        "createEmptyCart",
        "addProductsToCart",
        "updateCartItems",
        "removeItemFromCart",
        "applyCouponToCart",
        "removeCouponFromCart",
        "setGuestEmailOnCart",
        "setShippingAddressesOnCart",
        "setBillingAddressOnCart",
        "setShippingMethodsOnCart",
        "setPaymentMethodOnCart",
        "placeOrder",
        "createCustomerV2",
        "generateCustomerToken",
        "revokeCustomerToken",
        "mergeCarts",
        "assignCustomerToGuestCart",
    ],
}

# The sandbox store's own runtime filter fields (FACTS.md, "Fields Magento adds at runtime"): its
# layered navigation aggregates the select attributes `color` and `size`, so a real store set up
# like it (is_filterable) adds them to ProductAttributeFilterInput as FilterEqualTypeInput.
STORE_FILTER_ATTRIBUTES: dict[str, str] = {"color": "FilterEqualTypeInput", "size": "FilterEqualTypeInput"}


def store_attributes_sdl() -> str:
    fields = "\n".join(f"  {code}: {type_}" for code, type_ in STORE_FILTER_ATTRIBUTES.items())
    return f"\nextend input ProductAttributeFilterInput {{\n{fields}\n}}\n"


IMPLEMENTATIONS: dict[str, list[str]] = {
    "ProductInterface": ["SimpleProduct", "ConfigurableProduct", "VirtualProduct"],
    "CategoryInterface": ["CategoryTree"],
    "CartItemInterface": ["SimpleCartItem", "ConfigurableCartItem", "VirtualCartItem"],
    "MediaGalleryInterface": ["ProductImage", "ProductVideo"],
    "OrderItemInterface": ["OrderItem"],
    "CartAddressInterface": ["ShippingCartAddress", "BillingCartAddress"],
    "ProductLinksInterface": [],
    "AggregationOptionInterface": ["AggregationOption"],
    "CartUserInputError": [],
    "CartItemError": [],
    "SwatchDataInterface": ["TextSwatchData", "ColorSwatchData"],
    "CustomAttributeValueInterface": [],
    "CustomizableOptionInterface": [],
    "UrlRewriteEntityInterface": [],
    "RoutableInterface": ["SimpleProduct", "ConfigurableProduct", "VirtualProduct", "CategoryTree", "CmsPage"],
    "PhysicalProductInterface": [],
    "CustomizableProductInterface": [],
}

_PRODUCT = [
    "uid",
    "id",
    "sku",
    "name",
    "url_key",
    "url_suffix",
    "url_path",
    "type_id",
    "stock_status",
    "only_x_left_in_stock",
    "special_price",
    "description",
    "short_description",
    "meta_title",
    "meta_description",
    "small_image",
    "thumbnail",
    "image",
    "media_gallery",
    "price_range",
    "categories",
    "created_at",
    "updated_at",
]
_CATEGORY = [
    "uid",
    "id",
    "name",
    "url_key",
    "url_path",
    "url_suffix",
    "level",
    "position",
    "path",
    "product_count",
    "children_count",
    "description",
    "breadcrumbs",
]
_CART_ITEM = ["uid", "id", "quantity", "is_available", "prices", "product", "errors"]
_CART_ADDRESS = [
    "uid",
    "firstname",
    "lastname",
    "company",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "telephone",
]

EXTRA_FIELDS: dict[str, list[str]] = {
    "RoutableInterface": ["relative_url", "redirect_code", "type"],
    "CmsPage": [
        "identifier",
        "url_key",
        "title",
        "content",
        "content_heading",
        "page_layout",
        "meta_title",
        "meta_description",
        "meta_keywords",
    ],
    "ProductInterface": _PRODUCT,
    "SimpleProduct": [*_PRODUCT, "weight"],
    "VirtualProduct": _PRODUCT,
    "ConfigurableProduct": [*_PRODUCT, "weight", "configurable_options", "variants"],
    "ConfigurableProductOptions": [
        "uid",
        "attribute_code",
        "attribute_uid",
        "label",
        "position",
        "values",
    ],
    "ConfigurableProductOptionsValues": [
        "uid",
        "label",
        "default_label",
        "store_label",
        "value_index",
        "swatch_data",
        "use_default_value",
    ],
    "ConfigurableVariant": ["attributes", "product"],
    "ConfigurableAttributeOption": ["code", "label", "uid", "value_index"],
    "CategoryInterface": _CATEGORY,
    "CategoryTree": [*_CATEGORY, "children"],
    "Breadcrumb": ["category_uid", "category_name", "category_level", "category_url_key", "category_url_path"],
    "Products": ["total_count", "page_info", "items", "aggregations", "sort_fields"],
    "Aggregation": ["attribute_code", "label", "count", "options", "position"],
    "CategoryResult": ["items", "page_info", "total_count"],
    "Cart": [
        "id",
        "email",
        "is_virtual",
        "total_quantity",
        "items",
        "itemsV2",
        "prices",
        "applied_coupons",
        "applied_coupon",
        "shipping_addresses",
        "billing_address",
        "available_payment_methods",
        "selected_payment_method",
    ],
    "CartItems": ["items", "page_info", "total_count"],
    "CartItemInterface": _CART_ITEM,
    "SimpleCartItem": _CART_ITEM,
    "VirtualCartItem": _CART_ITEM,
    "ConfigurableCartItem": [*_CART_ITEM, "configurable_options", "configured_variant"],
    "SelectedConfigurableOption": [
        "configurable_product_option_uid",
        "configurable_product_option_value_uid",
        "option_label",
        "value_label",
        "id",
        "value_id",
    ],
    "CartItemPrices": [
        "price",
        "price_including_tax",
        "row_total",
        "row_total_including_tax",
        "total_item_discount",
        "discounts",
    ],
    "CartPrices": [
        "grand_total",
        "subtotal_including_tax",
        "subtotal_excluding_tax",
        "subtotal_with_discount_excluding_tax",
        "applied_taxes",
        "discounts",
    ],
    "CartAddressInterface": _CART_ADDRESS,
    "ShippingCartAddress": [*_CART_ADDRESS, "available_shipping_methods", "selected_shipping_method"],
    "BillingCartAddress": _CART_ADDRESS,
    "AvailableShippingMethod": [
        "carrier_code",
        "carrier_title",
        "method_code",
        "method_title",
        "available",
        "error_message",
        "amount",
        "price_excl_tax",
        "price_incl_tax",
    ],
    "SelectedShippingMethod": ["carrier_code", "carrier_title", "method_code", "method_title", "amount"],
    "Customer": [
        "firstname",
        "lastname",
        "email",
        "addresses",
        "orders",
        "is_subscribed",
        "created_at",
        "date_of_birth",
        "default_billing",
        "default_shipping",
    ],
    "CustomerAddress": [
        "id",
        "uid",
        "firstname",
        "lastname",
        "company",
        "street",
        "city",
        "region",
        "region_id",
        "postcode",
        "country_code",
        "telephone",
        "default_shipping",
        "default_billing",
    ],
    "CustomerOrders": ["items", "page_info", "total_count"],
    "CustomerOrder": [
        "id",
        "number",
        "order_number",
        "increment_id",
        "token",
        "status",
        "order_date",
        "created_at",
        "email",
        "total",
        "items",
        "grand_total",
        "shipping_method",
        "payment_methods",
        "shipping_address",
        "billing_address",
        "applied_coupons",
    ],
    "OrderItemInterface": [
        "id",
        "product_sku",
        "product_name",
        "product_url_key",
        "product_type",
        "quantity_ordered",
        "product_sale_price",
        "status",
    ],
    "OrderItem": [
        "id",
        "product_sku",
        "product_name",
        "product_url_key",
        "product_type",
        "quantity_ordered",
        "product_sale_price",
        "status",
    ],
    "OrderTotal": ["grand_total", "subtotal", "total_shipping", "total_tax", "discounts", "base_grand_total"],
    "OrderAddress": [
        "firstname",
        "lastname",
        "company",
        "street",
        "city",
        "region",
        "region_id",
        "postcode",
        "country_code",
        "telephone",
    ],
    "StoreConfig": [
        "store_code",
        "store_name",
        "code",
        "locale",
        "base_currency_code",
        "default_display_currency_code",
        "root_category_uid",
        "root_category_id",
        "product_url_suffix",
        "category_url_suffix",
        "is_guest_checkout_enabled",
        "cart_expires_in_days",
        "grid_per_page",
        "list_per_page",
        "catalog_default_sort_by",
        "default_country",
        "is_default_store",
        "website_code",
        "timezone",
        "weight_unit",
        "base_url",
        "base_media_url",
        "minimum_password_length",
        "required_character_classes_number",
        "customer_access_token_lifetime",
        "countries_with_required_region",
        "optional_zip_countries",
        "display_state_if_optional",
    ],
    "Currency": [
        "base_currency_code",
        "base_currency_symbol",
        "default_display_currency_code",
        "default_display_currency_symbol",
        "available_currency_codes",
        "exchange_rates",
    ],
    "Country": [
        "id",
        "two_letter_abbreviation",
        "three_letter_abbreviation",
        "full_name_locale",
        "full_name_english",
        "available_regions",
    ],
    "PlaceOrderOutput": ["orderV2", "errors", "order"],
    "CustomerOutput": ["customer"],
    "CreateGuestCartOutput": ["cart"],
    "AddProductsToCartOutput": ["cart", "user_errors"],
    "ProductImage": ["url", "label", "position", "disabled"],
    "ProductVideo": ["url", "label", "position", "disabled", "video_content"],
    "MediaGalleryInterface": ["url", "label", "position", "disabled"],
    "SearchResultPageInfo": ["current_page", "page_size", "total_pages"],
    "CustomerToken": ["token"],
}


def _used_fields(schema: GraphQLSchema, ops_dir: Path) -> dict[str, set[str]]:
    used: dict[str, set[str]] = defaultdict(set)
    for path in sorted(ops_dir.glob("*.graphql")):
        doc = parse(path.read_text())
        info = TypeInfo(schema)

        class Collect(Visitor):
            def __init__(self, info: TypeInfo) -> None:
                super().__init__()
                self.info = info

            def enter_field(self, node: FieldNode, *_: object) -> None:
                parent = self.info.get_parent_type()
                if parent is not None and not node.name.value.startswith("__"):
                    used[parent.name].add(node.name.value)

        visit(doc, TypeInfoVisitor(info, Collect(info)))
    return used


def _cut(schema: GraphQLSchema, used: dict[str, set[str]]) -> dict[str, set[str] | None]:
    """Return kept type name -> kept field names (None: whole type)."""
    kept: dict[str, set[str] | None] = {}
    queue: list[str] = []

    def want_type(name: str) -> None:
        if name not in kept and not name.startswith("__"):
            kept[name] = set()
            queue.append(name)

    for root, root_fields in ROOT_FIELDS.items():
        kept[root] = set(root_fields)
        queue.append(root)
    while queue:
        name = queue.pop()
        gtype = schema.get_type(name)
        assert gtype is not None, name
        if is_object_type(gtype) or is_interface_type(gtype):
            assert isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType)
            fields = kept[name]
            assert fields is not None
            if name not in ROOT_FIELDS:
                explicit = used.get(name, set()) | set(EXTRA_FIELDS.get(name, []))
                for iface in gtype.interfaces:
                    explicit |= set(EXTRA_FIELDS.get(iface.name, [])) | used.get(iface.name, set())
                if not explicit:
                    explicit = {f for f, d in gtype.fields.items() if is_leaf_type(get_named_type(d.type))}
                if not explicit or name.endswith("Output"):
                    explicit |= set(gtype.fields)
                fields |= {f for f in explicit if f in gtype.fields}
            for fname in fields:
                field = gtype.fields[fname]
                want_type(get_named_type(field.type).name)
                for arg in field.args.values():
                    want_type(get_named_type(arg.type).name)
            if is_interface_type(gtype):
                assert name in IMPLEMENTATIONS, f"list the implementations of {name}"
                for impl in IMPLEMENTATIONS[name]:
                    want_type(impl)
            if is_object_type(gtype):
                for iface in gtype.interfaces:  # keep the interfaces we model, for fragments on them
                    if name in IMPLEMENTATIONS.get(iface.name, ()):
                        want_type(iface.name)
        elif is_union_type(gtype):
            kept[name] = None
            for member in gtype.types:
                if member.name in IMPLEMENTATIONS.get(name, [member.name]):
                    want_type(member.name)
        elif is_input_object_type(gtype):
            kept[name] = None
            for input_field in gtype.fields.values():
                want_type(get_named_type(input_field.type).name)
        else:
            kept[name] = None
    return kept


def _render(doc: DocumentNode, schema: GraphQLSchema, kept: dict[str, set[str] | None]) -> str:
    extensions: dict[str, list[object]] = defaultdict(list)
    for node in doc.definitions:
        if isinstance(node, InputObjectTypeExtensionNode):
            extensions[node.name.value].extend(node.fields or ())
    out: list[DefinitionNode] = []
    for node in doc.definitions:
        name = getattr(getattr(node, "name", None), "value", None)
        if name not in kept or isinstance(node, InputObjectTypeExtensionNode):
            continue
        if isinstance(node, ScalarTypeDefinitionNode) and name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        fields = kept[name]
        if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            assert fields is not None
            node = replace(
                node,
                fields=tuple(_strip(f) for f in node.fields or () if f.name.value in fields),
                interfaces=tuple(i for i in node.interfaces or () if i.name.value in kept),
            )
        elif isinstance(node, InputObjectTypeDefinitionNode):
            extra = extensions.get(name, [])
            node = replace(node, fields=tuple(_strip(f) for f in [*(node.fields or ()), *extra]))
        elif isinstance(node, EnumTypeDefinitionNode):
            node = replace(node, values=tuple(_strip(v) for v in node.values or ()))
        elif isinstance(node, UnionTypeDefinitionNode):
            node = replace(node, types=tuple(t for t in node.types or () if t.name.value in kept))
        out.append(_strip(node))
    header = (
        "# Generated by tools/make_sandbox_schema.py from Magento 2.4's storefront schema.\n"
        "# A subset: every type and field here exists in Magento with the same type. Do not edit.\n\n"
    )
    return header + print_ast(DocumentNode(definitions=tuple(out))) + "\n"


def _strip(node: Any) -> Any:
    """Drop descriptions (of the node and its arguments)."""
    changes: dict[str, Any] = {}
    if getattr(node, "description", None) is not None:
        changes["description"] = None
    if getattr(node, "arguments", None):
        changes["arguments"] = tuple(_strip(a) for a in node.arguments)
    return replace(node, **changes) if changes else node


def main() -> None:
    default_dir = str(magento_dir())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--magento", default=default_dir)
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parents[1] / "bff" / "sandbox" / "schema.graphql")
    )
    args = parser.parse_args()
    magento = Path(args.magento)
    text = magento_sdl(magento) + store_attributes_sdl()
    schema = build_ast_schema(parse(text))
    kept = _cut(schema, _used_fields(schema, magento / "operations-sample"))
    Path(args.out).write_text(_render(parse(text), schema, kept))
    print(f"wrote {args.out}: {len(kept)} types")


if __name__ == "__main__":
    main()
