"""The analytics pages of the workspace (read-only: they call selectors and render)."""
