"""Which provider runs each area's workshops in each trial, so counsellors see only their men.

Existing trials: every area gets the provider that already booked most of that area's men in the
trial; areas with none booked get the provider with the most cycles in the trial, else the only
(or first) provider. An installation with one provider keeps exactly what its counsellors saw.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def deliveries(apps, schema_editor):
    provider_model = apps.get_model("common", "Provider")
    providers = list(provider_model.objects.order_by("name"))
    if not providers:
        return
    delivery = apps.get_model("workshops", "Delivery")
    booking = apps.get_model("workshops", "Booking")
    cycle = apps.get_model("workshops", "Cycle")
    areas = list(apps.get_model("common", "PoliceArea").objects.all())
    for trial in apps.get_model("trial", "Trial").objects.all():
        busiest = (
            cycle.objects.filter(trial=trial)
            .values("provider")
            .annotate(n=Count("id"))
            .order_by("-n", "provider")
            .first()
        )
        fallback = busiest["provider"] if busiest else providers[0].pk
        for area in areas:
            booked = (
                booking.objects.filter(session__cycle__trial=trial, participant__police_area=area)
                .values("session__cycle__provider")
                .annotate(n=Count("id"))
                .order_by("-n", "session__cycle__provider")
                .first()
            )
            provider_id = booked["session__cycle__provider"] if booked else fallback
            delivery.objects.create(trial=trial, police_area=area, provider_id=provider_id)


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0008_organisations_memberships"),
        ("trial", "0011_retention"),
        ("participants", "0003_encrypt_free_text"),
        ("workshops", "0004_attendance_corrections"),
    ]

    operations = [
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "police_area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="common.policearea",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="common.provider",
                    ),
                ),
                (
                    "trial",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="trial.trial",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "deliveries",
                "ordering": ["trial", "police_area"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("trial", "police_area"), name="delivery_area_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(deliveries, migrations.RunPython.noop),
    ]
