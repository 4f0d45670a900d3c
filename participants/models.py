"""Screened cases, their victims and consent, and the versioned eligibility rules of a trial."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.crypto import EncryptedDateField, EncryptedTextField


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other or not stated"


class OffenceType(models.TextChoices):
    COMMON_ASSAULT = "common_assault", "Common assault or battery"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    HARASSMENT = "harassment", "Harassment"
    THREATENING_BEHAVIOUR = "threatening_behaviour", "Threatening behaviour"
    DOMESTIC_THEFT = "domestic_theft", "Domestic theft"
    OTHER = "other", "Another offence"


class Admission(models.TextChoices):
    ADMITTED = "admitted", "Admitted the offence"
    CPS_OVERWHELMING = (
        "cps_overwhelming",
        "Not admitted, but the CPS agrees the evidence is overwhelming",
    )
    NOT_ADMITTED = "not_admitted", "Not admitted"


class DashRisk(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Relationship(models.TextChoices):
    CURRENT_PARTNER = "current_partner", "Current intimate partner"
    FORMER_PARTNER = "former_partner", "Former intimate partner"
    OTHER = "other", "Other (family member, other)"


class CaseStatus(models.TextChoices):
    SCREENED = "screened", "Screened: awaiting victim consent"
    INELIGIBLE = "ineligible", "Ineligible"
    CONSENTED = "consented", "Ready to enrol"
    DECLINED = "declined", "Victim did not consent"
    ENROLLED = "enrolled", "Enrolled"


# A person may be in a trial's active screening or enrolled once; closed cases do not block.
ACTIVE_STATUSES = [CaseStatus.SCREENED, CaseStatus.CONSENTED, CaseStatus.ENROLLED]
# What a closed case forgets; selectors defer the same columns wherever names are not shown.
OFFENDER_PERSONAL = (
    "given_name",
    "family_name",
    "date_of_birth",
    "pnc_id",
    "phone",
    "email",
    "address",
    "support_needs",
)
VICTIM_PERSONAL = ("given_name", "family_name", "phone", "email", "address", "risk_details")
# Cases that will never be enrolled keep no names, contact details, date of birth or PNC ID.
MINIMISED_STATUSES = [CaseStatus.INELIGIBLE, CaseStatus.DECLINED]


class EligibilityRuleSet(models.Model):
    """One version of a trial's eligibility rules: parameters of the criteria in eligibility/."""

    trial = models.ForeignKey("trial.Trial", on_delete=models.PROTECT, related_name="rule_sets")
    version = models.PositiveSmallIntegerField()
    # Parameters of the criteria (see participants/eligibility/defaults.py for CARA's).
    parameters = models.JSONField()
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["trial", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "version"], name="rule_set_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.trial.code} eligibility rules v{self.version}"


