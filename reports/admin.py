"""Admin registrations for trial managers."""
