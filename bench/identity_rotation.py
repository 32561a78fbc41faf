"""Time to encrypt, rotate and check real identities at rest (issue 12, item 6).

    .venv/bin/python bench/identity_rotation.py                          # 10,000, SQLite file
    .venv/bin/python bench/identity_rotation.py --identities 1000
    .venv/bin/python bench/identity_rotation.py --database-url postgres://postgres@127.0.0.1:54332/bench

On a fresh database (a new SQLite file in bench/.data/, or an empty PostgreSQL database given by
URL) it runs the migrations, makes ``--identities`` referrals, each with its identity (first and
last name, other names, date of birth, address: 5 encrypted values), under the key OLD, and times:

- ``migrate_backwards``: the data migration's reverse (decrypt every row into plain columns);
- ``migrate_forwards``: the data migration (encrypt every plaintext row), as on the day it is
  deployed;
- ``rotate``: ``manage.py rotate_identity_keys`` with keys NEW,OLD (every value re-encrypted);
- ``rotate_again``: the same command once more (every value already under NEW: nothing written);
- ``check``: ``rotate_identity_keys --check`` with NEW alone (the old key removed).

Results go to bench/results/identity-rotation[-postgresql].json; docs/security.md ("Identities
at rest") quotes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OLD = "AwQ4_Can5BOY-WB3z08ww9B6QjKGUudc-Hrw2OG2JYg="  # benchmark keys, not secrets
NEW = "7-zPAKW75zBexAnK0K4QrZh95ZJfFLq0eWVvFKJYpnw="


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--identities", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)

    data = ROOT / "bench" / ".data"
    data.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        engine = "postgresql"
    else:
        path = data / "identity-rotation.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        engine = "sqlite"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["IDENTITY_ENCRYPTION_KEYS"] = OLD

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import override_settings

    from safeguarding.accounts.models import Partnership
    from safeguarding.referrals.models import Referral, ReferralIdentity

    call_command("migrate", verbosity=0, interactive=False)
    partnership = Partnership.objects.create(
        name="Benchmark Safeguarding Partnership",
        slug="benchmark",
        kind="children",
        runs_cspr=True,
        area_name="Benchtown",
    )
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                partnership=partnership,
                reference=f"RB-{number:06d}",
                review_type="cspr",
                received_on=dt.date(2026, 1, 1),
                referrer_name="Bench Referrer",
                referrer_job_title="Social worker",
                referrer_organisation="Benchtown Council",
                referrer_email="referrer@bench.example",
                age_years=10,
                age_group="child",
                harm="serious_harm",
                abuse_or_neglect="suspected",
                place="in_area",
                what_happened="A fictional account for the benchmark.",
            )
            for number in range(args.identities)
        ],
        batch_size=2000,
    )
    ReferralIdentity.objects.bulk_create(
        [
            ReferralIdentity(
                referral=referral,
                first_name=f"Firstname{number}",
                last_name=f"Surname{number}",
                other_names="Known As",
                date_of_birth=dt.date(2010, 1, 1) + dt.timedelta(days=number % 3000),
                address=f"{number} Benchmark Road, Benchtown",
            )
            for number, referral in enumerate(referrals)
        ],
        batch_size=2000,
    )
    values = args.identities * 5

    def timed(function) -> float:
        started = time.perf_counter()
        function()
        return round(time.perf_counter() - started, 2)

    def command(*arguments: str) -> str:
        out = io.StringIO()
        call_command("rotate_identity_keys", *arguments, stdout=out)
        return out.getvalue().strip()

    results: dict = {}
    results["migrate_backwards"] = timed(
        lambda: call_command("migrate", "referrals", "0003", verbosity=0)
    )
    results["migrate_forwards"] = timed(lambda: call_command("migrate", "referrals", verbosity=0))
    outputs = {}
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW, OLD]):
        results["rotate"] = timed(
            lambda: outputs.update(rotate=command("--batch-size", str(args.batch_size)))
        )
        results["rotate_again"] = timed(lambda: outputs.update(again=command()))
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[NEW]):
        results["check"] = timed(lambda: outputs.update(check=command("--check")))
        sample = ReferralIdentity.objects.order_by("pk").first()
        assert sample.first_name == "Firstname0", sample.first_name

    report = {
        "engine": engine,
        "identities": args.identities,
        "encrypted_values": values,
        "batch_size": args.batch_size,
        "seconds": results,
        "values_per_second_rotate": round(values / results["rotate"]) if results["rotate"] else 0,
        "outputs": outputs,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "date": dt.date.today().isoformat(),
    }
    suffix = "" if engine == "sqlite" else "-postgresql"
    out = ROOT / "bench" / "results" / f"identity-rotation{suffix}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
