"""The OpenAPI schema builds without a single warning (clients are generated from it)."""

from django.core.management import call_command


def test_openapi_schema_builds_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/approval-requests/{id}/approve/" in text
    assert "PartyKindEnum" in text
