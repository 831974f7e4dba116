import pytest

from .factories import books as make_books


@pytest.fixture
def books(company):
    """The company's books: generic chart, standard journals, fiscal year 2026."""
    return make_books(company)
