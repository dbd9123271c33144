"""Response headers that Django's SecurityMiddleware does not set."""

# Only the app's own scripts, styles, images and fonts. Style *attributes* stay allowed: the
# coding page colours highlights with them, and an attribute cannot run script. Bootstrap's CSS
# draws its form icons as data: SVGs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    return middleware


def reject_invalid_utf8(get_response):
    """Answer 400 to a query string or form body that is not valid UTF-8 once percent-decoded.

    Django would otherwise decode such bytes leniently (as Latin-1 or U+FFFD) and store
    mojibake. Multipart bodies are left to the upload code, which checks each file's encoding.
    """
    from urllib.parse import unquote_to_bytes

    from django.http import HttpResponseBadRequest
    from django.utils.translation import gettext as _

    def valid(raw):
        try:
            unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    def middleware(request):
        query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        form = request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
        if not valid(query) or (form and not valid(request.body)):
            return HttpResponseBadRequest(
                _("The request is not valid UTF-8 text."), content_type="text/plain; charset=utf-8"
            )
        return get_response(request)

    return middleware
