"""Load the shipped CCHI 2020 domestic-abuse rows (outcomes/data/) as current version CCHI-2020-DA."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

VERSION = "CCHI-2020-DA"
DATA = Path(__file__).resolve().parent.parent / "data" / "harm-index-da.csv"
NOTE = (
    "Cambridge Crime Harm Index 2020 Update (Cambridge CEBP, values current to 6 October 2020): "
    "the offences that matter in domestic-abuse trials, extracted row by row from the published "
    "sheet. Burglary and the assault rows were re-scored in later editions: see "
    "outcomes/data/README-harm-index.md, and load the current published spreadsheet for real use."
)


def load(apps, schema_editor):
    version_model = apps.get_model("outcomes", "HarmIndexVersion")
    entry_model = apps.get_model("outcomes", "HarmIndexEntry")
    if version_model.objects.filter(name=VERSION).exists():
        return
    version_model.objects.filter(is_current=True).update(is_current=False)
    version = version_model.objects.create(name=VERSION, source_note=NOTE, is_current=True)
    with DATA.open(encoding="utf-8-sig", newline="") as handle:
        entry_model.objects.bulk_create(
            entry_model(
                version=version,
                code=row["code"].strip(),
                title=row["title"].strip(),
                harm_days=Decimal(row["harm_days"]),
                source=row["source"].strip(),
            )
            for row in csv.DictReader(handle)
        )


def unload(apps, schema_editor):
    version_model = apps.get_model("outcomes", "HarmIndexVersion")
    for version in version_model.objects.filter(name=VERSION):
        version.entries.all().delete()
        version.delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
