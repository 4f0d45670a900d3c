"""The feedback questionnaire after part 2: its Likert items, as the reports name them."""

from __future__ import annotations

from dataclasses import dataclass

from workshops.models import LikertAnswer


@dataclass(frozen=True)
class Item:
    code: str
    text: str


# The statements of the original CARA interim report; codes are stable keys for the reports.
ITEMS = [
    Item("attitude_to_partner", "The workshops changed my attitude to my partner."),
    Item("relationship_issues", "The workshops helped address issues in my relationship."),
    Item("understand_behaviour", "I understand better how my behaviour affects others."),
    Item("would_recommend", "I would recommend the workshops to someone in my situation."),
]
AGREEING = (LikertAnswer.AGREE, LikertAnswer.STRONGLY_AGREE)
