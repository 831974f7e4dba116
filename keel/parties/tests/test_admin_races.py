"""On PostgreSQL: a colleague's save that lands between the customer form's check and
its save is still refused at the form, the user's input kept, never as a bare error."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from keel.core.tests.factories import CompanyFactory
from keel.parties.models import Party
from keel.parties.services.parties import update_party
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from .factories import OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _someone_waits_for_a_lock(timeout: float = 20.0) -> bool:
    """True once another session of this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def test_a_save_racing_a_colleagues_is_refused_at_the_form():
    """Given customer Acme at version 1, open on the manager's page, and a colleague
    whose save of it (version 2) is written but not yet committed; When the manager
    saves what they typed, and the colleague's save then commits; Then the manager gets
    the form back (200) saying Acme changed since, with their input, and the database
    holds the colleague's values."""
    company = CompanyFactory()
    manager = user_with_role(Role.SALES_MANAGER, company=company)
    colleague = user_with_role(Role.ADMINISTRATOR, company=company)
    party = OrganisationFactory(company=company, name="Acme", owner=manager, is_customer=True)
    client = Client()
    client.force_login(manager)
    assert (
        'name="seen_version" value="1"'
        in client.get(f"/parties/party/{party.pk}/change/").content.decode()
    )
    written, commit = threading.Event(), threading.Event()
    answers, errors = [], []

    def colleague_saves() -> None:
        try:
            with transaction.atomic():
                update_party(party.pk, by=colleague, version=1, notes="Colleague's note")
                written.set()
                commit.wait(30)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            written.set()
            connection.close()

    def manager_saves() -> None:
        try:
            answers.append(
                client.post(
                    f"/parties/party/{party.pk}/change/",
                    {
                        "kind": "organisation",
                        "name": "Acme Renamed",
                        "notes": "Manager's note",
                        "is_customer": "on",
                        "active": "on",
                        "owner": manager.pk,
                        "seen_version": 1,
                        "addresses-TOTAL_FORMS": "0",
                        "addresses-INITIAL_FORMS": "0",
                        "contacts-TOTAL_FORMS": "0",
                        "contacts-INITIAL_FORMS": "0",
                    },
                )
            )
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    theirs = threading.Thread(target=colleague_saves)
    theirs.start()
    assert written.wait(30)
    mine = threading.Thread(target=manager_saves)
    mine.start()
    # When: the manager's save waits for the colleague's row lock, then the colleague commits
    waited = _someone_waits_for_a_lock()
    commit.set()
    theirs.join(30)
    mine.join(30)

    # Then
    assert errors == []
    assert waited
    (response,) = answers
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Acme was changed by someone else since you opened it (version 2, yours 1). "
        "Reload the page and apply your change again." in html
    )
    assert re.search(r'<input type="text" name="name" value="Acme Renamed"', html)
    assert "Manager&#x27;s note</textarea>" in html
    assert Party.objects.values_list("name", "notes", "version").get(pk=party.pk) == (
        "Acme",
        "Colleague's note",
        2,
    )
