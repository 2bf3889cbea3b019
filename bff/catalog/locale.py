"""The ``Store`` and ``Content-Currency`` headers, checked against what the shop offers.

A store view code that is well formed but unknown, or a currency the store view does not allow,
would make Magento refuse every request sent with it. Such a header is refused as
``BAD_USER_INPUT`` naming the header, before any other call is made with it and before it is
remembered in the session. The check reads the shop's store views and their currencies
(``CatalogService.store_views``, read from Magento once and kept in process for ten minutes, the
same list a store switcher shows), so unknown codes cost no upstream call.
"""

from __future__ import annotations

from collections.abc import Sequence

from bff.catalog.models import StoreView
from bff.errors import BadUserInput

LOCALES_TTL_S = 600.0


def check_locale(views: Sequence[StoreView], store: str | None, usual_store: str | None, currency: str | None) -> None:
    """Raise ``BadUserInput`` naming the header when ``store`` or ``currency`` is not offered.

    ``store``: the header's store view (None: the shopper's ``usual_store``, else the default
    one); ``currency``: the header's currency, checked against the store view it will be used with."""
    by_code = {view.code: view for view in views}
    if store is not None and store not in by_code:
        raise BadUserInput("The Store header names no store view of this shop: use a `storeCode` such as 'default'.")
    if currency is None:
        return
    target = by_code.get(store or usual_store or "") or next((v for v in views if v.is_default), None)
    if target is not None and currency not in target.currencies:
        raise BadUserInput("The Content-Currency header names a currency this store view does not offer.")
