"""Outbound domain events: the outbox on Redis Streams, its publisher and ``bff worker``'s delivery."""
