"""Report tests keep PDFs and datasets in a temporary MEDIA_ROOT; a small trial with outcomes."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.reports.support import LiveTrial, freeze, live_trial


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(root))  # for a worker process started here
    return root


def outcomes_trial(*, code: str = "CARA", per_arm: int = 4, research_email: str = "") -> LiveTrial:
    """Return a trial whose 12-month window is frozen for everyone: CARA 1, control 3 re-offend.

    Harm: CARA 10 CCHI days in total, control 20 + 8 + 5 = 33. Blocks may give an arm more
    men than per_arm: their snapshots wait (as if a code were not yet in the catalogue).
    """
    live = live_trial(code=code, research_email=research_email)
    live.enrol_both_arms(per_arm)
    harms = {"cara": ["10"], "control": ["20", "8", "5"]}
    for code in ("cara", "control"):
        for i, case in enumerate(live.in_arm(code)[:per_arm]):
            assert case.allocation is not None
            harm = harms[code][i] if i < len(harms[code]) else None
            if harm is None:
                freeze(case.allocation)
            else:
                freeze(
                    case.allocation,
                    offences=2 if code == "cara" else 1,
                    harm=harm,
                    same_partner=True,
                )
    return live


def pdf_text(path: str | Path) -> str:
    """Return the text of a PDF as pdftotext lays it out."""
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
