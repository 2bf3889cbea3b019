"""Session custody: what the BFF keeps for a shopper, keyed by an opaque token the client holds."""
