"""Reads that depend on who is asking: row-level visibility is decided here."""
