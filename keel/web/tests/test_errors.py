"""Django's handler500 (keel/web/errors.py): a lost database answers 503, anything else
stays a 500. (tests/operations/test_database_outage.py stops a real PostgreSQL under
gunicorn; this pins each branch on any database.)"""

from __future__ import annotations

import json

from django.db import OperationalError
from django.test import RequestFactory

from keel.web.errors import server_error


def answer_to(path: str, fail):
    """What the handler answers for a request to `path` whose handling ran `fail()`."""
    request = RequestFactory().get(path)
    try:
        fail()
    except Exception:  # noqa: BLE001 - Django calls handler500 inside its except block
        return server_error(request)
    raise AssertionError("fail() did not fail")


def lose_the_database():
    raise OperationalError("connection refused")


def fail_because_the_database_is_lost():
    try:
        lose_the_database()
    except OperationalError as lost:
        raise RuntimeError("the page could not be drawn") from lost


def test_a_page_that_lost_the_database_answers_503_with_a_page_saying_so():
    for fail in (lose_the_database, fail_because_the_database_is_lost):
        answer = answer_to("/sales/quotation/", fail)
        assert (answer.status_code, answer["Retry-After"]) == (503, "5")
        assert "<h1>Keel cannot reach its database</h1>" in answer.content.decode()


def test_an_api_request_that_lost_the_database_answers_the_apis_503():
    answer = answer_to("/api/v1/quotations/", lose_the_database)
    assert (answer.status_code, answer["Retry-After"]) == (503, "1")
    assert json.loads(answer.content) == {
        "code": "database_unavailable",
        "detail": "The database is unavailable; retry in a moment.",
        "field": None,
    }


def test_any_other_failure_stays_a_500():
    def bug():
        raise ValueError("a bug")

    answer = answer_to("/sales/quotation/", bug)
    assert answer.status_code == 500
    assert "database" not in answer.content.decode()
