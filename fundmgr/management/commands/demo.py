"""manage.py demo - a stub until income recording lands (issue "income"): it creates
the demo administrator only. Running it twice changes nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_ADMIN = ("admin", "demo-admin-2026")


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def handle(self, *args, **options):
        User = get_user_model()
        username, password = DEMO_ADMIN
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username=username, password=password,
                                          email="admin@example.org")
        self.stdout.write(f"demo administrator: {username} / {password}")
