"""CONSORT flow counts: enrolment, allocation, follow-up and analysis per arm."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reports.analysis.dataset import ArmFlow, TrialMeta


def _flow_from_rows(rows: pd.DataFrame, *, code: str, is_intervention: bool) -> ArmFlow:
    """Return an arm's flow when the dataset carries none: everyone randomised is analysed."""
    workshops = rows["workshops_attended"]
    not_recorded = int(workshops.isna().sum())
    recorded = is_intervention and not_recorded < len(rows)
    return ArmFlow(
        arm=code,
        randomised=len(rows),
        window_open=0,
        not_frozen=0,
        withdrawn=int(rows["withdrawn"].sum()),
        received=int((workshops == 2).sum()) if recorded else None,
        not_received=int((workshops < 2).sum()) if recorded else None,
        received_not_recorded=not_recorded if is_intervention else None,
    )


def consort_flow(*, frame: pd.DataFrame, meta: TrialMeta) -> dict[str, Any]:
    """Return the CONSORT counts; None wherever the count was never recorded, never zero.

    Enrolment: assessed, and excluded before randomisation by reason. Allocation: everyone
    randomised to the arm by the cut (`meta.flow`), with the intervention received. Follow-up:
    windows not yet closed, closed but not frozen, withdrawn, lost. Analysis: the dataset's rows.
    """
    screening = meta.screening
    by_reason = None if screening is None else screening.excluded_by_reason
    flows = {f.arm: f for f in meta.flow or ()}
    arms: dict[str, Any] = {}
    for arm in meta.arms:
        rows = frame[frame["arm"] == arm.code]
        flow = flows.get(arm.code) or _flow_from_rows(
            rows, code=arm.code, is_intervention=arm.is_intervention
        )
        analysed = len(rows)
        arms[arm.code] = {
            "allocated": flow.randomised,
            # Received = attended both workshops, over everyone allocated by the cut; control
            # has no workshops, so its counts are None.
            "received": flow.received,
            "not_received": flow.not_received,
            "received_not_recorded": flow.received_not_recorded,
            "window_open": flow.window_open,
            "not_frozen": flow.not_frozen,
            # Of not_frozen: a record's offence code is not in the catalogue yet.
            "not_scorable": flow.not_scorable,
            "withdrawn": flow.withdrawn,
            # The contract has no loss-to-follow-up field: say so rather than print a zero.
            "lost_to_follow_up": None,
            # Outcomes come from police records, which follow a man who withdrew from the
            # workshops, so intention-to-treat analyses every participant whose window is
            # frozen, withdrawn or not: nobody with a snapshot is excluded.
            "analysed": analysed,
            "withdrawn_analysed": int(rows["withdrawn"].sum()),
            "excluded_from_analysis": 0,
            # Harms: victim-safety events by arm (None: not recorded, e.g. an imported trial).
            "safety_events": flow.safety_events,
        }
    return {
        "assessed": None if screening is None else screening.assessed,
        "excluded": None if by_reason is None else sum(by_reason.values()),
        "excluded_by_reason": None if by_reason is None else dict(sorted(by_reason.items())),
        "randomised": sum(a["allocated"] for a in arms.values()),
        "analysed": len(frame),
        "arms": arms,
    }
