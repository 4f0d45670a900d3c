"""The interim monitoring box of the PDF: the look, its boundary, the z and what it means."""

from __future__ import annotations

from typing import Any

from reports.rendering import formatting as f


def monitoring_context(block: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the box's formatted figures (None for a final report: no box)."""
    if block is None:
        return None
    if not block.get("planned"):
        return {"planned": False, "headline": block["headline"], "statement": block["statement"]}
    return {
        "planned": True,
        "headline": block["headline"],
        "statement": block["statement"],
        "look": f"{block['look']} of {block['looks_planned']} planned interim looks",
        "fraction": f"{f.pct(block['information_fraction'])} ({block['analysed']:,} of "
        f"{block['planned_sample_size']:,} planned)"
        if block.get("planned_sample_size")
        else f.pct(block["information_fraction"]),
        "boundary": f"|z| ≥ {f.num(block['boundary'], 3)}",
        "z": f.num(block["z"], 3),
        "statistic": block["statistic"],
        "spending": f"{block['spending_name']}, two-sided alpha {f.num(block['alpha'], 3)}; "
        f"{f.num(block['alpha_spent'], 4)} spent by this look",
        "notes": block.get("notes", []),
    }
