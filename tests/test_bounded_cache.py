"""reports.queries.BoundedCache: at most `size` of weight, least recently used out first, or
one taken at random (`random_out`, for the transcript texts a listing reads in order)."""

from reports.queries import BoundedCache


def test_it_holds_at_most_its_size_by_weight_least_recently_used_out_first():
    cache = BoundedCache(10, weight=len)
    cache.put("a", "xxxx")
    cache.put("b", "xxxx")
    assert cache.get("a") == "xxxx"  # a is now the most recently used
    cache.put("c", "xxxx")
    assert cache.get("b") is None and cache.get("a") == "xxxx" and cache.get("c") == "xxxx"
    assert cache.held == 8
    assert cache.put("d", "x" * 11) == "x" * 11 and cache.get("d") is None  # too heavy alone


def test_a_run_longer_than_it_holds_leaves_nothing_by_recency_and_much_at_random():
    """Read in one order, 13 entries into room for 10, twice: by recency the second run finds
    none of them; at random about three fifths of them."""

    def second_run_hits(cache):
        hits = 0
        for _run in range(2):
            hits = 0
            for key in range(13):
                if cache.get(key) is not None:
                    hits += 1
                else:
                    cache.put(key, "x")
        return hits

    assert second_run_hits(BoundedCache(10)) == 0
    found = [second_run_hits(BoundedCache(10, random_out=True)) for _ in range(200)]
    assert 4 <= sum(found) / len(found) <= 10


def test_at_random_it_keeps_the_entry_just_put_and_its_size():
    cache = BoundedCache(5, random_out=True)
    for key in range(100):
        cache.put(key, "x")
        assert cache.get(key) == "x"
        assert cache.held == len(cache.entries) <= 5
