"""manage.py demo: load the demo (idempotent: a second run changes nothing)."""

import time

from django.core.management.base import BaseCommand

from fundmgr.demo import PASSWORDS, Demo
from fundmgr.models import Income


class Command(BaseCommand):
    help = "Load a realistic demo: communities, providers, packages, a year of income, users."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="multiply the daily number of incomes (default 1)")

    def handle(self, *args, **options):
        demo = Demo(scale=options["scale"])
        started = time.perf_counter()
        already = demo.exists()
        demo.load()
        if already:
            self.stdout.write("the demo is already loaded; nothing changed")
        else:
            self.stdout.write(f"demo loaded: {Income.objects.count()} incomes in "
                              f"{time.perf_counter() - started:.1f}s")
        self.stdout.write("demo users (username / password):")
        roles = {"admin": "administrator (/admin/)", "officer": "finance officer: 桥一, 花园",
                 "officer2": "finance officer: 南湖", "reviewer": "reviewer: all three",
                 "auditor": "auditor: all three"}
        for username, password in PASSWORDS.items():
            self.stdout.write(f"  {username:<9} {password:<22} {roles[username]}")
