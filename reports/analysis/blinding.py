"""Blinded datasets for a data monitoring committee: arms become A, B, ... with no mapping shown."""

from __future__ import annotations

import dataclasses
import hashlib
import string

from reports.analysis.dataset import AnalysisDataset, ArmInfo, dataset_sha256


def blind_dataset(*, dataset: AnalysisDataset) -> AnalysisDataset:
    """Return the dataset with arms relabelled by letter and everything arm-revealing removed."""
    meta = dataset.meta
    digest = dataset_sha256(dataset=dataset)
    # Letters follow a hash of the data and the arm code: stable for one data cut, but nobody can
    # tell from the letter which arm is the intervention.
    order = sorted(meta.arms, key=lambda a: hashlib.sha256(f"{digest}:{a.code}".encode()).digest())
    letter = {arm.code: string.ascii_uppercase[i] for i, arm in enumerate(order)}
    if len(order) == 2:
        # With two arms the reference is simply B, whichever arm that is.
        reference = order[1].code
    else:
        # With more arms, effects must still be against control; only the letter is hidden.
        reference = next(a.code for a in meta.arms if not a.is_intervention)
    arms = tuple(
        ArmInfo(
            code=letter[a.code], name=f"Arm {letter[a.code]}", is_intervention=a.code != reference
        )
        for a in order
    )
    rows = tuple(
        # Workshop attendance exists only in the intervention arm: it would unblind at once.
        dataclasses.replace(row, arm=letter[row.arm], workshops_attended=None)
        for row in dataset.rows
    )
    scheme = dataclasses.replace(
        meta.randomisation,
        ratios={letter[code]: ratio for code, ratio in meta.randomisation.ratios.items()},
    )
    flow = None
    if meta.flow is not None:
        # Received counts exist only for the intervention arm: dropped like the attendance.
        flow = tuple(
            dataclasses.replace(
                f,
                arm=letter[f.arm],
                received=None,
                not_received=None,
                received_not_recorded=None,
            )
            for f in meta.flow
        )
    unscorable = tuple(dataclasses.replace(u, arm=letter[u.arm]) for u in meta.unscorable)
    randomised = meta.randomised and tuple(
        dataclasses.replace(r, arm=letter[r.arm]) for r in meta.randomised
    )
    blinded_meta = dataclasses.replace(
        meta,
        arms=arms,
        randomisation=scheme,
        feedback=(),
        flow=flow,
        unscorable=unscorable,
        randomised=randomised,
        blinded=True,
    )
    return AnalysisDataset(meta=blinded_meta, rows=rows)
