"""The permission matrix: every URL pattern, every actor, GET and POST, real ids of two trials.

The policy, read top to bottom (PAGES below is the same table in code):

    actor                          what they may open
    -----------------------------  ------------------------------------------------------------
    anonymous                      the public pages only; everything else redirects to sign-in
    officer A/a1, A/a2, B          officer pages; a case or breach of their trial AND area
    counsellor A/P1                counsellor pages; cycles of P1 in A; A's workshop-arm men
                                   queued for (or booked with) P1
    counsellor A/P2                counsellor pages; nothing of A (P1 delivers all of A)
    counsellor B/P2                counsellor pages; B's cycles and workshop-arm men
    researcher A, B                reports and balance of their trial
    trial manager A, B             every manager page, case, breach, report, import, person
                                   of their trial (admin: see ADMIN below)
    data manager A, B              follow-up pages; imports and sources of their trial
    national coordinator A         the oversight pages
    data protection officer        the audit page and subject access (no trial objects)
    data monitoring committee A    the reports of their trial and their PDFs, never a dataset

    cell rule (page roles R, object O of trial T)
    anonymous on a non-public page       302 to /accounts/login/
    signed in, holds no role of R        403
    holds a role of R, but not in T, or  404   (another trial's, area's or provider's row
      O is outside their area/provider         does not exist for them)
    allowed                              200, 302, 400 (form refused) or 405 (wrong method);
                                         never 403/404/500
    GET on a POST-only page              405 is accepted instead of the refusal (it shows nothing)
    anything                             500 fails

    content: every 200 page or download (PDFs as text, zips member by member) must not contain
    the name, date of birth (dd/mm/yyyy, ISO, "d Month yyyy"), phone, e-mail, address or PNC ID
    of a man the actor may not see, nor his victim's name or phone:
      officers see their trial-and-area's men and victims; trial managers their trial's;
      counsellors only the workshop-arm men of their trial whose area their provider delivers,
      never a victim; researchers, the committee, data managers, the coordinator and the DPO
      see nobody.
      The DPO's subject-access export is a download of the one case asked for: the matrix posts
      no custody reference, so it asks for nobody and must show nobody.
    refused POSTs change nothing: the audit trail has no new event after a refused cell.

A URL pattern with no row in PAGES fails the test by name: a new page needs its expectation.

ADMIN (namespace admin, as a group): its index, app lists, and for each registered model its
changelist and the change and history pages of a trial-A object (add, delete, autocomplete and
view-on-site pages are not requested). Only trial managers
get in (others are sent to the admin's sign-in); manager B must not get a 200 on a trial-A
object's page nor see its change link on a changelist. POSTs on the admin are sent for refused
actors only (an empty POST to a delete page would delete for an allowed one).
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldError
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from common.models import AuditEvent
from common.roles import Role
from common.signin_marks import CONFIRMED_AT
from tests.permissions.world import Actor, Person, World, build

pytestmark = pytest.mark.django_db

OFFICER, COUNSELLOR, RESEARCHER = Role.OFFICER, Role.COUNSELLOR, Role.RESEARCHER
MANAGER, DATA, COORD, DPO, DMC = (
    Role.TRIAL_MANAGER,
    Role.DATA_MANAGER,
    Role.NATIONAL_COORDINATOR,
    Role.DATA_PROTECTION_OFFICER,
    Role.DATA_MONITORING_COMMITTEE,
)
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any signed-in user
TOKEN = "token"  # the API: a bearer token only, so a session (or nobody) gets 401
ALLOWED = {200, 302, 400, 405}


@dataclass(frozen=True)
class Page:
    """One URL name's expectation: who opens it, what object it takes, what a POST sends."""

    access: str | tuple[Role, ...]
    target: str | None = None  # a kind of object in TARGETS, None for a page without one
    post_only: bool = False
    body: dict[str, Any] | None = None  # "TRIAL" stands for the target's trial id


