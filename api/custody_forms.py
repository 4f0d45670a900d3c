"""The custody endpoints' forms (DRF serializers): what they accept and answer."""

from __future__ import annotations

from rest_framework import serializers


# Documentation of the facts: the services check them, naming every bad field at once.
class ScreeningFactsSerializer(serializers.Serializer):
    """The screening form's answers, dates as YYYY-MM-DD; police_area for a trial manager."""

    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    sex = serializers.CharField()
    pnc_id = serializers.CharField()
    custody_reference = serializers.CharField()
    interpreter_needed = serializers.BooleanField()
    appropriate_adult_needed = serializers.BooleanField()
    offence_type = serializers.CharField()
    offence_date = serializers.DateField()
    arrest_date = serializers.DateField()
    admission = serializers.CharField()
    first_domestic_offence = serializers.BooleanField()
    last_violence_on = serializers.DateField(required=False, allow_null=True)
    dash_risk = serializers.CharField()
    on_bail_or_order = serializers.BooleanField()
    victim_relationship = serializers.CharField()
    caution_offered = serializers.BooleanField()
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    support_needs = serializers.CharField(required=False)
    police_area = serializers.CharField(required=False)


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ScreenResultSerializer(serializers.Serializer):
    """A case's eligibility, with every criterion it failed."""

    case = serializers.CharField()
    status = serializers.CharField()
    eligible = serializers.BooleanField()
    failed_criteria = CriterionSerializer(many=True)


class VictimSerializer(serializers.Serializer):
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    contacted = serializers.BooleanField()
    contacted_on = serializers.DateField(required=False, allow_null=True)
    risk_raised = serializers.BooleanField()
    risk_details = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    address = serializers.CharField(required=False)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.CharField()
    decided_on = serializers.DateField()
    method = serializers.CharField()


class ConsentFactsSerializer(serializers.Serializer):
    """The victim's contact and decision (the case is the URL's)."""

    victim = VictimSerializer()
    consent = DecisionSerializer()


class EnrolFactsSerializer(serializers.Serializer):
    """The day the caution is given (the case is the URL's)."""

    caution_given_on = serializers.DateField()


class CautionSerializer(serializers.Serializer):
    given_on = serializers.DateField()
    compliance_ends_on = serializers.DateField()
    workshop_deadline = serializers.DateField(allow_null=True)
    conditions = serializers.ListField(child=serializers.CharField())
    meaning = serializers.CharField()


class EnrolResultSerializer(serializers.Serializer):
    """The arm the case was randomised to, and what it means for the caution."""

    case = serializers.CharField()
    status = serializers.CharField()
    arm = serializers.CharField()
    arm_name = serializers.CharField()
    intervention = serializers.BooleanField()
    randomised_on = serializers.DateField()
    caution = CautionSerializer()


class ProblemSerializer(serializers.Serializer):
    """A refusal (RFC 9457); the schema's hook replaces it with the one Problem of every answer."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
