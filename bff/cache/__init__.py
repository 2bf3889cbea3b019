"""Caching of public reads: what is shared between requests so Magento does the work once."""
