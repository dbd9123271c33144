from jobs.progress import notices


def job_notices(request):
    """Jobs the user started that finished since they last looked (from the cache: no query)."""
    user = getattr(request, "user", None)
    return {"job_notices": notices(user.pk) if user is not None and user.is_authenticated else []}
