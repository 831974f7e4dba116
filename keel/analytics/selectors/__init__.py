"""Reads of analytics: each module answers one page (customer 360, trail, sales)."""
