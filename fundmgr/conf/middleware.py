from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese first: the page is in 简体中文 unless the reader chose another language
    with the switch (kept in the language cookie). The browser's Accept-Language does not
    override it, so a shared phone or a kiosk set to English still opens in Chinese."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class TwoFactorRequiredMiddleware:
    """Holders of a role in settings.TWO_FACTOR_ROLES (and staff) who logged in with a
    password only reach their pages after the second factor: anything but the public
    site, the account pages and static files sends them to /accounts/two-factor/ (which
    enrols a device the first time). Needs django_otp's OTPMiddleware before it."""

    OPEN_MODULES = ("reports.public.", "django.views.static")
    OPEN_NAMES = {"login", "logout", "two-factor", "set_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        from fundmgr.accounts import two_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in self.OPEN_NAMES:
            return None
        module = getattr(view, "__module__", "") or ""
        if module.startswith(self.OPEN_MODULES) or request.path.startswith(
            f"/{settings.STATIC_URL.strip('/')}/"
        ):
            return None
        if not two_factor.required_for(user):
            return None
        return two_factor.redirect_to_verify(request)


class PrivateWhenPersonalMiddleware:
    """A response that carries something of one visitor - a logged-in user's name, a
    CSRF token - is theirs alone: `Cache-Control: private, no-store` whatever the view
    said (a logged-in officer's /r/<code>/ was served `public, max-age=60`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = request.META.get("CSRF_COOKIE_USED") or (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        )
        if personal:
            patch_cache_control(response, private=True, no_store=True, max_age=0)
        return response