def role_page(*roles: Role, target: str | None = None, post_only: bool = False, **kw: Any) -> Page:
    return Page(access=roles, target=target, post_only=post_only, **kw)


CASE_ROLES = (OFFICER, MANAGER)
REPORT_ROLES = (RESEARCHER, MANAGER, DMC)
DATASET_ROLES = (RESEARCHER, MANAGER)  # the committee reads reports, never the dataset
DATA_ROLES = (DATA, MANAGER)

PAGES: dict[str, Page] = {
    # Shared pages.
    "home": Page(SIGNED_IN),
    "healthz": Page(PUBLIC),
    "accessibility": Page(PUBLIC),
    "trial_choose": Page(SIGNED_IN, target="membership", post_only=True, body={"trial": "TRIAL"}),
    # Sign-in (public, then any signed-in user's own pages).
    "login": Page(PUBLIC),
    "logout": Page(PUBLIC),
    "password_reset": Page(PUBLIC),
    "password_reset_done": Page(PUBLIC),
    "password_reset_confirm": Page(PUBLIC, target="reset_link"),
    "password_reset_complete": Page(PUBLIC),
    "password_change": Page(SIGNED_IN),
    "password_change_done": Page(SIGNED_IN),
    "signin:verify": Page(SIGNED_IN),
    "signin:recovery": Page(SIGNED_IN),
    "signin:setup": Page(SIGNED_IN),
    "signin:confirm": Page(SIGNED_IN),
    "signin:keepalive": Page(SIGNED_IN, post_only=True),
    "signin:security": Page(SIGNED_IN),
    "signin:recovery_codes": Page(SIGNED_IN, post_only=True),
    "signin:unlock": role_page(MANAGER, target="person", post_only=True),
    "signin:second_factor_reset": role_page(MANAGER, target="person", post_only=True),
    # People (trial managers, the people of their trials).
    "people:list": role_page(MANAGER),
    "people:invite": role_page(MANAGER),
    "people:detail": role_page(MANAGER, target="person"),
    "people:roles": role_page(
        MANAGER, target="person", post_only=True, body={"roles": [OFFICER.value]}
    ),
    "people:organisation": role_page(MANAGER, target="person", post_only=True),
    "people:active": role_page(MANAGER, target="person", post_only=True, body={"active": "yes"}),
    "people:password_reset": role_page(MANAGER, target="person", post_only=True),
    # Trial configuration (managers; the balance also researchers).
    "trial:dashboard": role_page(MANAGER),
    "trial:new": role_page(MANAGER),
    "trial:balance_index": role_page(MANAGER, RESEARCHER),
    "trial:detail": role_page(MANAGER, target="trial"),
    "trial:settings": role_page(MANAGER, target="trial"),
    "trial:design": role_page(MANAGER, target="trial"),
    "trial:status": role_page(MANAGER, target="trial", post_only=True),
    "trial:verify": role_page(MANAGER, target="trial", post_only=True),
    "trial:balance": role_page(MANAGER, RESEARCHER, target="trial"),
    "trial:corrections": role_page(MANAGER, target="trial"),
    "trial:sequence": role_page(MANAGER, target="trial"),
    "trial:sequence_export": role_page(MANAGER, target="trial", post_only=True),
    # Officer pages.
    "participants:dashboard": role_page(OFFICER),
    "participants:case_list": role_page(MANAGER),
    "participants:screen": role_page(*CASE_ROLES),
    "participants:case": role_page(*CASE_ROLES, target="case"),
    "participants:consent": role_page(*CASE_ROLES, target="case"),
    "participants:correct": role_page(*CASE_ROLES, target="case"),
    "participants:enrol": role_page(*CASE_ROLES, target="case", post_only=True),
    "participants:randomised": role_page(*CASE_ROLES, target="case"),
    "participants:conditions": role_page(*CASE_ROLES, target="case"),
    "participants:withdraw": role_page(*CASE_ROLES, target="case"),
    "participants:safety_event": role_page(*CASE_ROLES, target="case"),
    "breaches:list": role_page(*CASE_ROLES),
    "breaches:detail": role_page(*CASE_ROLES, target="breach"),
    "breaches:deadline": role_page(*CASE_ROLES, target="case"),
    "breaches:case_workshops": role_page(*CASE_ROLES, target="case"),
    # Counsellor pages.
    "workshops:dashboard": role_page(COUNSELLOR),
    "workshops:cycle_new": role_page(COUNSELLOR),
    "workshops:cycle": role_page(COUNSELLOR, target="cycle"),
    "workshops:session": role_page(COUNSELLOR, target="session"),
    "workshops:cancel": role_page(COUNSELLOR, target="session"),
    "workshops:attendance_correct": role_page(COUNSELLOR, target="booking", post_only=True),
    "workshops:participant": role_page(COUNSELLOR, target="man"),
    "workshops:feedback": role_page(COUNSELLOR, target="man"),
    "workshops:calendar": role_page(COUNSELLOR),
    "workshops:calendar_week": role_page(COUNSELLOR),
    "workshops:calendar_feed_settings": role_page(COUNSELLOR),
    "workshops:calendar_feed": Page(PUBLIC, target="feed"),  # the token is the key
    "workshops:deliveries": role_page(MANAGER),
    # Follow-up (data managers and trial managers).
    "outcomes:dashboard": role_page(*DATA_ROLES),
    "outcomes:upload": role_page(*DATA_ROLES, post_only=True),
    "outcomes:enter": role_page(*DATA_ROLES),
    "outcomes:pull": role_page(*DATA_ROLES, target="source", post_only=True),
    "outcomes:error_report": role_page(*DATA_ROLES, target="import"),
    "outcomes:kept_extract": role_page(*DATA_ROLES, target="import"),
    # Reports (researchers, trial managers and the data monitoring committee).
    "reports:dashboard": role_page(*REPORT_ROLES),
    "reports:request": role_page(*REPORT_ROLES, post_only=True),
    "reports:run": role_page(*REPORT_ROLES, target="run"),
    "reports:progress": role_page(*REPORT_ROLES, target="run"),
    "reports:pdf": role_page(*REPORT_ROLES, target="run"),
    "reports:dataset": role_page(*DATASET_ROLES, target="run"),
    # Audit and subject access.
    "privacy:audit": role_page(MANAGER, DPO),
    "privacy:audit_export": role_page(MANAGER, DPO, post_only=True),
    "privacy:verify": role_page(MANAGER, post_only=True),
    "privacy:subject_access": role_page(DPO, MANAGER),
    # Oversight (the national coordinator, and trial managers for their own trials).
    "oversight:national": role_page(COORD, MANAGER),
    "oversight:quality": role_page(COORD, MANAGER),
    "plans:plan": role_page(MANAGER, RESEARCHER, target="trial"),
    # The API (tests/api/ checks its tokens): the schema and its docs are public.
    "api:schema": Page(PUBLIC),
    "api:docs": Page(PUBLIC),
    "api:trial-list": Page(TOKEN),
    # Every API endpoint answers a session (or nobody) with 401: tokens only. What each token
    # scope opens is tested endpoint by endpoint in tests/api/test_endpoint_permissions.py.
    "api:screenings": Page(TOKEN, target="api_trial"),
    "api:case-consent": Page(TOKEN, target="api_case"),
    "api:case-enrolment": Page(TOKEN, target="api_case"),
    "api:records": Page(TOKEN, target="api_trial"),
    "api:sources": Page(TOKEN, target="api_trial"),
    "api:case": Page(TOKEN, target="api_case"),
    "api:snapshots": Page(TOKEN, target="api_trial"),
    "api:report-runs": Page(TOKEN, target="api_trial"),
    "api:report-run": Page(TOKEN, target="api_run"),
    "api:dataset": Page(TOKEN, target="api_trial"),
    "api:tokens": Page(SIGNED_IN),
    "api:service_tokens": role_page(MANAGER),  # the current trial's service tokens
}


