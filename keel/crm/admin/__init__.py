"""Workspace pages of the CRM (one module per area)."""

# --- leads (section owned by the leads work) ---

# --- opportunities, activities, forecast (section owned by the pipeline work) ---
from . import activities, opportunities  # noqa: E402, F401
