"""What Magento announced about orders after they were placed (its order-status webhook)."""
