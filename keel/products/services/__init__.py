"""Writes of the products domain: one module per aggregate."""
