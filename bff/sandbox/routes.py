"""``route(url:)``: a storefront URL resolved to its product, category or CMS page, as Magento's
``Magento\\UrlRewriteGraphQl\\Model\\Resolver\\Route`` (with ``EntityUrl``'s lookup) does.

The store's URL rewrites are derived from the catalog, not stored: a visible product answers
``<url_key>.html``, a category of the store's tree ``<url_path>.html`` (``product_url_suffix`` /
``category_url_suffix``), an active CMS page its ``identifier``; ``state.redirects`` adds custom
rewrites with a redirect. The lookup follows Magento's:

* an empty URL is refused (``"url" argument should be specified and not empty``);
* one leading ``/`` is dropped, and ``/`` itself is the home page (``HomePageUrlLocator``:
  ``web/default/cms_home_page``);
* a rewrite is looked up by request path; a redirect (301/302) is followed to the final rewrite,
  whose request path is ``relative_url``, with the first rewrite's ``redirect_code``;
* when no request path matches, a target path (``catalog/product/view/id/<id>``,
  ``catalog/category/view/id/<id>``, ``cms/page/view/page_id/<id>``) finds its rewrite;
* nothing found: null.

Cache tags: the entity's (``cat_p_<id>``, ``cat_c_<id>``, ``cms_p_<id>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo

from bff.sandbox.catalog_views import URL_SUFFIX, LazyView, category_view, product_view
from bff.sandbox.context import RequestContext, RootResolver, context_of
from bff.sandbox.errors import InputError
from bff.sandbox.seed import HOME_PAGE
from bff.sandbox.state import Category, CmsPage, Product

Info = GraphQLResolveInfo

_TARGET = re.compile(r"^(catalog/product/view/id|catalog/category/view/id|cms/page/view/page_id)/(\d+)$")


@dataclass(frozen=True)
class _Rewrite:
    request_path: str
    target_path: str
    redirect_type: int
    entity: Product | Category | CmsPage | None  # None: a custom rewrite


def _in_store(ctx: RequestContext, category: Category) -> bool:
    return category.level >= 2 and str(ctx.store.root_category_id) in category.path.split("/")


def _product_rewrite(product: Product) -> _Rewrite:
    return _Rewrite(f"{product.url_key}{URL_SUFFIX}", f"catalog/product/view/id/{product.id}", 0, product)


def _category_rewrite(category: Category) -> _Rewrite:
    return _Rewrite(f"{category.url_path}{URL_SUFFIX}", f"catalog/category/view/id/{category.id}", 0, category)


def _page_rewrite(page: CmsPage) -> _Rewrite:
    return _Rewrite(page.identifier, f"cms/page/view/page_id/{page.id}", 0, page)


def _by_request_path(ctx: RequestContext, path: str) -> _Rewrite | None:
    state = ctx.state
    redirect = state.redirects.get(path)
    if redirect is not None:
        return _Rewrite(redirect.request_path, redirect.target_path, redirect.redirect_type, None)
    if path.endswith(URL_SUFFIX):
        key = path.removesuffix(URL_SUFFIX)
        product = next((p for p in state.products.values() if p.visible and p.url_key == key), None)
        if product is not None:
            return _product_rewrite(product)
        category = next((c for c in state.categories.values() if c.url_path == key and _in_store(ctx, c)), None)
        if category is not None:
            return _category_rewrite(category)
    page = state.cms_pages.get(path)
    return _page_rewrite(page) if page is not None and page.active else None


def _by_target_path(ctx: RequestContext, path: str) -> _Rewrite | None:
    match = _TARGET.match(path)
    if match is None:
        return None
    kind, entity_id = match.group(1), int(match.group(2))
    state = ctx.state
    if kind == "catalog/product/view/id":
        sku = state.product_ids.get(entity_id)
        product = state.products.get(sku) if sku is not None else None
        return _product_rewrite(product) if product is not None and product.visible else None
    if kind == "catalog/category/view/id":
        category = state.categories.get(entity_id)
        return _category_rewrite(category) if category is not None and _in_store(ctx, category) else None
    page = next((p for p in state.cms_pages.values() if p.id == entity_id and p.active), None)
    return _page_rewrite(page) if page is not None else None


def cms_page_view(page: CmsPage, ctx: RequestContext) -> dict[str, Any]:
    """The CmsPage dict (``CmsGraphQl``'s page data provider); adds the ``cms_p_<id>`` cache tag."""
    ctx.cache_tags.update({"cms_p", f"cms_p_{page.id}"})
    return {
        "__typename": "CmsPage",
        "identifier": page.identifier,
        "url_key": page.identifier,
        "title": page.title,
        "content": page.content,
        "content_heading": page.content_heading,
        "page_layout": page.page_layout,
        "meta_title": page.meta_title,
        "meta_description": page.meta_description,
        "meta_keywords": page.meta_keywords,
        "relative_url": page.identifier,
        "redirect_code": 0,
        "type": "CMS_PAGE",
    }


def _entity_view(entity: Product | Category | CmsPage, ctx: RequestContext) -> Mapping[str, Any]:
    if isinstance(entity, Product):
        return product_view(entity, ctx)
    if isinstance(entity, Category):
        return category_view(entity, ctx)
    return cms_page_view(entity, ctx)


def resolve_route(_root: Any, info: Info, url: str) -> Mapping[str, Any] | None:
    ctx = context_of(info)
    if not url.strip():
        raise InputError('"url" argument should be specified and not empty')
    if url.startswith("/") and url != "/":
        url = url.lstrip("/")
    if url == "/":
        url = HOME_PAGE
    rewrite = _by_request_path(ctx, url)
    redirect_code = 0
    if rewrite is not None:
        redirect_code = rewrite.redirect_type
        while rewrite is not None and rewrite.redirect_type > 0:
            rewrite = _by_request_path(ctx, rewrite.target_path)
    else:
        rewrite = _by_target_path(ctx, url)
    if rewrite is None or rewrite.entity is None:
        return None
    found = {"relative_url": rewrite.request_path, "redirect_code": redirect_code}
    view = _entity_view(rewrite.entity, ctx)
    return view.preset(found) if isinstance(view, LazyView) else {**view, **found}


QUERY_FIELDS: dict[str, RootResolver] = {"route": resolve_route}

__all__ = ["QUERY_FIELDS", "cms_page_view"]