@dataclass(frozen=True)
class Target:
    """One object a URL takes: its kwargs and whose it is."""

    label: str
    kwargs: dict[str, Any]
    trial_id: int | None = None
    area_id: int | None = None
    provider_id: int | None = None
    intervention: bool = True
    kind: str = ""


def _case(label: str, person: Person, kind: str = "case") -> Target:
    return Target(
        label,
        {"pk": person.case.pk},
        person.trial.pk,
        person.area.pk,
        person.provider.pk if person.provider else None,
        person.intervention,
        kind,
    )


def targets(world: World, kind: str) -> list[Target]:
    """The real objects of both trials a URL of this kind is requested with."""
    a, b = world.a, world.b
    if kind == "case":
        assert a.other_area is not None
        return [_case("A man a1", a.man), _case("A case a2", a.other_area), _case("B man", b.man)]
    if kind == "man":
        return [
            _case("A man", a.man, "man"),
            _case("A control", a.control, "man"),
            _case("B man", b.man, "man"),
        ]
    found = []
    for side, name in ((a, "A"), (b, "B")):
        trial, area = side.trial.pk, side.man.area.pk
        provider = side.cycle.provider_id if hasattr(side.cycle, "provider_id") else None
        one = {
            "trial": Target(f"{name} trial", {"code": side.trial.code}, trial, kind=kind),
            "membership": Target(f"{name} trial", {}, trial, kind=kind),
            "person": Target(f"{name} person", {"pk": side.person.pk}, trial, kind=kind),
            "cycle": Target(
                f"{name} cycle", {"pk": side.cycle.pk}, trial, None, provider, kind=kind
            ),
            "session": Target(
                f"{name} session", {"pk": side.session.pk}, trial, None, provider, kind="cycle"
            ),
            "booking": Target(
                f"{name} booking",
                {"pk": side.session.pk, "booking_pk": side.booking.pk},
                trial,
                None,
                provider,
                kind="cycle",
            ),
            "breach": Target(f"{name} breach", {"pk": side.breach.pk}, trial, area, kind=kind),
            "run": Target(f"{name} report", {"pk": side.run.pk}, trial, kind=kind),
            "import": Target(f"{name} import", {"run_id": side.import_run.pk}, trial, kind=kind),
            "source": Target(f"{name} source", {"source_id": side.source.pk}, trial, kind=kind),
            # The API's addresses name the trial by code and a case by its pseudonym.
            "api_trial": Target(f"{name} trial", {"trial": side.trial.code}, trial, kind=kind),
            "api_case": Target(
                f"{name} case",
                {"trial": side.trial.code, "pseudonym": side.man.case.pseudonym},
                trial,
                kind=kind,
            ),
            "api_run": Target(
                f"{name} report", {"trial": side.trial.code, "pk": side.run.pk}, trial, kind=kind
            ),
        }
        if kind in one:
            found.append(one[kind])
    if kind == "feed":
        return [Target("P1 feed", {"token": world.feed_token}, kind=kind)]
    if kind == "reset_link":
        return [Target("bad link", {"uidb64": "MQ", "token": "set-password"}, kind=kind)]
    assert found, f"no targets of kind {kind}"
    return found


