"""Workspace pages of the CRM (one module per area)."""

# --- leads (section owned by the leads work) ---
# --- opportunities, activities, forecast (section owned by the pipeline work) ---
from . import (  # noqa: E402, F401
    activities,
    leads,  # noqa: E402, F401
    opportunities,
)
