"""The collector pause used by batch writers (posting 1,000 entries at once)."""

import gc

from keel.core.batching import collector_paused


def test_a_large_batch_pauses_the_collector_and_gives_it_back_even_on_error():
    """Given the collector running, when a batch of 10,000 lines runs (and fails), then
    the collector is off during it and on again afterwards."""
    assert gc.isenabled()
    try:
        with collector_paused(10_000):
            assert not gc.isenabled()
            raise ValueError("a refused batch")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_small_batch_leaves_the_collector_alone():
    """Given the collector running, when a batch of 10 lines runs, it stays on."""
    with collector_paused(10):
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_nested_batch_does_not_turn_the_collector_back_on_early():
    """Given an outer batch that paused the collector, when an inner batch ends, the
    collector stays off until the outer batch ends."""
    with collector_paused(5_000):
        with collector_paused(5_000):
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
