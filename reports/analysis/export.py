"""The researchers' pseudonymised dataset: CSV bytes and the data dictionary that explains them."""

from __future__ import annotations

import csv
import io

from reports.analysis.csvsafe import neutralise_cell
from reports.analysis.dataset import COLUMNS, AnalysisDataset, canonical_csv, canonical_flow_csv

__all__ = ["DATA_DICTIONARY", "data_dictionary_csv", "dataset_csv", "flow_csv", "neutralise_cell"]

# (column, type, meaning): one entry per dataset column, in CSV order.
DATA_DICTIONARY: tuple[tuple[str, str, str], ...] = (
    ("trial_id", "text", "Pseudonymous trial ID (e.g. CARA-0042); never a name or PNC ID."),
    ("arm", "text", "Code of the arm the participant was randomised to (e.g. cara, control)."),
    ("stratum", "text", "Randomisation stratum, e.g. area=southampton."),
    ("randomised_on", "date (YYYY-MM-DD)", "Date of randomisation; follow-up starts here."),
    ("age", "integer or empty", "Age in years at screening; empty when not recorded."),
    ("offence_type", "text", "Type of the index offence."),
    ("dash_risk", "text", "DASH risk level at screening (standard or medium)."),
    (
        "workshops_attended",
        "0, 1, 2 or empty",
        "Workshops attended; empty for the control arm or when not recorded.",
    ),
    (
        "withdrawn",
        "true/false",
        "Withdrew after randomisation (still analysed: intention-to-treat).",
    ),
    ("reoffended", "true/false", "Any re-offence in the follow-up window."),
    ("reoffended_same_partner", "true/false", "A re-offence against the same partner."),
    ("reoffended_domestic", "true/false", "A domestic re-offence (any partner or family member)."),
    ("offences", "integer", "Number of re-offences in the window."),
    ("harm", "decimal", "Total Cambridge Crime Harm Index days of those re-offences."),
    (
        "days_to_first",
        "integer or empty",
        "Days from randomisation to the first re-offence; empty when none.",
    ),
    ("follow_up_days", "integer", "Length of the follow-up window in days for this participant."),
    (
        "reoffended_charged",
        "true/false or empty",
        "A re-offence charged, cautioned or convicted in the window (arrests and complaints alone "
        "left out); empty when a record's status was not recorded.",
    ),
    (
        "harm_charged",
        "decimal or empty",
        "CCHI days of the charged, cautioned or convicted re-offences only; empty as above.",
    ),
)
assert tuple(c for c, _, _ in DATA_DICTIONARY) == COLUMNS, "the dictionary must cover every column"
# flow.csv (count, arm, n): the CONSORT counts of everyone randomised by the cut, analysed or not.
FLOW_DICTIONARY: tuple[tuple[str, str, str], ...] = (
    ("flow.csv: count", "text", "assessed, excluded:<reason>, or an arm count named below."),
    ("flow.csv: arm", "text", "Arm code; empty for screening counts."),
    ("flow.csv: n", "integer or empty", "The count; empty when it was never recorded."),
    ("flow: randomised", "count", "Randomised to the arm on or before the data cut."),
    ("flow: window_open", "count", "Follow-up window not yet closed at the data cut."),
    ("flow: not_frozen", "count", "Window closed by the cut but no snapshot frozen by it."),
    ("flow: withdrawn", "count", "Withdrew on or before the cut (analysed if frozen: ITT)."),
    ("flow: received", "count", "Attended both workshops (intervention arms)."),
    ("flow: not_received", "count", "Attended fewer than two workshops."),
    ("flow: received_not_recorded", "count", "Attendance not recorded."),
    (
        "flow: not_scorable",
        "count",
        "Of not_frozen: waiting for an offence code the catalogue lacks (not yet scorable).",
    ),
    (
        "flow: safety_events",
        "count or empty",
        "Victim-safety events recorded by officers, dated by the cut; empty: not recorded.",
    ),
    (
        "flow: randomised:<YYYY-MM>",
        "count",
        "Randomised to the arm in that calendar month, on or before the cut (recruitment chart).",
    ),
)


def dataset_csv(*, dataset: AnalysisDataset) -> bytes:
    """Return the pseudonymised dataset as CSV, formula cells neutralised (hashed on the cover)."""
    return canonical_csv(dataset=dataset)


def flow_csv(*, dataset: AnalysisDataset) -> bytes:
    """Return the CONSORT counts of everyone randomised by the cut (hashed after dataset.csv)."""
    return canonical_flow_csv(meta=dataset.meta)


def data_dictionary_csv() -> bytes:
    """Return the data dictionary as CSV: column, type, meaning."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["column", "type", "meaning"])
    for row in (*DATA_DICTIONARY, *FLOW_DICTIONARY):
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")
