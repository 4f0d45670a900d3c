"""Writes: keyword-only, typed, one transaction each with its audit event."""