def fits(actor: Actor, role: Role, target: Target) -> bool:
    """Say whether the actor, through this role, may open this object."""
    if target.trial_id is None:
        return True
    if not actor.holds(role, target.trial_id):
        return False
    if role is OFFICER and target.area_id is not None:
        return actor.area is not None and actor.area.pk == target.area_id
    if role is COUNSELLOR and target.kind in ("man", "cycle", "session", "booking"):
        same = actor.provider is not None and actor.provider.pk == target.provider_id
        return same and target.intervention
    return True


def expected(page: Page, actor: Actor, target: Target | None) -> set[int]:
    """The statuses a cell may answer."""
    if page.access == PUBLIC:
        return ALLOWED
    if page.access == TOKEN:
        return {401}
    if actor.user is None:
        return {302}  # to the sign-in page (checked by where it points)
    if page.access == SIGNED_IN:
        if target is not None and target.kind == "membership":
            member = any(actor.holds(role, target.trial_id or 0) for role in Role)
            return ALLOWED if member else {404}
        return ALLOWED
    roles = page.access if isinstance(page.access, tuple) else ()
    if not any(actor.holds(role) for role in roles):
        return {403}
    if target is None or any(fits(actor, role, target) for role in roles):
        return ALLOWED
    return {404}


def visible(actor: Actor, person: Person) -> tuple[bool, bool]:
    """Whether the actor may see the man's details, and his victim's."""
    trial = person.trial.pk
    if actor.holds(MANAGER, trial):
        return True, True
    if actor.holds(OFFICER, trial) and actor.area is not None and actor.area.pk == person.area.pk:
        return True, True
    if actor.holds(COUNSELLOR, trial) and person.intervention and actor.provider is not None:
        return person.provider is not None and person.provider.pk == actor.provider.pk, False
    return False, False


