"""`python tests/browser/clock.py ARGS` is `manage.py ARGS` on the suite's clock: under
FUNDMGR_TEST_NOW the browser tests' demo and server run on the same day as the tests."""

import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    now = os.environ.get("FUNDMGR_TEST_NOW")
    if now:
        import datetime as dt
        import time

        import time_machine

        # Started from the suite's own starting instant (tests/conftest.py), so this
        # process's clock agrees with the tests' to the second.
        epoch = float(os.environ.get("FUNDMGR_TEST_EPOCH", time.time()))
        moment = dt.datetime.fromisoformat(now) + dt.timedelta(seconds=time.time() - epoch)
        time_machine.travel(moment, tick=True).start()
    sys.path.insert(0, str(ROOT))
    sys.argv = [str(ROOT / "manage.py"), *sys.argv[1:]]
    runpy.run_path(str(ROOT / "manage.py"), run_name="__main__")
