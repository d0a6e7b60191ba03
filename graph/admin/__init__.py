"""Administration: API keys and erasure of a person's data."""
