"""Analysis + PDF report for 300, 10,000 and 100,000 synthetic participants: time and memory.

Each size runs in a fresh child process pinned to one core with single-threaded BLAS, so peak
memory (ru_maxrss) belongs to that size alone. Aim (issue 7): 10,000 participants in under 10 s
and 1 GB, and growth no worse than linear. Run:

    DJANGO_TESTING=1 .venv/bin/python bench/report_bench.py [--sizes 300 10000 100000] [--tiny]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def child(size: int) -> dict[str, float]:
    """Build one synthetic dataset, analyse it and render its PDF; return the measurements."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_TESTING", "1")
    import django

    django.setup()
    from reports.analysis.results import analyse
    from reports.analysis.synthetic import synthetic_dataset
    from reports.rendering.pdf import html_to_pdf, render_report_html

    baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    dataset = synthetic_dataset(n=size)
    built = time.perf_counter()
    results = analyse(dataset=dataset)
    analysed = time.perf_counter()
    html = render_report_html(
        results=results,
        report_type="interim",
        generated_at=datetime.now(UTC),
        generated_by="benchmark",
    )
    pdf = html_to_pdf(html)
    rendered = time.perf_counter()
    return {
        "size": size,
        "build_s": built - start,
        "analysis_s": analysed - built,
        "pdf_s": rendered - analysed,
        "total_s": rendered - built,  # analysis + PDF: what the target is about
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_imports_mb": baseline_rss,
        "pdf_kb": len(pdf) / 1024,
    }


def main() -> None:
    """Run each size in its own process and print the table and the growth ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 10_000, 100_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tiny", action="store_true", help="CI's smoke size: 100 and 300")
    args = parser.parse_args()
    if args.tiny:
        args.sizes = [100, 300]
    if args.child:
        print(json.dumps(child(args.child)))
        return
    rows = []
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **SINGLE_THREAD},
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(
        f"{'participants':>12} {'analysis s':>10} {'PDF s':>7} {'total s':>8} "
        f"{'peak RSS MB':>11} {'after imports MB':>16} {'build s':>8}"
    )
    for r in rows:
        print(
            f"{r['size']:>12,} {r['analysis_s']:>10.2f} {r['pdf_s']:>7.2f} {r['total_s']:>8.2f} "
            f"{r['peak_rss_mb']:>11.0f} {r['rss_after_imports_mb']:>16.0f} {r['build_s']:>8.2f}"
        )
    for small, large in itertools.pairwise(rows):
        n_ratio = large["size"] / small["size"]
        t_ratio = large["total_s"] / small["total_s"]
        extra = (large["peak_rss_mb"] - large["rss_after_imports_mb"]) / max(
            1.0, small["peak_rss_mb"] - small["rss_after_imports_mb"]
        )
        print(
            f"{small['size']:,} -> {large['size']:,}: participants x{n_ratio:.0f}, "
            f"time x{t_ratio:.1f}, memory above imports x{extra:.1f}"
            f" ({'no worse than linear' if t_ratio <= n_ratio else 'WORSE than linear'})"
        )
    ten_k = next((r for r in rows if r["size"] == 10_000), None)
    if ten_k:
        ok = ten_k["total_s"] < 10 and ten_k["peak_rss_mb"] < 1024
        print(f"10,000 target (<10 s, <1 GB on one core): {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
