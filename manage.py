#!/usr/bin/env python3
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.conf.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Read the settings before Django does: it swallows a refusal while parsing the
    # command line, and commands that check models first then fail with "Models aren't
    # loaded yet" instead of the message naming the variable.
    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads and validates the environment
    except ImproperlyConfigured as exc:
        sys.exit(f"fundmgr: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
