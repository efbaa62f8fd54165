"""The village file format (SPEC section 3): parse with line-numbered errors, write, generate."""