class Participant(models.Model):
    """A screened case: the screening log row, and once enrolled the trial's participant."""

    trial = models.ForeignKey("trial.Trial", on_delete=models.PROTECT, related_name="participants")
    number = models.PositiveIntegerField(help_text="Sequence number of the case in its trial.")
    pseudonym = models.CharField(
        "trial ID",
        max_length=40,
        unique=True,
        help_text="e.g. CARA-0042: the only identifier used outside officer and counsellor views.",
    )
    police_area = models.ForeignKey(
        "common.PoliceArea", on_delete=models.PROTECT, related_name="participants"
    )
    # Not personal data: the custody record's number, stored upper case so it can be searched.
    custody_reference = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    # The form's one-time token: a replayed screening returns the case it created.
    submission_token = models.UUIDField(unique=True)
    screened_at = models.DateTimeField(default=timezone.now)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Offender: personal data, encrypted at rest; null once the case is closed without enrolment.
    given_name = EncryptedTextField(null=True, blank=True)
    family_name = EncryptedTextField(null=True, blank=True)
    # A TextField underneath: tell the type checker it holds a date.
    date_of_birth: models.Field[datetime.date | None, datetime.date | None] = EncryptedDateField(
        null=True, blank=True
    )
    pnc_id = EncryptedTextField("PNC ID", null=True, blank=True)
    phone = EncryptedTextField(null=True, blank=True)
    email = EncryptedTextField(null=True, blank=True)
    address = EncryptedTextField(null=True, blank=True)
    support_needs = EncryptedTextField(
        null=True, blank=True, help_text="What the workshop provider should know (e.g. dyslexia)."
    )
    # Keyed hash of the normalised PNC ID: finds the same person again without the identifier.
    person_key = models.CharField(max_length=64, db_index=True)

    # Offender facts that are not identifying, kept for every case (CONSORT and baseline tables).
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age_at_offence = models.PositiveSmallIntegerField()
    interpreter_needed = models.BooleanField()
    appropriate_adult_needed = models.BooleanField()

    # Offence.
    offence_type = models.CharField(max_length=30, choices=OffenceType.choices)
    offence_date = models.DateField()
    arrest_date = models.DateField()
    admission = models.CharField(max_length=20, choices=Admission.choices)

    # History and risk.
    first_domestic_offence = models.BooleanField()
    last_violence_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date of the latest conviction or caution for violence, if any.",
    )
    dash_risk = models.CharField("DASH risk level", max_length=10, choices=DashRisk.choices)
    on_bail_or_order = models.BooleanField(
        help_text="On bail, or subject to a court order or community sentence."
    )
    victim_relationship = models.CharField(max_length=20, choices=Relationship.choices)
    caution_offered = models.BooleanField(help_text="Decision to offer a conditional caution.")

    # Eligibility, computed from the facts by the rule set; failed: [{"code", "text"}, ...].
    rule_set = models.ForeignKey(EligibilityRuleSet, on_delete=models.PROTECT, related_name="+")
    eligible = models.BooleanField()
    failed_criteria = models.JSONField(default=list, blank=True)

    # Enrolment.
    allocation = models.OneToOneField(
        "trial.Allocation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participant",
    )
    enrol_token = models.UUIDField(null=True, blank=True, unique=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    age_at_randomisation = models.PositiveSmallIntegerField(null=True, blank=True)
    caution_given_on = models.DateField(null=True, blank=True)
    compliance_ends_on = models.DateField(
        null=True, blank=True, help_text="Caution date + the trial's compliance weeks (both arms)."
    )
    workshop_deadline = models.DateField(
        null=True, blank=True, help_text="Both workshops by this date (intervention arm only)."
    )

    class Meta:
        ordering = ["-screened_at", "-id"]
        permissions = [
            ("screen_case", "Screen cases, record victim consent, enrol and randomise"),
            (
                "view_personal_data",
                "See offenders' and victims' names, contact details and PNC IDs",
            ),
        ]
        indexes = [
            models.Index(fields=["police_area", "status"], name="participant_area_status"),
            models.Index(fields=["police_area", "-screened_at"], name="participant_area_recent"),
            # The case lists seek on (screened_at, id) within a trial (an officer's area is a
            # filter on the rows read: a page reads its 26 rows and those of other areas between).
            models.Index(fields=["trial", "-screened_at", "-id"], name="participant_trial_seek"),
            # The dashboard's grouped count by status reads this index alone (no table rows).
            models.Index(
                fields=["trial", "police_area", "status"], name="participant_trial_status"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["trial", "number"], name="participant_number_unique"),
            models.UniqueConstraint(
                fields=["trial", "person_key"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="participant_person_active_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="participant_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(arrest_date__gte=models.F("offence_date")),
                name="participant_arrest_after_offence",
            ),
            models.CheckConstraint(
                condition=Q(eligible=False) | ~Q(status=CaseStatus.INELIGIBLE),
                name="participant_ineligible_not_eligible",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=CaseStatus.ENROLLED)
                    & Q(allocation__isnull=False)
                    & Q(caution_given_on__isnull=False)
                    & Q(compliance_ends_on__isnull=False)
                    & Q(age_at_randomisation__isnull=False)
                )
                | (~Q(status=CaseStatus.ENROLLED) & Q(allocation__isnull=True)),
                name="participant_enrolled_has_allocation",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=MINIMISED_STATUSES)
                | (
                    Q(given_name__isnull=True)
                    & Q(family_name__isnull=True)
                    & Q(date_of_birth__isnull=True)
                    & Q(pnc_id__isnull=True)
                    & Q(phone__isnull=True)
                    & Q(email__isnull=True)
                    & Q(address__isnull=True)
                    & Q(support_needs__isnull=True)
                ),
                name="participant_closed_case_minimised",
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class Victim(models.Model):
    """The victim of the screened offence: contact, safety and (via Consent) agreement."""

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="victim")
    given_name = EncryptedTextField(null=True, blank=True)
    family_name = EncryptedTextField(null=True, blank=True)
    phone = EncryptedTextField(null=True, blank=True)
    email = EncryptedTextField(null=True, blank=True)
    address = EncryptedTextField(null=True, blank=True)
    contacted = models.BooleanField()
    contacted_on = models.DateField(null=True, blank=True)
    risk_raised = models.BooleanField(help_text="The victim raised a specific risk.")
    risk_details = EncryptedTextField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(contacted=False) | Q(contacted_on__isnull=False),
                name="victim_contact_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Victim of {self.participant.pseudonym}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class ConsentDecision(models.TextChoices):
    GIVEN = "given", "Agrees to the offender taking part"
    REFUSED = "refused", "Does not agree"


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEPHONE = "telephone", "By telephone"
    WRITTEN = "written", "In writing"
    IDVA = "idva", "Through an independent domestic violence adviser (IDVA)"