def forbidden(actor: Actor, world: World) -> list[str]:
    """The strings that must not appear on any page the actor reaches."""
    hidden: list[str] = []
    for person in world.people:
        own, victim = visible(actor, person)
        hidden += [] if own else person.secrets
        hidden += [] if victim else person.victim_secrets
    return hidden


def patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every named URL pattern of the URLconf, with its namespaces."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from patterns(entry, space)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def body_text(response: HttpResponse) -> str:
    """The text of a page or download: PDFs through pdftotext, zips member by member."""
    raw = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if getattr(response, "streaming", False)
        else response.content
    )
    kind = response.get("Content-Type", "")
    if raw.startswith(b"%PDF"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(raw)
            handle.flush()
            done = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True)
        return done.stdout.decode(errors="replace")
    if raw.startswith(b"PK") or "zip" in kind:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(_member(archive.read(name)) for name in archive.namelist())
    return raw.decode(errors="replace")


def _member(raw: bytes) -> str:
    if raw.startswith(b"%PDF"):
        return ""  # a PDF inside the dataset zip: the same PDF the pdf URL is checked for
    return raw.decode(errors="replace")


@dataclass
class Cell:
    name: str
    actor: str
    method: str
    target: str
    got: str
    want: str


@dataclass
class Matrix:
    world: World
    clients: dict[str, Client] = field(default_factory=dict)
    failures: list[Cell] = field(default_factory=list)
    requests: int = 0
    pages: dict[tuple[str, str, str], str] = field(default_factory=dict)  # to check the check

    def client(self, actor: Actor, fresh: bool = False) -> Client:
        if fresh or actor.key not in self.clients:
            client = Client(enforce_csrf_checks=True)
            client.get(reverse("login"))  # the CSRF cookie every POST sends back
            if actor.user is not None:
                client.force_login(actor.user)
                session = client.session
                session[CONFIRMED_AT] = time.time() + 3600  # signed in a moment ago
                session.save()
            self.clients[actor.key] = client
        return self.clients[actor.key]

    def send(self, actor: Actor, method: str, url: str, body: dict[str, Any]) -> HttpResponse:
        client = self.client(actor)
        token = client.cookies["csrftoken"].value
        self.requests += 1
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(
                url, {**body, "csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token
            )
        if "_auth_user_id" not in client.session and actor.user is not None:
            self.client(actor, fresh=True)  # signed out by the request (logout): sign in again
        return response  # type: ignore[return-value]

    def fail(self, name: str, actor: Actor, method: str, target: str, got: str, want: str) -> None:
        self.failures.append(Cell(name, actor.key, method, target, got, want))

    def cell(
        self,
        name: str,
        actor: Actor,
        method: str,
        url: str,
        want: set[int],
        target: str,
        body: dict[str, Any],
        viewer: Actor | None = None,
    ) -> HttpResponse | None:
        refused = want.isdisjoint(ALLOWED - {405}) or (want == {302} and actor.user is None)
        events = AuditEvent.objects.count() if refused and method == "POST" else 0
        try:
            response = self.send(actor, method, url, body)
        except Exception as error:  # a crash is a 500 cell, listed with the rest
            self.fail(
                name, actor, method, target, f"500 {type(error).__name__}: {error}"[:90], _w(want)
            )
            return None
        status = response.status_code
        ok = status in want or (method == "GET" and status == 405 and want != {302})
        if actor.user is None and want == {302} and status == 302:
            ok = "/login/" in response["Location"]
        if not ok:
            where = f" -> {response['Location']}" if status == 302 else ""
            self.fail(name, actor, method, target, f"{status}{where}", _w(want))
        if refused and method == "POST" and AuditEvent.objects.count() != events:
            self.fail(name, actor, method, target, "refused but audited a change", "no change")
        if status == 200:
            text = body_text(response)
            if name in SHOWN and method == "GET":
                self.pages[(name, actor.key, target)] = text
            for secret in forbidden(viewer or actor, self.world):
                if secret in text:
                    self.fail(name, actor, method, target, f"200 shows {secret!r}", "no such data")
        return response


# Pages that must show the man's details to those allowed: the content check is not vacuous.
SHOWN = {"participants:case": "officer-A-a1", "workshops:participant": "counsellor-A-P1"}


def _w(want: set[int]) -> str:
    return "allowed (200/302/400)" if want == ALLOWED else "/".join(map(str, sorted(want)))


def run_pages(matrix: Matrix, names: list[str]) -> None:
    """GET every page first, then POST (refused actors before allowed ones)."""
    world = matrix.world
    for method in ("GET", "POST"):
        for name in names:
            page = PAGES[name]
            for target in targets(world, page.target) if page.target else [None]:
                url = reverse(name, kwargs=target.kwargs if target else None)
                order = sorted(world.actors, key=lambda a: expected(page, a, target) == ALLOWED)
                for actor in order:
                    want = expected(page, actor, target)
                    viewer = world.feed_owner if page.target == "feed" else None
                    body = {
                        key: (target.trial_id if value == "TRIAL" and target else value)
                        for key, value in (page.body or {}).items()
                    }
                    label = target.label if target else ""
                    matrix.cell(name, actor, method, url, want, label, body, viewer)


# Registered models whose rows belong to no trial: configuration of the installation.
INSTALLATION_WIDE = {
    "auth.group",
    "common.policearea",
    "common.organisation",
    "common.provider",
    "common.auditevent",
    "common.outboxmessage",
    "outcomes.harmindexversion",
    "outcomes.offencecodemapping",
    "axes.accessattempt",  # sign-in lockouts: of the installation, not of a trial
    "axes.accessfailurelog",
    "axes.accesslog",
}
TRIAL_PATHS = [
    "trial",
    "memberships__trial",
    "allocation__trial",
    "participant__trial",
    "cycle__trial",
    "session__cycle__trial",
    "booking__session__cycle__trial",
    "source__trial",
    "stratum__trial",
    "arm__trial",
    "design__trial",
]


def trial_a_object(model: type[Model], world: World) -> tuple[Model | None, bool]:
    """A row of the model that belongs to trial A (and whether the model has trial rows)."""
    if model is type(world.a.trial):
        return world.a.trial, True
    for path in TRIAL_PATHS:
        try:
            rows = model._default_manager.filter(**{path: world.a.trial})
        except FieldError:  # not a path of this model: try the next
            continue
        return rows.first(), True
    return None, False


# A manager in the admin: a page, a redirect, a model they may not touch (403), or an app list
# none of whose models they may touch (404).
ADMIN_IN = {200, 302, 403, 404}


def run_admin(matrix: Matrix) -> list[str]:
    """The admin as a group; return what it could not cover."""
    world, uncovered = matrix.world, []
    managers = {"manager-A", "manager-B"}
    urls: list[tuple[str, str, str | None]] = [("admin:index", reverse("admin:index"), None)]
    for model in admin.site._registry:
        label = model._meta.label_lower
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(
            (
                f"admin:{info[0]}_{info[1]}_changelist",
                reverse(f"admin:{info[0]}_{info[1]}_changelist"),
                None,
            )
        )
        obj, has_trial = trial_a_object(model, world)
        if not has_trial and label not in INSTALLATION_WIDE:
            matrix.failures.append(
                Cell(
                    f"admin {label}",
                    "-",
                    "-",
                    "-",
                    "no expectation",
                    "in INSTALLATION_WIDE or a trial path",
                )
            )
        if has_trial and obj is None:
            uncovered.append(f"admin {label}: no trial-A row in the world")
        if obj is not None:
            for view in ("change", "history"):
                url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])
                urls.append((f"admin:{info[0]}_{info[1]}_{view}", url, f"A {label} {obj.pk}"))
    for app in {m._meta.app_label for m in admin.site._registry}:
        urls.append(("admin:app_list", reverse("admin:app_list", args=[app]), app))
    for name, url, target in urls:
        for actor in world.actors:
            if actor.key in managers:
                _admin_manager(matrix, actor, name, url, target)
                continue
            for method in ("GET", "POST"):
                response = matrix.cell(name, actor, method, url, {302}, target or "", {})
                sent_to = response["Location"] if response and response.status_code == 302 else ""
                if actor.user is not None and sent_to and "/login/" not in sent_to:
                    matrix.fail(name, actor, method, target or "", sent_to, "admin login")
    return uncovered


