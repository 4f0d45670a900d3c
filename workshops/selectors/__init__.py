"""Reads of the workshops app: who sees which cycles, sessions, men and breaches is decided here.

The public surface of workshops' reads: views, other apps (reports) and the demo import from
here only.
"""

from workshops.questionnaire import AGREEING, ITEMS, Item
from workshops.rules import day_text, parts_needed, session_name
from workshops.selectors.calendar import (
    Day,
    month_grid,
    parse_monday,
    parse_month,
    shift_month,
    week_days,
)
from workshops.selectors.case import CaseWorkshops, case_workshops
from workshops.selectors.dashboard import register_breach_bucket
from workshops.selectors.feed import feed_owner, feed_render, feed_sessions
from workshops.selectors.oversight import *  # noqa: F403  (counts for the oversight app)
from workshops.selectors.register import (
    attended_part_2,
    breach_of,
    corrections_recorded,
    feedback_answers,
    live_bookings,
    trial_workshop_counts,
)
from workshops.selectors.schedule import (
    DECIDED_ORDER,
    QUEUE_ORDER,
    ItemSummary,
    awaiting_attendance,
    booking_history,
    booking_stop,
    breach_get,
    breaches_visible_to,
    compliance_for_trial,
    cycle_get,
    cycles_visible_to,
    feedback_summary,
    feedback_to_record,
    open_breaches_for_officer,
    open_cycles,
    past_deadline,
    rebooking_flags_for_officer,
    scheduling_queue,
    session_get,
    sessions_visible_to,
    workshop_participant_get,
    workshops_done,
)
from workshops.selectors.scope import (
    AreaDelivery,
    deliveries_for,
    delivery_of,
    own_cycles,
    provider_scope,
    provider_serves,
    providers,
    trial_areas,
)

__all__ = [
    "AGREEING",
    "DECIDED_ORDER",
    "ITEMS",
    "QUEUE_ORDER",
    "AreaDelivery",
    "CaseWorkshops",
    "Day",
    "Item",
    "ItemSummary",
    "attended_part_2",
    "awaiting_attendance",
    "booking_history",
    "booking_stop",
    "breach_get",
    "breach_of",
    "breaches_visible_to",
    "case_workshops",
    "compliance_for_trial",
    "corrections_recorded",
    "cycle_get",
    "cycles_visible_to",
    "day_text",
    "deliveries_for",
    "delivery_of",
    "feed_owner",
    "feed_render",
    "feed_sessions",
    "feedback_answers",
    "feedback_summary",
    "feedback_to_record",
    "live_bookings",
    "month_grid",
    "open_breaches_for_officer",
    "open_cycles",
    "own_cycles",
    "parse_monday",
    "parse_month",
    "parts_needed",
    "past_deadline",
    "provider_scope",
    "provider_serves",
    "providers",
    "rebooking_flags_for_officer",
    "register_breach_bucket",
    "scheduling_queue",
    "session_get",
    "session_name",
    "sessions_visible_to",
    "shift_month",
    "trial_areas",
    "trial_workshop_counts",
    "week_days",
    "workshop_participant_get",
    "workshops_done",
]
