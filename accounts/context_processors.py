from django.conf import settings

from accounts.language import account_language, javascript_catalogue_version, supported


def language_switch(request):
    """The navigation's language switch: what it offers, and what is chosen now ("" when the
    language is automatic: the browser's, or the study's)."""
    chosen = account_language(request.user) if hasattr(request, "user") else ""
    if not chosen:
        chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or ""
    return {"language_autonyms": settings.LANGUAGE_AUTONYMS.items(), "language_chosen": chosen,
            "js_catalogue_version": javascript_catalogue_version()}
