"""Shared set-up of the benchmarks: a fresh var/ directory (so SQLite is a new file when
DATABASE_URL is unset), production settings (DEBUG off: with it on Django keeps every
query's SQL in memory), migrations, then django.setup()."""

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
    os.environ["DJANGO_SETTINGS_MODULE"] = "fundmgr.settings"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)
    import django

    django.setup()
    return tmp, env
