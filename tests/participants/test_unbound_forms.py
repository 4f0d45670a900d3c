"""An empty form's kept HTML is the HTML crispy renders, with each page's own tokens."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable

import pytest
from django.forms import BaseForm
from django.template import RequestContext, Template
from django.test import RequestFactory

from common.models import PoliceArea
from common.templatetags.unbound_forms import SENTINEL, forget
from participants.forms import ConsentForm, ScreeningForm
from trial.models import Trial

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
KEPT = Template("{% load unbound_forms %}{% crispy_unbound form %}")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _screening(trial: Trial) -> Callable[[uuid.UUID], BaseForm]:
    trials = Trial.objects.filter(pk=trial.pk)
    areas = PoliceArea.objects.select_related("force")
    return lambda token: ScreeningForm(
        None, trials=trials, areas=areas, initial={"token": token, "trial": trial.pk}
    )


def _consent(token: uuid.UUID) -> BaseForm:
    today = datetime.date(2026, 12, 1)
    return ConsentForm(None, offence_date=today, initial={"token": token, "decided_on": today})


@pytest.mark.parametrize("which", ["screening", "consent"])
def test_a_kept_empty_form_is_the_page_crispy_renders_with_its_own_tokens(
    trial: Trial, which: str
) -> None:
    forget()
    make = _screening(trial) if which == "screening" else _consent
    request = RequestFactory().get("/")
    tokens = []
    for _ in range(3):  # the first renders and keeps it, the others are served from it
        token = uuid.uuid4()
        own = CRISPY.render(RequestContext(request, {"form": make(token)}))
        kept = KEPT.render(RequestContext(request, {"form": make(token)}))
        assert CSRF.sub("", kept) == CSRF.sub("", own)
        assert kept.count(str(token)) == 1
        assert SENTINEL not in kept
        found = CSRF.search(kept)
        assert found is not None
        tokens.append(token)
    assert len(set(tokens)) == 3


def test_a_bound_form_with_errors_is_rendered_afresh(trial: Trial) -> None:
    forget()
    form = ScreeningForm(
        {"token": str(uuid.uuid4())},
        trials=Trial.objects.filter(pk=trial.pk),
        areas=PoliceArea.objects.all(),
    )
    assert not form.is_valid()
    page = KEPT.render(RequestContext(RequestFactory().get("/"), {"form": form}))
    assert "is-invalid" in page
