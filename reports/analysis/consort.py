"""CONSORT flow counts: enrolment, allocation, follow-up and analysis per arm."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reports.analysis.dataset import TrialMeta


def consort_flow(*, frame: pd.DataFrame, meta: TrialMeta) -> dict[str, Any]:
    """Return the CONSORT counts; None wherever the count was never recorded, never zero."""
    screening = meta.screening
    by_reason = None if screening is None else screening.excluded_by_reason
    arms: dict[str, Any] = {}
    for arm in meta.arms:
        rows = frame[frame["arm"] == arm.code]
        allocated = len(rows)
        received = not_received = None
        not_recorded = 0
        if arm.is_intervention:
            workshops = rows["workshops_attended"]
            not_recorded = int(workshops.isna().sum())
            if not_recorded < allocated:
                received = int((workshops == 2).sum())
                not_received = int((workshops < 2).sum())
        withdrawn = int(rows["withdrawn"].sum())
        arms[arm.code] = {
            "allocated": allocated,
            # Received = attended both workshops; control has no workshops, so the count is None.
            "received": received,
            "not_received": not_received,
            "received_not_recorded": not_recorded if arm.is_intervention else None,
            "withdrawn": withdrawn,
            # The contract has no loss-to-follow-up field: say so rather than print a zero.
            "lost_to_follow_up": None,
            # Outcomes come from police records, which follow a man who withdrew from the
            # workshops, so intention-to-treat analyses every randomised participant.
            "analysed": allocated,
            "excluded_from_analysis": 0,
        }
    return {
        "assessed": None if screening is None else screening.assessed,
        "excluded": None if by_reason is None else sum(by_reason.values()),
        "excluded_by_reason": None if by_reason is None else dict(sorted(by_reason.items())),
        "randomised": len(frame),
        "arms": arms,
    }
