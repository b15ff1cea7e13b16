"""The per-workspace caches are sized from the function's memory, so 10,000 mailboxes fit in one warm container."""

from __future__ import annotations

from gmail_integration.cache import MIN_SIZE, WorkspaceCache, memory_bound_size, secret_key


def test_512_mb_holds_ten_thousand_workspaces() -> None:
    assert memory_bound_size({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}) >= 10_000


def test_the_bound_grows_with_memory_and_has_a_floor() -> None:
    small = memory_bound_size({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"})
    large = memory_bound_size({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"})
    assert MIN_SIZE <= small < large
    assert memory_bound_size({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "not a number"}) == memory_bound_size({})


def test_a_warm_cache_keeps_every_one_of_ten_thousand_workspaces() -> None:
    cache: WorkspaceCache[str] = WorkspaceCache(memory_bound_size({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}))
    keys = [secret_key(f"ws-{n}", f"ciphertext-{n}".encode()) for n in range(10_000)]
    for key in keys:
        cache.put(key, key[0])
    assert all(cache.get(key) == key[0] for key in keys)


def test_the_least_recently_used_entry_goes_first_at_the_bound() -> None:
    cache: WorkspaceCache[int] = WorkspaceCache(2)
    a, b, c = (secret_key(name, b"x") for name in "abc")
    cache.put(a, 1)
    cache.put(b, 2)
    assert cache.get(a) == 1
    cache.put(c, 3)
    assert cache.get(b) is None
    assert (cache.get(a), cache.get(c)) == (1, 3)
