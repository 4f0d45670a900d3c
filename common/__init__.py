"""Shared base: users and roles, organisations, audit events, domain errors and helpers."""
