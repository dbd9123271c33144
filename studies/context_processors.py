def study(request):
    """The study the page belongs to and the user's membership of it, once a view's access
    helper has fetched them (studies.access.get_membership caches it on the request)."""
    membership = getattr(request, "membership", None)
    return {"membership": membership, "study": membership.study if membership else None}
