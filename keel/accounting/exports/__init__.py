"""Exports of the books: the ledger in beancount format, any report as CSV/XLSX/PDF."""
