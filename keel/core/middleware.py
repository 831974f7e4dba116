"""Turn a DomainError escaping a workspace page into a message, never a 500; put the
security headers (CSP, Permissions-Policy) on every answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            return JsonResponse(exception.as_dict(), status=exception.status)
        messages.error(request, exception.detail)
        back = request.META.get("HTTP_REFERER", "/")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/"
        return HttpResponseRedirect(back)


# Everything Keel serves comes from its own origin (unfold, htmx, Alpine, Chart.js and
# the API docs ship in wheels), so nothing may load from elsewhere. Scripts stay
# 'unsafe-inline' 'unsafe-eval' because unfold's templates carry inline scripts and
# Alpine.js evaluates its attribute expressions; escaping on the way out is what stops
# injected markup (tests/security/test_hostile_input.py).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Every answer carries a Content-Security-Policy and a Permissions-Policy; pages
    may be framed only by Keel itself, but a page made to be embedded elsewhere (the
    web-to-lead form, @xframe_options_exempt)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = CONTENT_SECURITY_POLICY
        if not getattr(response, "xframe_options_exempt", False):
            policy += "; frame-ancestors 'self'"
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
