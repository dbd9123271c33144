"""Which language a page speaks.

In order: the user's preference stored with their account (accounts.Profile), the language
chosen with the switch in this browser (Django's language cookie), the browser's
Accept-Language (when it names a language we have), then, on a study's pages, the study's
language (studies.access applies it once it knows the study), then LANGUAGE_CODE.
LocaleMiddleware has already done the cookie and Accept-Language; this middleware runs after
it and after AuthenticationMiddleware, puts the account's preference on top, and tells the
study's access helpers (request.language_chosen) whether the study may still decide.
"""

import functools
import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def supported(code):
    """The supported language for a tag (es-CO -> es), or None."""
    try:
        return translation.get_supported_language_variant(code) if code else None
    except LookupError:
        return None


@functools.cache
def catalogue_version():
    """A short hash of the compiled script catalogues (djangojs.mo under LOCALE_PATHS) and of
    Django's version. base.html puts it in the catalogue's URL, so a browser may keep the
    catalogue for a year (accounts.views.javascript_catalog) and still fetches the new one after
    a deploy changes a translation. Read once per process: a deploy restarts the workers."""
    digest = hashlib.sha256(django.get_version().encode())
    for folder in settings.LOCALE_PATHS:
        for mo in sorted(Path(folder).glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(mo.read_bytes())
    return digest.hexdigest()[:12]


def account_language(user):
    """The language stored with the account, or "" (read with the user: ProfileBackend)."""
    if not user.is_authenticated:
        return ""
    try:
        return user.profile.language
    except ObjectDoesNotExist:  # no profile yet: no preference
        return ""


def browser_chose(request):
    """Whether the language cookie or Accept-Language names a language we have."""
    if supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        return True
    return any(supported(code) for code, _q in parse_accept_lang_header(
        request.META.get("HTTP_ACCEPT_LANGUAGE", "")) if code != "*")


def user_language_middleware(get_response):
    def middleware(request):
        language = supported(account_language(request.user))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        request.language_chosen = bool(language) or browser_chose(request)
        return get_response(request)

    return middleware




