"""Login rate limit: after too many failures for one username, or from one address, within a
window, further attempts are refused with 429 until the window passes."""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import LoginFailure


def client_ip(request):
    """The address the login limit counts: REMOTE_ADDR, unless REMOTE_ADDR is one of the
    TRUSTED_PROXIES. Then X-Forwarded-For is read from the right, skipping trusted proxies: the
    first other address is the one the nearest trusted proxy saw. Anything further left was
    written by the client and may be forged, so a rotating header cannot escape the limit."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _trusted(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop if _valid(hop) else remote
    return remote


def _valid(address):
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def login_blocked(username, ip):
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    recent = LoginFailure.objects.recent(since)
    if username and recent.filter(username=username).count() >= settings.LOGIN_FAILURES_PER_USER:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= settings.LOGIN_FAILURES_PER_IP


def login_failure_record(username, ip):
    LoginFailure.objects.create(username=username[:150], ip=ip)


def login_failures_clear(username):
    LoginFailure.objects.filter(username=username).delete()


def lockout_message():
    """Names the configured window, in whole minutes rounded up (at least one)."""
    minutes = max(1, -(-settings.LOGIN_FAILURE_WINDOW // 60))
    return ngettext(
        "Too many failed logins. Wait %(count)d minute, then try again.",
        "Too many failed logins. Wait %(count)d minutes, then try again.",
        minutes,
    ) % {"count": minutes}
