"""Accounts: the second factor (TOTP with backup codes) and self-service password change.

Login itself is Django's, throttled by django-axes (settings.AXES_*)."""
