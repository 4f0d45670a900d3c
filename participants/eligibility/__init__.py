"""Eligibility: the facts of a case checked against a trial's versioned rule parameters."""

from participants.eligibility.rules import (
    CaseFacts,
    Failure,
    VictimFacts,
    age_on,
    evaluate,
    evaluate_victim,
)

__all__ = ["CaseFacts", "Failure", "VictimFacts", "age_on", "evaluate", "evaluate_victim"]
