"""core.timing.sizing: how many points a race may have on this host."""

from __future__ import annotations

from core import presets, timing


def test_max_points_follows_memory_and_never_exceeds_the_cloud():
    big = timing.max_points(available=64 * 2**30)
    assert big * timing.BYTES_PER_POINT <= timing.CLOUD_MEMORY
    assert big == 1_000_000
    small = timing.max_points(available=200 * 2**20)
    assert small * timing.BYTES_PER_POINT <= 100 * 2**20 and small == 200_000
    assert timing.max_points(available=0) == 1000
    assert 1000 <= timing.max_points() <= big


def test_float32_points_cost_half():
    fn = presets.resolve("composed:3")
    assert timing.bytes_per_point(fn, "float32") == timing.bytes_per_point(fn, "float64") / 2
    assert timing.max_points("float32", available=200 * 2**20) >= timing.max_points("float64", available=200 * 2**20)


def test_sizes_are_one_two_five_numbers():
    from core.timing.sizing import nice_floor

    assert [nice_floor(v) for v in (10, 1999, 2000, 4999, 5000, 9999, 123_456)] == \
        [1000, 1000, 2000, 2000, 5000, 5000, 100_000]
