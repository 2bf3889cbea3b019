"""GraphiQL that works offline: its assets are served from an installed PyPI package.

The page loads React, ReactDOM and GraphiQL from ``/graphiql-assets/``, which ``bff.app`` mounts
from the ``graphene-django-graphiql-static`` wheel (no asset is copied into this repository and no
CDN is contacted). That wheel is the ``dev`` extra (``scripts/dev`` installs it; the test extra
includes it), not a runtime dependency: the production image does without it, and where it is
missing the GraphiQL page says how to install it while the API works as usual.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path

ASSETS_MOUNT = "/graphiql-assets"
_ASSETS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")

WELCOME = """# Welcome to the bff storefront API (development mode, Magento sandbox).
#
# 1. Run "Browse" below.  2. Add to the cart:
#    mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } userErrors { code } } }
# 3. Check out in one call (use a fresh idempotencyKey per order):
#    mutation { checkout(input: {idempotencyKey: "my-first-order-001", email: "jane@example.com",
#      shippingAddress: {firstname: "Jane", lastname: "Doe", street: ["1 Main St"], city: "Austin",
#        region: "TX", postcode: "78701", countryCode: "US", telephone: "5125550100"},
#      shippingMethod: {carrierCode: "flatrate", methodCode: "flatrate"}, paymentMethod: {code: "checkmo"}})
#      { order { number grandTotal { value currency } } userErrors { code message field } } }

query Browse {
  products(search: "bag", pageSize: 5) {
    totalCount
    items { sku name inStock price { final { value currency } } }
  }
}
"""


def assets_directory() -> Path | None:
    """The folder holding the GraphiQL bundle, or None when the package is not installed."""
    try:
        root = resources.files("graphene_django_graphiql_static")
    except ModuleNotFoundError:
        return None
    folder = Path(str(root)) / "static" / "graphene_django_graphiql_static"
    return folder if folder.is_dir() else None


def graphiql_html(endpoint: str) -> str:
    """The GraphiQL page for ENDPOINT, or a page saying how to install the assets when they are missing."""
    if assets_directory() is None:
        return _assets_missing_html(endpoint)
    scripts = "\n".join(f'  <script src="{ASSETS_MOUNT}/{name}"></script>' for name in _ASSETS)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>bff · GraphiQL</title>
  <style>html, body, #graphiql {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}</style>
  <link rel="stylesheet" href="{ASSETS_MOUNT}/graphiql.min.css">
{scripts}
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: {json.dumps(endpoint)}, fetch: (url, init) =>
      window.fetch(url, {{ ...init, credentials: "same-origin" }}) }});
    ReactDOM.render(
      React.createElement(GraphiQL, {{ fetcher, defaultQuery: {json.dumps(WELCOME)},
                                        shouldPersistHeaders: true }}),
      document.getElementById("graphiql"));
  </script>
</body>
</html>
"""


def _assets_missing_html(endpoint: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>bff · GraphiQL is not installed</title>
</head>
<body>
  <h1>GraphiQL is not installed</h1>
  <p>GraphiQL is on (<code>BFF_GRAPHIQL</code>), but its assets, the Python package
  <code>graphene-django-graphiql-static</code>, are not installed. Install the <code>dev</code>
  extra (<code>pip install -e '.[dev]'</code>; <code>scripts/dev</code> does it) and restart the server.</p>
  <p>The GraphQL API at <code>{html.escape(endpoint)}</code> works without it.</p>
</body>
</html>
"""
