"""The storefront schema's field costs, as data (the cost analysis in ``cost.py`` reads it).

Defaults (IBM's GraphQL cost directive spec and Shopify's calculated cost follow the same idea):
an object-typed field costs 1, a scalar or enum 0. A field with an entry here also costs

* ``operations``: the upstream Magento operations its resolver may call, weighing what each
  operation's policy declares (``cost`` in ``bff/magento/operations/*/policies.toml``);
* a list multiplier: ``slicing_argument`` (an argument of the field, e.g. ``pageSize``) or
  ``sized_by`` (an argument of the parent field, e.g. ``Query.products(pageSize)`` sizes
  ``ProductPage.items``), else ``assumed_size``;
* ``flat``: a fixed weight for the whole subtree (introspection: answered from memory, never by
  Magento, yet still limited);
* ``batched``: the operations are counted once per request (a per-request DataLoader serves every
  occurrence, e.g. the page fields of a listing's tiles).

``tests/contract/test_cost_map.py`` fails when a list of objects or a field with a resolver (every
field that can call Magento) has no entry, or when an entry names an unknown field or operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class FieldCost:
    operations: tuple[str, ...] = ()  # upstream operations the resolver may call (worst path)
    slicing_argument: str | None = None  # this field's argument that sizes the list
    sized_by: str | None = None  # the parent field's argument that sizes this list
    assumed_size: int = 1  # the list size when no argument says it
    flat: int | None = None  # a fixed cost for the field and everything below it
    batched: bool = False  # its operations run once per request however often the field is selected


_CART_STEP = ("GetCart",)  # a refused step reads the cart again to tell "gone" from "refused"

COST_MAP: Final[dict[str, FieldCost]] = {
    # --- root queries ---------------------------------------------------------------------
    "Query.storeConfig": FieldCost(operations=("StoreConfig",)),
    "StoreConfig.storeViews": FieldCost(operations=("StoreViews", "StoreCurrencies"), assumed_size=5),
    "Query.products": FieldCost(operations=("ProductListingOptions", "ProductListing")),
    # by URL key one call per occurrence; by SKU the request's ProductsBySkus batch (once per request)
    "Query.product": FieldCost(operations=("ProductByUrlKey",)),
    "Query.categoryTree": FieldCost(operations=("CategoryTree",), assumed_size=8),
    "Query.category": FieldCost(operations=("CategoryByUrlPath",)),
    "Query.route": FieldCost(operations=("Route",)),
    "Query.countries": FieldCost(operations=("Countries",), assumed_size=50),
    "Query.cart": FieldCost(operations=("GetCart",)),
    "Query.checkout": FieldCost(operations=("GetCart",)),
    "Query.viewer": FieldCost(operations=("Viewer",)),
    # the worst path: a category (the tree, then the category by its URL path)
    "Query.node": FieldCost(operations=("CategoryTree", "CategoryByUrlPath")),
    # --- root mutations -------------------------------------------------------------------
    "Mutation.addToCart": FieldCost(operations=("CreateGuestCart", "AddProductsToCart", *_CART_STEP)),
    "Mutation.updateCartItems": FieldCost(operations=("UpdateCartItems", *_CART_STEP)),
    "Mutation.removeCartItem": FieldCost(operations=("RemoveCartItem", *_CART_STEP)),
    "Mutation.applyCoupon": FieldCost(operations=("ApplyCoupon", *_CART_STEP)),
    "Mutation.removeCoupon": FieldCost(operations=("RemoveCoupon", *_CART_STEP)),
    "Mutation.setGuestEmail": FieldCost(operations=("SetGuestEmail", *_CART_STEP)),
    "Mutation.setShippingAddress": FieldCost(operations=("Countries", "SetShippingAddress", *_CART_STEP)),
    "Mutation.setBillingAddress": FieldCost(operations=("Countries", "SetBillingAddress", *_CART_STEP)),
    "Mutation.setShippingMethod": FieldCost(operations=("SetShippingMethod", *_CART_STEP)),
    "Mutation.setPaymentMethod": FieldCost(operations=("SetPaymentMethod", *_CART_STEP)),
    "Mutation.placeOrder": FieldCost(operations=("GetCart", "PlaceOrder", "GetCart", "RecentOrders")),
    "Mutation.checkout": FieldCost(
        operations=(
            "SetGuestEmail",
            "Countries",
            "SetShippingAddress",
            "SetBillingAddress",
            "SetShippingMethod",
            "SetPaymentMethod",
            "GetCart",
            "PlaceOrder",
            "GetCart",
            "RecentOrders",
        )
    ),
    "Mutation.signUp": FieldCost(
        operations=(
            "CustomerPolicy",
            "CreateCustomer",
            "GuestCartToMerge",
            "GenerateCustomerToken",
            "CustomerWithCart",
            "AddProductsToCart",
        )
    ),
    "Mutation.signIn": FieldCost(
        operations=(
            "CustomerPolicy",
            "GuestCartToMerge",
            "GenerateCustomerToken",
            "CustomerWithCart",
            "AddProductsToCart",
        )
    ),
    "Mutation.signOut": FieldCost(operations=("RevokeCustomerToken",)),
    # --- lists of objects -----------------------------------------------------------------
    "ProductPage.items": FieldCost(sized_by="pageSize", assumed_size=20),
    "ProductPage.facets": FieldCost(assumed_size=8),
    "ProductFacet.options": FieldCost(assumed_size=10),
    "ProductSortFields.options": FieldCost(assumed_size=5),
    "Product.description": FieldCost(operations=("ProductsBySkus",), batched=True),
    "Product.shortDescription": FieldCost(operations=("ProductsBySkus",), batched=True),
    "Product.options": FieldCost(assumed_size=2),
    "ProductOption.values": FieldCost(assumed_size=6),
    "Product.variants": FieldCost(operations=("ProductsBySkus",), batched=True, assumed_size=12),
    "ProductVariant.attributes": FieldCost(assumed_size=2),
    "Product.gallery": FieldCost(operations=("ProductsBySkus",), batched=True, assumed_size=5),
    "Product.categories": FieldCost(operations=("ProductsBySkus",), batched=True, assumed_size=3),
    "Category.children": FieldCost(assumed_size=3),  # average branching of a storefront menu
    "Country.regions": FieldCost(assumed_size=10),
    "Cart.items": FieldCost(assumed_size=10),
    "Cart.availableShippingMethods": FieldCost(assumed_size=3),
    "Cart.availablePaymentMethods": FieldCost(assumed_size=3),
    "CartPrices.discounts": FieldCost(assumed_size=2),
    "CartLine.selectedOptions": FieldCost(assumed_size=2),
    "CheckoutState.availableShippingMethods": FieldCost(assumed_size=3),
    "CheckoutState.availablePaymentMethods": FieldCost(assumed_size=3),
    "Customer.orders": FieldCost(operations=("CustomerOrders",)),
    "OrderHistory.items": FieldCost(sized_by="pageSize", assumed_size=5),
    "CartPayload.userErrors": FieldCost(assumed_size=2),
    "OrderPayload.userErrors": FieldCost(assumed_size=2),
    "AuthPayload.userErrors": FieldCost(assumed_size=2),
    "AuthPayload.cart": FieldCost(operations=("GetCart",)),  # the session's cart, read when asked for
    # --- introspection: served from memory, limited all the same ------------------------------
    "Query.__schema": FieldCost(flat=100),
    "Query.__type": FieldCost(flat=10),
}
