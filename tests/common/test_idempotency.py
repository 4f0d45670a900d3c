"""Idempotency-Keys: a retried request is answered from the first, within 24 hours, per client."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone

from common.exceptions import ConflictError, DomainError
from common.idempotency import request_fingerprint
from common.models import AuditEvent, IdempotencyKey
from common.services import idempotency_keys_expire, idempotent

pytestmark = pytest.mark.django_db


class Counter:
    """A request's work: counts its runs and answers with the run number."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> tuple[int, dict[str, object]]:
        self.runs += 1
        return 201, {"run": self.runs, "on": datetime.date(2026, 12, 4)}


def test_the_fingerprint_is_the_sha256_of_method_path_and_sorted_compact_json() -> None:
    by_hand = hashlib.sha256(b'POST\n/api/v1/enrol/\n{"a":1,"b":[true,null]}').hexdigest()
    assert (
        request_fingerprint(method="post", path="/api/v1/enrol/", body={"b": [True, None], "a": 1})
        == by_hand
    )


def test_a_replay_is_answered_without_running_the_request_again() -> None:
    work = Counter()
    first = idempotent(owner="token:1", key="k-1", fingerprint="f", do=work)
    again = idempotent(owner="token:1", key="k-1", fingerprint="f", do=work)
    assert work.runs == 1
    assert first == again == (201, {"run": 1, "on": "2026-12-04"})


def test_two_clients_may_use_the_same_key() -> None:
    work = Counter()
    idempotent(owner="token:1", key="same", fingerprint="f", do=work)
    _, theirs = idempotent(owner="token:2", key="same", fingerprint="f", do=work)
    assert theirs["run"] == 2


def test_the_same_key_for_another_request_is_refused_and_runs_nothing() -> None:
    work = Counter()
    idempotent(owner="token:1", key="k", fingerprint="f", do=work)
    with pytest.raises(ConflictError, match="used with a different request") as refused:
        idempotent(owner="token:1", key="k", fingerprint="other", do=work)
    assert refused.value.field == "Idempotency-Key"
    assert work.runs == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "line\nbreak"])
def test_an_unusable_key_is_refused_before_anything_runs(key: str) -> None:
    work = Counter()
    with pytest.raises(DomainError) as refused:
        idempotent(owner="token:1", key=key, fingerprint="f", do=work)
    assert refused.value.field == "Idempotency-Key"
    assert work.runs == 0


def test_a_key_older_than_24_hours_is_swept_and_then_starts_afresh() -> None:
    work = Counter()
    idempotent(owner="token:1", key="old", fingerprint="f", do=work)
    idempotent(owner="token:1", key="new", fingerprint="f", do=work)
    IdempotencyKey.objects.filter(key="old").update(  # one-door: a test ages the row
        created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )
    assert idempotency_keys_expire() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert AuditEvent.objects.filter(action="idempotency_key.expire").count() == 1
    _, answer = idempotent(owner="token:1", key="old", fingerprint="other", do=work)
    assert answer["run"] == 3


def test_an_expired_key_not_yet_swept_is_not_replayed() -> None:
    work = Counter()
    idempotent(owner="token:1", key="k", fingerprint="f", do=work)
    IdempotencyKey.objects.update(  # one-door: a test ages the row
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    _, answer = idempotent(owner="token:1", key="k", fingerprint="f", do=work)
    assert answer["run"] == 2
    assert IdempotencyKey.objects.count() == 1
