"""Deploy and wire the reference protocol; adapters for external contracts."""
