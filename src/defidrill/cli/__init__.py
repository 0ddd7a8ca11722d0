"""The `defidrill` command line."""
