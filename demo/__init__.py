"""The demo trial loaded by the run command: synthetic data across every app."""
