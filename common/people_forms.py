"""Forms of the People pages: what a trial manager types to invite and change a user."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from common.forms import PlainMessages
from common.models import INSTALLATION_ROLES, Organisation, PoliceArea, Provider
from common.roles import LANDING_ORDER, Role
from common.services import password_reset_send

ROLE_CHOICES = [(role.value, role.value) for role in LANDING_ORDER]
# What a trial manager grants on the People pages: roles in a trial (installation roles are a
# superuser's to grant, from the command line).
TRIAL_ROLE_CHOICES = [(v, label) for v, label in ROLE_CHOICES if v not in INSTALLATION_ROLES]


class OrganisationForm(PlainMessages, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="The force, workshop provider or university the person works for.",
    )
    police_area = forms.ModelChoiceField(
        queryset=PoliceArea.objects.all(),
        required=False,
        help_text="Case officers see only their own area's cases.",
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.all(),
        required=False,
        label="Workshop provider",
        help_text="Counsellors see only their own provider's workshops.",
    )


class InviteForm(OrganisationForm):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(label="Work e-mail address", help_text="The invitation goes here.")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    roles = forms.MultipleChoiceField(
        choices=TRIAL_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Held in the trial you are working in (the trial picker); add others later.",
    )

    field_order = ["username", "email", "first_name", "last_name", "roles"]

    def chosen_roles(self) -> list[Role]:
        return [Role(value) for value in self.cleaned_data["roles"]]


class RolesForm(PlainMessages, forms.Form):
    roles = forms.MultipleChoiceField(
        choices=TRIAL_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    def chosen_roles(self) -> list[Role]:
        return [Role(value) for value in self.cleaned_data["roles"]]


class PeopleFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Every role"), *ROLE_CHOICES], required=False)
    active = forms.ChoiceField(
        choices=[("", "Active and deactivated"), ("yes", "Active"), ("no", "Deactivated")],
        required=False,
    )


class OutboxPasswordResetForm(PlainMessages, PasswordResetForm):
    """ "Forgot your password": the link leaves through the outbox, audited, like a manager's."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        # get_users: active accounts with this address and a password (never a hint either way).
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_send(user=user, by=None)
