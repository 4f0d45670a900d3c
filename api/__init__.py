"""The REST API for custody and records systems: tokens, problem+json errors, /api/v1/."""