def _admin_manager(matrix: Matrix, actor: Actor, name: str, url: str, target: str | None) -> None:
    """A manager in the admin: manager B never gets trial A's object or its row in a list."""
    response = matrix.cell(name, actor, "GET", url, ADMIN_IN, target or "", {})
    if actor.key != "manager-B" or response is None:
        return
    if target and name.endswith(("_change", "_history")) and response.status_code == 200:
        matrix.fail(name, actor, "GET", target, "200 (trial A's row)", "403/404/302")
    if name.endswith("_changelist") and response.status_code == 200:
        text = body_text(response)
        for pk in _a_pks(name, matrix.world):
            if f'href="{url}{pk}/change/' in text:
                matrix.fail(name, actor, "GET", f"row {pk}", "lists trial A's row", "hidden")


def _a_pks(changelist: str, world: World) -> list[int]:
    app, model_name = changelist.removeprefix("admin:").removesuffix("_changelist").split("_", 1)
    model = apps.get_model(app, model_name)
    obj, _ = trial_a_object(model, world)
    return [obj.pk] if obj is not None else []


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTCOMES_QUARANTINE_DIR = tmp_path / "media" / "outcomes" / "quarantine"
    settings.SIGNIN_REAUTH_SECONDS = 24 * 3600
    return build(Path(settings.OUTCOMES_DROP_ROOT))


def test_every_url_pattern_has_an_expectation() -> None:
    names = {name for name in patterns() if not name.startswith("admin:")}
    missing = sorted(names - set(PAGES))
    assert missing == [], f"URL patterns without an expectation in PAGES: {missing}"


def test_the_permission_matrix(world: World) -> None:
    matrix = Matrix(world)
    names = sorted({name for name in patterns() if name in PAGES})
    started = time.monotonic()
    run_pages(matrix, names)
    uncovered = run_admin(matrix)
    took = time.monotonic() - started
    table = "\n".join(
        f"{c.name:34} | {c.actor:16} | {c.method:4} | {c.target:18} | {c.got} | want {c.want}"
        for c in matrix.failures
    )
    print(f"\n{matrix.requests} requests in {took:.0f}s; not covered: {uncovered}")
    for name, actor in SHOWN.items():
        page = matrix.pages.get((name, actor, "A man a1" if "case" in name else "A man"), "")
        assert world.a.man.secrets[1] in page, f"{name} does not show {actor} their own man"
    assert not matrix.failures, f"{len(matrix.failures)} failing cells:\n{table}"
