"""The CCHI catalogue, re-offence records, record sources and follow-up snapshots."""
