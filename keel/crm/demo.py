"""The CRM's part of the demo company: scored leads, then the pipelines and activities."""

from __future__ import annotations

from . import demo_leads, demo_pipeline


def load(company, fake) -> None:
    demo_leads.load(company, fake)
    demo_pipeline.load(company, fake)
