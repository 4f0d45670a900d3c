"""One allocation hash chain per stratum instead of one per trial, so strata claim in parallel.

Each stratum gets its own chain length and head; the live allocations already stored are
renumbered and re-hashed stratum by stratum (in the order their stratum took them), with the
irreversibility trigger switched off for this migration only. An imported history keeps its one
chain per trial, untouched. The next migration adds the per-stratum unique position and renames
the trial's chain head to the history's.
"""

import hashlib
import json
from datetime import UTC

from django.db import migrations, models

ZERO_HASH = "0" * 64
MESSAGE = "allocations are irreversible: record a post-randomisation event instead"
# SQLite rebuilds trial_allocation to alter it, which drops the trigger of 0002 (as in 0003).
SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS trial_allocation_irreversible BEFORE UPDATE ON "
    f"trial_allocation BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
)


def recreate_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def _hash(allocation, seq, prev_hash):
    """The row hash of trial/chain.py as of this migration, frozen here on purpose."""
    slot = allocation.slot
    content = {
        "trial": allocation.trial.code,
        "seq": seq,
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
        "prev_hash": prev_hash,
    }
    if allocation.imported:
        content["imported"] = True
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _trigger(schema_editor, enabled):
    """Switch the allocation irreversibility trigger of trial/migrations/0002 off or on."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        state = "ENABLE" if enabled else "DISABLE"
        schema_editor.execute(
            f"ALTER TABLE trial_allocation {state} TRIGGER trial_allocation_irreversible"
        )
    elif vendor == "sqlite":
        if enabled:
            schema_editor.execute(SQLITE_TRIGGER)
        else:
            schema_editor.execute("DROP TRIGGER IF EXISTS trial_allocation_irreversible")


def _rechain(model, rows):
    """Renumber and re-hash rows in the given order as one chain; return (length, head)."""
    prev_hash, seq = ZERO_HASH, 0
    for allocation in rows:
        seq += 1
        row_hash = _hash(allocation, seq, prev_hash)
        model.objects.filter(pk=allocation.pk).update(
            seq=seq, prev_hash=prev_hash, row_hash=row_hash
        )
        prev_hash = row_hash
    return seq, prev_hash


def per_stratum(apps, schema_editor):
    Allocation = apps.get_model("trial", "Allocation")
    Stratum = apps.get_model("trial", "Stratum")
    Trial = apps.get_model("trial", "Trial")
    if not Allocation.objects.exists():
        return
    _trigger(schema_editor, enabled=False)
    related = ("trial", "stratum__design", "slot", "arm")
    for stratum in Stratum.objects.filter(trial__allocations_imported=False).order_by("pk"):
        # The trial chain's order within a stratum is the order the stratum's slots were taken.
        rows = Allocation.objects.filter(stratum=stratum).select_related(*related).order_by("seq")
        length, head = _rechain(Allocation, list(rows))
        Stratum.objects.filter(pk=stratum.pk).update(chain_length=length, chain_head=head)
    # From here on the trial's chain head is an imported history's only.
    Trial.objects.filter(allocations_imported=False).update(chain_length=0, chain_head=ZERO_HASH)
    _trigger(schema_editor, enabled=True)


def per_trial(apps, schema_editor):
    Allocation = apps.get_model("trial", "Allocation")
    Trial = apps.get_model("trial", "Trial")
    if not Allocation.objects.exists():
        return
    _trigger(schema_editor, enabled=False)
    related = ("trial", "stratum__design", "slot", "arm")
    for trial in Trial.objects.filter(allocations_imported=False).order_by("pk"):
        rows = (
            Allocation.objects.filter(trial=trial)
            .select_related(*related)
            .order_by("allocated_at", "pk")
        )
        length, head = _rechain(Allocation, list(rows))
        Trial.objects.filter(pk=trial.pk).update(chain_length=length, chain_head=head)
    _trigger(schema_editor, enabled=True)


class Migration(migrations.Migration):
    dependencies = [("trial", "0004_trial_manager_permissions")]

    operations = [
        # Runs last when unapplied, after the rebuilds of trial_allocation below.
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_trigger),
        migrations.AlterModelOptions(
            name="allocation", options={"ordering": ["trial", "stratum", "seq"]}
        ),
        migrations.RemoveConstraint(model_name="allocation", name="allocation_seq_unique"),
        migrations.AddField(
            model_name="chainverification",
            name="first_broken_stratum",
            field=models.CharField(blank=True, max_length=220),
        ),
        migrations.AddField(
            model_name="stratum",
            name="chain_head",
            field=models.CharField(default=ZERO_HASH, max_length=64),
        ),
        migrations.AddField(
            model_name="stratum",
            name="chain_length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="seq",
            field=models.PositiveIntegerField(
                help_text=(
                    "Position in the stratum's allocation chain (an imported history's: "
                    "the trial's)."
                )
            ),
        ),
        migrations.RunPython(per_stratum, per_trial),
        migrations.RunPython(recreate_sqlite_trigger, migrations.RunPython.noop),
    ]
