"""Workspace pages of the CRM (one module per area)."""

# --- leads (section owned by the leads work) ---
from . import leads  # noqa: E402, F401

# --- opportunities, activities, forecast (section owned by the pipeline work) ---
