"""Date fields pre-fill the browser's date picker, which reads ISO dates only."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from common.forms import DatePickerInput
from common.roles import Role
from tests.support.factories import make_user


def test_the_picker_renders_an_iso_value_in_a_british_locale() -> None:
    html = DatePickerInput().render("cut", datetime.date(2026, 11, 23))
    assert 'type="date"' in html
    assert 'value="2026-11-23"' in html


@pytest.mark.django_db
@pytest.mark.usefixtures("home_trial")
def test_the_report_form_offers_today_as_the_data_cut(client: Client) -> None:
    client.force_login(make_user(Role.RESEARCHER))
    page = client.get("/research/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page
