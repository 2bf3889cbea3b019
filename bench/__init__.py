"""Benchmarks: ``python -m bench.catalog`` (servers under wrk, see README "Benchmark"), ``bench/mapping.py``
(the Magento boundary's mapping cost) and ``bench/locustfile.py`` (a storefront mix for Locust)."""
