"""transition(): the table decides, the log remembers, a refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from keel.core.errors import TransitionNotAllowed
from keel.core.models import ApprovalRequest, StatusChange
from keel.core.tests.factories import ApprovalRuleFactory
from keel.core.workflow import allowed_transitions, transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(company, users):
    from keel.users.roles import Role

    rule = ApprovalRuleFactory(company=company)
    return ApprovalRequest.objects.create(
        company=company,
        rule=rule,
        content_type=ContentType.objects.get_for_model(company),
        object_id=str(company.pk),
        document_label="Deal 42",
        action="confirm",
        amount=Decimal("12000.00"),
        currency="USD",
        requested_by=users[Role.SALES_REP],
    )


def test_allowed_transition_moves_the_status_and_logs_who_and_when(pending, users):
    from keel.users.roles import Role

    manager = users[Role.SALES_MANAGER]
    assert allowed_transitions(pending) == ["approved", "cancelled", "rejected"]

    transition(pending, "approved", by=manager, note="fine")

    pending.refresh_from_db()
    assert pending.status == "approved"
    log = StatusChange.objects.get()
    assert (log.from_status, log.to_status, log.changed_by, log.note) == (
        "pending",
        "approved",
        manager,
        "fine",
    )
    assert log.record == pending
    assert allowed_transitions(pending) == []


def test_transition_not_in_the_table_is_refused_and_changes_nothing(pending, users):
    from keel.users.roles import Role

    transition(pending, "rejected", by=users[Role.SALES_MANAGER])
    before = pending.updated_at

    with pytest.raises(TransitionNotAllowed) as refusal:
        transition(pending, "approved", by=users[Role.SALES_MANAGER])

    assert refusal.value.code == "transition_not_allowed"
    assert refusal.value.status == 409
    assert str(refusal.value) == "A approval request that is rejected cannot become approved."
    pending.refresh_from_db()
    assert (pending.status, pending.updated_at) == ("rejected", before)
    assert StatusChange.objects.count() == 1
