"""Maintenance tools: generators of the documentation that the tests keep current."""
