"""Outbound domain events: the outbox on Redis Streams, its worker, the catalogue of event types."""
