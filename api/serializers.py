"""What the API sends and accepts, field by field (the schema is built from these)."""

from __future__ import annotations

from rest_framework import serializers


class TrialSerializer(serializers.Serializer):
    """A trial as a custody or records system needs it: its code, title and status."""

    code = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    follow_up_months = serializers.ListField(child=serializers.IntegerField(), read_only=True)
