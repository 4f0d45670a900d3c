"""Checks run by `make lint` beyond ruff and mypy (the import contracts' own contract type)."""
