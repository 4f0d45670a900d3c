"""Recording the feedback questionnaire a man fills in after part 2."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from participants.selectors import participant_locked
from workshops.models import Booking, BookingStatus, Feedback, FeedbackAnswer, LikertAnswer
from workshops.questionnaire import ITEMS
from workshops.services.access import man_check

if TYPE_CHECKING:
    from participants.models import Participant


def feedback_record(
    *, participant: Participant, answers: dict[str, int], comments: str, by: User
) -> Feedback:
    """Record a man's questionnaire; he must have attended part 2, and it is recorded once."""
    missing = [item.text for item in ITEMS if item.code not in answers]
    if missing:
        raise DomainError(f"Answer every statement: {missing[0]}", field=None)
    if any(answers[item.code] not in LikertAnswer.values for item in ITEMS):
        raise DomainError("Each answer is on the five-point scale.", field=None)
    with transaction.atomic():
        man = participant_locked(pk=participant.pk)
        man_check(by, man)
        if not Booking.objects.filter(
            participant=man, part=2, status=BookingStatus.ATTENDED
        ).exists():
            raise NotAllowedError(
                f"{man.pseudonym} has not attended part 2: feedback is recorded after it."
            )
        if Feedback.objects.filter(participant=man).exists():
            raise ConflictError(f"{man.pseudonym}'s feedback is already recorded.")
        feedback = Feedback.objects.create(
            participant=man, comments=comments.strip(), recorded_by=by
        )
        FeedbackAnswer.objects.bulk_create(
            FeedbackAnswer(feedback=feedback, item=item.code, answer=answers[item.code])
            for item in ITEMS
        )
        audit_record(actor=by, action="feedback.record", obj=feedback, participant=man.pseudonym)
    return feedback
