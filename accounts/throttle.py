"""Login rate limit: after too many failures for one username, or from one address, within a
window, further attempts are refused with 429 until the window passes."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LoginFailure


def client_ip(request):
    # REMOTE_ADDR only: a client can forge X-Forwarded-For. Behind a proxy, have the proxy
    # set REMOTE_ADDR (gunicorn --forwarded-allow-ips) rather than trusting the header here.
    return request.META.get("REMOTE_ADDR") or None


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
    return _("Too many failed logins. Wait 15 minutes, then try again.")
