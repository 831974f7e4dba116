"""Writes of the accounting domain: one module per aggregate."""
