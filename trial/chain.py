"""Per-stratum allocation hash chains: each row's hash covers its content and its predecessor's."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trial.models import Allocation


def allocation_content(allocation: Allocation) -> dict[str, object]:
    """Return the fields of an allocation that its hash covers, in a canonical form."""
    slot = allocation.slot
    content: dict[str, object] = {
        "trial": allocation.trial.code,
        "seq": allocation.seq,  # position in the stratum's chain
        "participant_key": allocation.participant_key,
        "person_key": allocation.person_key,
        "design": allocation.stratum.design.number,
        "stratum": allocation.stratum.key,
        "position": slot.position if slot is not None else None,
        "block": slot.block_number if slot is not None else None,
        "arm": allocation.arm.code,
        "randomised_on": allocation.randomised_on.isoformat(),
        "allocated_at": allocation.allocated_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "allocated_by": allocation.allocated_by_id,
        "prev_hash": allocation.prev_hash,
    }
    # Added only when true, so the hashes of live rows written before imports existed still hold.
    if allocation.imported:
        content["imported"] = True
    return content


def allocation_hash(allocation: Allocation) -> str:
    """Return the SHA-256 of the allocation's canonical content."""
    payload = json.dumps(allocation_content(allocation), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
