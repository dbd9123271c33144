"""Which language a page speaks.

In order: the user's preference stored with their account (accounts.Profile), the language
chosen with the switch in this browser (Django's language cookie), the browser's
Accept-Language (when it names a language we have), then, on a study's pages, the study's
language (studies.access applies it once it knows the study), then LANGUAGE_CODE.
LocaleMiddleware has already done the cookie and Accept-Language; this middleware runs after
it and after AuthenticationMiddleware, puts the account's preference on top, and tells the
study's access helpers (request.language_chosen) whether the study may still decide.
"""

from pathlib import Path

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


_catalogue_version = None


def javascript_catalogue_version():
    """A short version of the script catalogues: a hash of each compiled djangojs catalogue,
    and Django's version. Pages name it in the catalogue's URL (?v=), so a browser
    may keep the catalogue for a year and still fetches the new one after a deploy. Read once
    per process: compiled catalogues change with a deploy, which restarts the processes (in
    development, restart runserver after compilemessages to see new script strings)."""
    global _catalogue_version
    if _catalogue_version is None:
        import hashlib

        import django

        parts = [django.get_version()]
        for root in settings.LOCALE_PATHS:
            for mo in sorted(Path(root).glob("*/LC_MESSAGES/djangojs.mo")):
                parts.append(f"{mo.parent.parent.name}:{hashlib.sha256(mo.read_bytes()).hexdigest()}")
        _catalogue_version = hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]
    return _catalogue_version
