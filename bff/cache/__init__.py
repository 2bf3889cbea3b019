"""The response cache: whole answers of public catalog reads, answered before sessions and GraphQL.

``documents`` decides which documents may be cached, ``keys`` names an entry, ``entries`` is the
stored form, ``memory``/``redis``/``tiers`` keep entries, ``responses`` is the ASGI layer and
``purge`` the signed invalidation hook.
"""
