"""/healthz tells the load balancer and monitoring whether an app server may take
traffic: the database answers and every migration is applied."""

from __future__ import annotations

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_migrated_database_is_healthy_without_signing_in():
    """Given a database with every migration applied,
    When someone not signed in asks /healthz,
    Then it answers 200 ok for the database and the migrations, never cached."""
    answer = Client().get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "no-cache" in answer["Cache-Control"]


def test_a_migration_not_applied_takes_the_server_out_of_rotation():
    """Given code shipping a migration the database has not applied (its record gone),
    When /healthz is asked,
    Then it answers 503 naming exactly that migration."""
    latest = MigrationRecorder.Migration.objects.filter(app="sales").order_by("-id").first()
    latest.delete()

    answer = Client().get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "database": "ok",
        "migrations": "pending",
        "pending": [f"sales.{latest.name}"],
    }


def test_healthz_only_reads():
    """When a client POSTs to /healthz, Then it is refused with 405 (it changes nothing)."""
    assert Client().post("/healthz").status_code == 405
