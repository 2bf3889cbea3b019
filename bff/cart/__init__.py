"""The shopper's cart: lazy creation, items, coupons, recovery of gone or inactive carts."""
