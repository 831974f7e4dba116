"""The data unfold's Chart.js components draw, built the same way on every page."""

from __future__ import annotations

import json
from decimal import Decimal

PRIMARY = "var(--color-primary-600)"
SECOND = "var(--color-primary-300)"


def chart_data(labels: list[str], *datasets: tuple[str, list[Decimal], str]) -> str:
    """The JSON unfold's chart components draw (Chart.js `data`): one dataset per
    (label, values, colour), bars side by side."""
    return json.dumps(
        {
            "labels": labels,
            "datasets": [
                {
                    "label": label,
                    "data": [float(v) for v in values],
                    "backgroundColor": color,
                    "borderColor": color,
                    # unfold draws 4px bars laid over each other; ours stand side by side
                    "grouped": True,
                    "maxBarThickness": 24,
                    "barPercentage": 0.8,
                    "displayYAxis": index == 0,
                }
                for index, (label, values, color) in enumerate(datasets)
            ],
        }
    )
