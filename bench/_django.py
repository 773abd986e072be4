"""Shared set-up of the benchmarks: a fresh var/ directory (so SQLite is a new file when
DATABASE_URL is unset), production settings (DEBUG off: with it on Django keeps every
query's SQL in memory), migrations, then django.setup(); and the helpers every
benchmark uses to print figures and to make data."""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(prefix: str) -> tuple[Path, dict]:
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    env = {**os.environ, "DEBUG": "0", "FUNDMGR_VAR_DIR": str(tmp)}
    env.setdefault("SECRET_KEY", "bench-only")
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fundmgr.conf.settings"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()
    return tmp, env


def emit(**figure) -> dict:
    """Print one figure as a JSON line. `ratio` is value/ceiling for rates (higher is
    better) and ceiling/value for times, so 1.0 means as fast as the ceiling."""
    if figure.get("ceiling") and figure.get("value"):
        higher_is_better = figure["unit"].endswith("/s")
        figure["ratio"] = round(
            figure["value"] / figure["ceiling"]
            if higher_is_better
            else figure["ceiling"] / figure["value"],
            3,
        )
    print(json.dumps(figure, ensure_ascii=False), flush=True)
    return figure


def tag() -> str:
    return dt.datetime.now().strftime("%H%M%S%f")[:10]


def community(code: str, *, providers: int = 1):
    """A community with one paid package per provider, nothing waiting for review."""
    from decimal import Decimal

    from fundmgr.models import HubEnterprise, Provider
    from fundmgr.services.setup import community_create, package_create

    hub, _ = HubEnterprise.objects.get_or_create(
        code=f"H{code}", defaults={"name": "基准枢纽", "subdistrict": "基准街道"}
    )
    c = community_create(
        code=code,
        name=f"基准社区{code}",
        subdistrict="基准街道",
        hub=hub,
        review_threshold=Decimal("1000000"),
    )
    packages = []
    for i in range(providers):
        provider = Provider.objects.create(
            code=f"P{code}{i}", name=f"基准机构{i}", category="elderly"
        )
        packages.append(
            package_create(
                community=c,
                code=f"PK{i}",
                name=f"服务包{i}",
                provider=provider,
                prices={"paid": Decimal("100"), "low_cost": Decimal("30")},
            )
        )
    return c, packages


def seed_incomes(
    c,
    packages,
    n: int,
    *,
    start: dt.datetime,
    spread: dt.timedelta,
    prefix: str,
    chunk: int = 5000,
    user=None,
) -> None:
    """n posted incomes spread evenly over [start, start + spread), written through the
    import's own write path (draft_validate, income_build, incomes_save), a chunk per
    transaction."""
    from django.db import transaction
    from django.utils import timezone
    from djmoney.money import Money

    from fundmgr.models import SplitPolicy
    from fundmgr.services.drafts import IncomeDraft, draft_validate, income_build
    from fundmgr.services.posting import incomes_save

    policies = list(SplitPolicy.objects.filter(community=c).order_by("-effective_from"))
    methods = ["wechat", "alipay", "cash", "bank"]
    now = timezone.now()
    step = spread / max(n, 1)
    start = timezone.make_aware(start) if timezone.is_naive(start) else start
    for first in range(0, n, chunk):
        built = []
        for k in range(first, min(n, first + chunk)):
            draft = IncomeDraft(
                community=c,
                package=packages[k % len(packages)],
                tier="paid",
                amount=Money(f"{(k * 37) % 50000 / 100 + 1:.2f}", c.currency),
                paid_at=start + step * k,
                method=methods[k % 4],
                payer=f"居民{k % 997}",
                external_ref=f"{prefix}-{k}",
            )
            problems = draft_validate(draft, now=now, policies=policies)
            assert not problems, problems
            built.append(income_build(draft, recorded_by=user, now=now))
        with transaction.atomic():
            incomes_save(built, "bench")


def analyze() -> None:
    """Bring the planner's statistics up to date, as autovacuum would on a deployed
    server (it is off on these machines)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
