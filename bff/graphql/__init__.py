"""The storefront GraphQL API (Strawberry): thin types and resolvers that call services."""
