"""Screening, eligibility rules, victims and consent, enrolment."""
