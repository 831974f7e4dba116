"""What each role may do in the CRM, and the object rules for reps' own records."""

from __future__ import annotations

from keel.users.roles import Role

GRANTS: dict[Role, list[str]] = {}

# --- leads (section owned by the leads work) ---
from .lead_permissions import LEAD_GRANTS  # noqa: E402

for _role, _perms in LEAD_GRANTS.items():
    GRANTS.setdefault(_role, []).extend(_perms)

# --- opportunities, activities, forecast (section owned by the pipeline work) ---
