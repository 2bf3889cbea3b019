"""Signed webhooks from Magento: ``POST /hooks/magento/{event}`` (``router``), its event-id store, its handlers."""
