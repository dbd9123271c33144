"""Who is making the current change. Set per request by the middleware; management commands
and tests leave it empty (a system change) unless they set it with `acting_as`."""

from contextlib import contextmanager
from contextvars import ContextVar

current_user = ContextVar("current_user", default=None)


@contextmanager
def acting_as(user):
    token = current_user.set(user)
    try:
        yield
    finally:
        current_user.reset(token)


def current_user_middleware(get_response):
    def middleware(request):
        # The lazy request.user: it is only loaded if a change is actually recorded.
        token = current_user.set(getattr(request, "user", None))
        try:
            return get_response(request)
        finally:
            current_user.reset(token)

    return middleware
