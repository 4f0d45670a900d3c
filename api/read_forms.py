"""The read endpoints' forms (DRF serializers): what a case, a snapshot and a report run show."""

from __future__ import annotations

from rest_framework import serializers


class WorkshopProgressSerializer(serializers.Serializer):
    in_workshops = serializers.BooleanField(help_text="Randomised to the workshops arm.")
    parts_attended = serializers.ListField(child=serializers.IntegerField())
    flag = serializers.CharField(help_text='"overdue", "due soon" or "" (both parts done).')


class CaseSerializer(serializers.Serializer):
    """A case as the officer's systems track it: never a name, only its trial ID."""

    case = serializers.CharField()
    status = serializers.CharField()
    arm = serializers.CharField(allow_null=True)
    caution_given_on = serializers.DateField(allow_null=True)
    workshop_deadline = serializers.DateField(allow_null=True)
    workshops = WorkshopProgressSerializer()


class SnapshotSerializer(serializers.Serializer):
    """One participant's frozen outcome in a window, by trial ID."""

    trial_id = serializers.CharField()
    arm = serializers.CharField()
    stratum = serializers.CharField()
    randomised_on = serializers.DateField()
    window_end = serializers.DateField()
    offences = serializers.IntegerField()
    harm_days = serializers.DecimalField(max_digits=12, decimal_places=2)
    reoffended = serializers.BooleanField()
    same_partner = serializers.BooleanField()
    domestic = serializers.BooleanField()
    days_to_first = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    data_cut = serializers.DateField()
    harm_index = serializers.CharField()


class SnapshotsSerializer(serializers.Serializer):
    window = serializers.IntegerField()
    cut = serializers.DateField()
    results = SnapshotSerializer(many=True)


class ReportRunSerializer(serializers.Serializer):
    """A report run's request and progress (download its dataset from /dataset/?run=<id>)."""

    id = serializers.IntegerField()
    report_type = serializers.CharField()
    window_months = serializers.IntegerField()
    data_cut = serializers.DateField()
    blinded = serializers.BooleanField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    stage = serializers.CharField()
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    dataset_sha256 = serializers.CharField()
