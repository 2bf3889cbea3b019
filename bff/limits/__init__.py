"""Protecting Magento: static query limits, query cost, cost-budget throttling and rate limits.

Everything here runs at admission (``bff.graphql.view.BffGraphQL.admit``), before any upstream
call. Only ``redis.py`` modules speak to Redis; memory twins serve development and tests.
"""
