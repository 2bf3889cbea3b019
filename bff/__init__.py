"""bff: a backend-for-frontend for headless Magento 2 storefronts."""