class Consent(models.Model):
    """The victim's decision on the offender's participation, and any later withdrawal."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="consent"
    )
    decision = models.CharField(max_length=10, choices=ConsentDecision.choices)
    decided_on = models.DateField()
    method = models.CharField("how obtained", max_length=20, choices=ConsentMethod.choices)
    submission_token = models.UUIDField(unique=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A withdrawal keeps the participant in the analysis (intention to treat).
    withdrawn_on = models.DateField(null=True, blank=True)
    # The victim's reasons are about her safety: encrypted at rest like her name.
    withdrawal_reason = EncryptedTextField(null=True, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ConsentDecision.values), name="consent_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | (
                    Q(decision=ConsentDecision.GIVEN)
                    & Q(withdrawn_on__gte=models.F("decided_on"))
                    & Q(withdrawal_reason__isnull=False)
                ),
                name="consent_withdrawal_after_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent for {self.participant.pseudonym}: {self.get_decision_display()}"


class ScreeningCorrection(models.Model):
    """A correction of a case's screening answers before enrolment: the earlier answers and why.

    The earlier answers kept are the non-personal facts only (with the eligibility they gave);
    a corrected name, date of birth or PNC ID is kept by its field name alone. A mistyped
    identifier is wrong data about a person, and a case that ends ineligible keeps none.
    """

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="corrections"
    )
    corrected_at = models.DateTimeField(default=timezone.now)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Free text may mention the person despite the form's advice: encrypted like other notes.
    reason = EncryptedTextField()
    # {"facts": {field: value}, "eligible": bool, "failed": [codes]} as they were before.
    previous = models.JSONField()
    changed = models.JSONField(default=list, help_text="Names of the answers that changed.")
    status_before = models.CharField(max_length=20, choices=CaseStatus.choices)
    status_after = models.CharField(max_length=20, choices=CaseStatus.choices)
    # The form's one-time token: a replayed correction is answered with the case as it is.
    submission_token = models.UUIDField(unique=True)

    class Meta:
        ordering = ["participant", "corrected_at", "id"]

    def __str__(self) -> str:
        return f"Screening correction of {self.participant.pseudonym}"


class SafetyEventKind(models.TextChoices):
    POLICE_CALL_OUT = "police_call_out", "Police call-out to the victim's address"
    THREAT_REPORTED = "threat_reported", "Victim reported threat or abuse"
    ORDER_BREACH = "order_breach", "Breach of a protective order"
    OTHER = "other", "Other"


class SafetyEvent(models.Model):
    """A victim-safety event an officer learnt of after randomisation: the trial's harms record."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="safety_events"
    )
    occurred_on = models.DateField("date of the event")
    kind = models.CharField(max_length=20, choices=SafetyEventKind.choices)
    # Notes describe the victim's safety: encrypted at rest like her name.
    notes = EncryptedTextField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["participant", "occurred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SafetyEventKind.values), name="safety_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.participant.pseudonym})"
