"""What requests share so Magento does the work once.

The response cache: whole answers of public catalog reads, answered before sessions and GraphQL.
``documents`` decides which documents may be cached, ``keys`` names an entry, ``entries`` is the
stored form, ``memory``/``redis``/``tiers`` keep entries, ``responses`` is the ASGI layer and
``purge`` the signed invalidation hook. ``singleflight`` collapses identical public Magento reads
in flight at once into one call (used by ``bff.magento.client``).
"""
