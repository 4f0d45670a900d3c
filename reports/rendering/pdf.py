"""The PDF report: analysis results through an HTML template to WeasyPrint."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML

from common.exceptions import DomainError
from reports.analysis.blinding import blind_dataset
from reports.analysis.bootstrap import DEFAULT_REPS, DEFAULT_SEED
from reports.analysis.dataset import AnalysisDataset, dataset_sha256
from reports.analysis.results import analyse
from reports.rendering.context import REPORT_TYPES, report_context
from reports.version import software_version

TEMPLATE = "reports/pdf/report.html"


def render_report_html(
    *,
    results: dict[str, Any],
    report_type: str,
    generated_at: datetime,
    generated_by: str,
    blinded: bool = False,
    dataset_sha256: str | None = None,
) -> str:
    """Return the report's HTML for already computed results."""
    if report_type not in REPORT_TYPES:
        raise DomainError("A report is either interim or final.", field="report_type")
    context = report_context(
        results=results,
        report_type=report_type,
        generated_at=generated_at,
        generated_by=generated_by,
        software_version=software_version(),
        dataset_sha256=dataset_sha256 or results["meta"]["dataset_sha256"],
        blinded=blinded,
    )
    return render_to_string(TEMPLATE, context)


def html_to_pdf(html: str) -> bytes:
    """Return the PDF bytes of a self-contained HTML document."""
    # WeasyPrint's HTML stylesheet pass logs every SVG presentation property (fill, stroke) of
    # matplotlib's inline SVG as "unknown" although its SVG renderer then draws them: noise that
    # would bury real warnings in the worker's log.
    with _quiet("weasyprint"):
        return HTML(string=html).write_pdf()


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Raise a logger's level to ERROR for the duration of the block."""
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def build_report(
    *,
    dataset: AnalysisDataset,
    report_type: str,
    generated_at: datetime,
    generated_by: str,
    blinded: bool = False,
    reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
) -> tuple[dict[str, Any], bytes]:
    """Analyse the dataset and render its PDF; return the results shown and the PDF bytes."""
    digest = dataset_sha256(dataset=dataset)
    # The blinded report is analysed from relabelled data, so no arm name can reach the PDF;
    # the cover still names the real dataset by its hash.
    source = blind_dataset(dataset=dataset) if blinded else dataset
    results = analyse(dataset=source, reps=reps, seed=seed)
    html = render_report_html(
        results=results,
        report_type=report_type,
        generated_at=generated_at,
        generated_by=generated_by,
        blinded=blinded,
        dataset_sha256=digest,
    )
    return results, html_to_pdf(html)
