"""The records push's forms (DRF serializers): what it accepts and answers."""

from __future__ import annotations

from rest_framework import serializers

from outcomes.services import PUSH_MAX_RECORDS


class RecordSerializer(serializers.Serializer):
    """One re-offence record: the file import's columns, each as text."""

    record_id = serializers.CharField()
    person_id = serializers.CharField()
    offence_date = serializers.CharField()
    offence_code = serializers.CharField()
    victim_relationship = serializers.CharField()
    record_status = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    """A record source of the trial: a push names it by its id."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class SourcesSerializer(serializers.Serializer):
    results = SourceSerializer(many=True)


class PushSerializer(serializers.Serializer):
    """A push: the record source (of the token's trial) and its records, all or nothing."""

    source = serializers.IntegerField()
    records = serializers.ListField(child=RecordSerializer(), max_length=PUSH_MAX_RECORDS)


class PushResultSerializer(serializers.Serializer):
    """What the push stored: new records, repeats of stored ones, and those matching no one."""

    run = serializers.IntegerField()
    records = serializers.IntegerField()
    added = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    unmatched = serializers.IntegerField()


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based, in the order sent.")
    field = serializers.CharField()
    message = serializers.CharField()


class PushRefusedSerializer(serializers.Serializer):
    """A refused push (problem+json): nothing was stored; each bad row by index and field."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)
