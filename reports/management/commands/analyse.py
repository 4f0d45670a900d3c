"""Analyse a trial's follow-up window at a data cut: the results dict as JSON, or a summary."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import DomainError
from reports.selectors import DEFAULT_REPS, DEFAULT_SEED, analyse, analysis_dataset
from trial.selectors import trial_by_code


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--cut must be a date as YYYY-MM-DD, not {text!r}.") from None


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ci(pair: list[float | None] | None, digits: int = 2) -> str:
    if not pair or pair[0] is None or pair[1] is None:
        return "n/a"
    return f"{pair[0]:.{digits}f} to {pair[1]:.{digits}f}"


def summary(results: dict[str, Any]) -> str:
    """Return the headline numbers as a few readable lines."""
    meta = results["meta"]
    lines = [
        f"{meta['trial_code']}: {meta['window_months']}-month follow-up at data cut "
        f"{meta['data_cut']} ({meta['participants']} participants, "
        f"{meta['primary_analysis']})",
        f"Dataset SHA-256: {meta['dataset_sha256']}",
        "",
    ]
    for code, arm in results["arms"].items():
        lines.append(
            f"  {arm['name']} ({code}): n={arm['n']}, re-offended {arm['reoffended']} "
            f"({_pct(arm['prevalence'])}), harm total {_num(arm['harm_total'], 1)} CCHI days, "
            f"mean {_num(arm['harm_mean'])} per participant"
        )
    prevalence, harm = results["prevalence"], results["harm"]
    if prevalence.get("suppressed"):
        return "\n".join([*lines, "", prevalence["suppressed"]])
    lines += [
        "",
        f"Re-offending: risk ratio {_num(prevalence['risk_ratio'])} "
        f"(95% CI {_ci(prevalence['risk_ratio_ci95'])}), "
        f"{_pct(prevalence['relative_reduction'])} fewer, "
        f"Fisher p={_num(prevalence['p_value'], 3)}",
        f"Harm: {_pct(harm['relative_reduction'])} less per participant, difference in means "
        f"{_num(harm['mean_difference'])} (95% CI {_ci(harm['mean_difference_ci95'])}), "
        f"Mann-Whitney p={_num(harm['p_value'], 3)}",
    ]
    estimates = results.get("estimates") or {}
    if "randomisation_inference" in estimates:
        ri, rel = estimates["randomisation_inference"], estimates["relative_harm"]
        lines.append(
            f"Harm, randomisation inference: p={_num(ri['p_value'], 4)} "
            f"(Monte Carlo SE {_num(ri['p_value_mc_se'], 4)}, {ri['draws']} draws, "
            f"seed {ri['seed']}); relative reduction {_pct(rel['relative_reduction'])} "
            f"(95% CI {_ci(rel['relative_reduction_ci95'], 3)})"
        )
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Analyse trial CODE's follow-up window of MONTHS at data cut YYYY-MM-DD from the frozen "
        "snapshots; --json prints the full results (keys in docs/analysis.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trial", required=True, help="Trial code, e.g. CARA.")
        parser.add_argument("--window", required=True, type=int, help="Window in months.")
        parser.add_argument("--cut", required=True, type=_date, help="Data cut, YYYY-MM-DD.")
        parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
        parser.add_argument("--reps", type=int, default=DEFAULT_REPS, help="Bootstrap resamples.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Bootstrap seed.")

    def handle(self, *args: Any, **options: Any) -> None:
        trial = trial_by_code(options["trial"], ignore_case=True)
        if trial is None:
            raise CommandError(f"--trial {options['trial']}: there is no trial with this code.")
        try:
            dataset = analysis_dataset(
                trial=trial, window_months=options["window"], data_cut=options["cut"]
            )
            results = analyse(dataset=dataset, reps=options["reps"], seed=options["seed"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            # Stable output: sorted keys, no NaN (analyse already turned them into null).
            self.stdout.write(json.dumps(results, indent=2, sort_keys=True, allow_nan=False))
        else:
            self.stdout.write(summary(results))
