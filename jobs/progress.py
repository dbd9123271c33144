"""What a running job shares with the pages watching it, through the cache named by
settings.JOBS_CACHE: its live progress and heartbeat, a cancel request, and the notices of
finished jobs waiting for the user who started them.

Why not the Job row: a job's work is one transaction, and on SQLite that transaction holds the
database's write lock until it ends, so no other connection could write the progress (or the
cancel request) meanwhile. The cache is a file cache by default (one machine: the web server
and its workers), Redis when workers run on several machines (README, "Background jobs")."""

import time

from django.conf import settings
from django.core.cache import caches

DAY = 24 * 3600


def _cache():
    return caches[settings.JOBS_CACHE]


def live_set(job_id, done, total, message):
    _cache().set(f"job:{job_id}:live", {"done": done, "total": total, "message": str(message),
                                        "at": time.time()}, DAY)


def live_get(job_id):
    """{"done", "total", "message", "at"} as the worker last reported it, or None."""
    return _cache().get(f"job:{job_id}:live")


def live_clear(job_id):
    _cache().delete_many([f"job:{job_id}:live", f"job:{job_id}:cancel"])


def cancel_request(job_id):
    _cache().set(f"job:{job_id}:cancel", True, DAY)


def cancel_requested(job_id):
    return bool(_cache().get(f"job:{job_id}:cancel"))


def notice_add(user_id, notice):
    """Keep `notice` ({"id", "title", "status", "url"}) for the user's next page."""
    key = f"jobs:notices:{user_id}"
    kept = [n for n in _cache().get(key) or [] if n["id"] != notice["id"]]
    _cache().set(key, (kept + [notice])[-10:], 7 * DAY)


def notices(user_id):
    """The user's jobs that finished since they last looked at them (no database query)."""
    return _cache().get(f"jobs:notices:{user_id}") or []


def notice_clear(user_id, job_id):
    key = f"jobs:notices:{user_id}"
    kept = _cache().get(key) or []
    if any(n["id"] == job_id for n in kept):
        _cache().set(key, [n for n in kept if n["id"] != job_id], 7 * DAY)
