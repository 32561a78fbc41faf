"""A bounded load test: simulated users against a real server on the loopback address.

    .venv/bin/python bench/load.py                                  # SQLite, 50 users, 10 min
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/app_load
    .venv/bin/python bench/load.py --users 20 --duration 120        # a shorter run

It builds a fresh database (SQLite file under bench/.data/, or the PostgreSQL database named in
``--database-url``, dropped and created again: give it a database of its own), runs the
migrations and loads the Riverton demo, starts gunicorn on 127.0.0.1 on a free port, and lets
``--users`` simulated people use it for ``--duration`` seconds, each waiting a random think time
between requests. Then it stops the server by itself and writes the figures to
``bench/results/load-<database>.json``. It is not a test (pytest does not collect it) and never
reaches beyond the loopback address.

The people (round robin):
  business unit        staff pages (home, reviews, a review, triage, audit trail, tracker,
                       annual report), and every fifth visit uploads a PDF to a review
  partner lead         staff pages they may read
  agency contributor   their requests, and the review list
  public reader        the public pages (home, reviews page, published archive, library search,
                       digests)
  referrer             the online referral form, page by page, to "sent" (each referral from a
                       new fictional address behind the proxy, as many referrers are)

An error is a request that failed (connection, timeout) or answered anything but what it should
(200, or a redirect where one is expected): a 4xx or a 5xx, the "service is busy" 503 included.
The run stops with exit status 1 if there was an error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
SETTINGS = "bench.load_settings"
SLUG = "riverton-safeguarding"
PASSWORD = "safeguarding-demo-2026"  # the demo's (workspace/demo_content.py DEMO_PASSWORD)
PEOPLE = ["business_unit", "partner_lead", "agency", "public", "referrer"]
ACCOUNTS = {
    "business_unit": "business.unit@riverton.example",
    "partner_lead": "partner.lead@riverton.example",
    "agency": "agency.police@riverton.example",
}


# Preparing the database and the server ----------------------------------------------------------


def _env(database_url: str, media: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "BENCH_MEDIA_ROOT": str(media),
        "PYTHONPATH": str(ROOT),
    }


def _fresh_postgresql(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"Give the load test a plain database name of its own, not {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def prepare(database_url: str, media: Path) -> None:
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _fresh_postgresql(database_url)
    shutil.rmtree(media, ignore_errors=True)
    media.mkdir(parents=True)
    env = _env(database_url, media)
    python = sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, media: Path, workers: int, threads: int):
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - gunicorn with fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",  # loopback only
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "120",
            # Idle connections are kept longer than any think time, as a browser's are by the
            # proxy (nginx keeps them 75 s). With gunicorn's default of 2 s, a client reusing a
            # connection at the moment the server closes it meets "connection reset".
            "--keep-alive",
            "75",
            "--log-level",
            "warning",
            "--preload",  # the application is imported once, before the workers fork
        ],
        cwd=ROOT,
        env=_env(database_url, media),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    for _ in range(120):
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except requests.RequestException:
            pass
        if server.poll() is not None:
            raise SystemExit("The server stopped while starting")
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit("The server did not start within a minute")


def stop_server(server) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# The simulated people ---------------------------------------------------------------------------


@dataclass
class Recorder:
    samples: list = field(default_factory=list)  # (kind, seconds)
    errors: list = field(default_factory=list)  # (kind, what)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.samples.append((kind, seconds))
            if error:
                self.errors.append((kind, error))


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ERROR_SUMMARY = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)
_REVIEW_LINK = re.compile(r'href="(/manage/[a-z0-9-]+/reviews/\d+/)"')
_REQUEST_LINK = re.compile(r'href="(/manage/[a-z0-9-]+/requests/\d+/)"')


class Person:
    def __init__(self, kind: str, number: int, base: str, paths: dict, files: dict, rec, stop):
        import requests

        self.kind, self.number, self.base = kind, number, base
        self.paths, self.files, self.rec, self.stop = paths, files, rec, stop
        self.session = requests.Session()
        self.random = random.Random(2026 + number)
        self.address = f"10.{number}.0.1"
        self.referrals = 0
        self.sent = 0
        self.uploads = 0
        self.visits = 0
        self.reviews: list[str] = []
        self.requests: list[str] = []

    # One request, timed and checked --------------------------------------------------------

    def call(self, kind, method, path, *, expect=(200,), **kwargs):
        import requests

        headers = {"X-Forwarded-For": self.address, "Referer": self.base + path}
        started = time.perf_counter()
        try:
            response = self.session.request(
                method,
                self.base + path,
                headers=headers,
                allow_redirects=False,
                timeout=60,
                **kwargs,
            )
        except requests.RequestException as error:
            reason = str(error.__context__ or error)[:120]
            self.rec.add(
                kind, time.perf_counter() - started, f"{path}: {type(error).__name__} {reason}"
            )
            return None
        elapsed = time.perf_counter() - started
        if response.status_code not in expect:
            summary = _ERROR_SUMMARY.search(response.text or "")
            said = " ".join(re.sub(r"<[^>]+>", " ", summary.group(1)).split()) if summary else ""
            self.rec.add(kind, elapsed, f"{method} {path}: HTTP {response.status_code} {said}")
            return None
        self.rec.add(kind, elapsed)
        return response

    def think(self, think: float) -> None:
        self.stop.wait(self.random.uniform(0.5 * think, 1.5 * think))

    def csrf(self, response) -> str:
        found = _CSRF.search(response.text)
        return found.group(1) if found else ""

    # Sign-in ------------------------------------------------------------------------------

    def sign_in(self) -> bool:
        page = self.call("sign-in", "GET", self.paths["sign_in"])
        if page is None:
            return False
        signed = self.call(
            "sign-in",
            "POST",
            self.paths["sign_in"],
            expect=(302,),
            data={
                "csrfmiddlewaretoken": self.csrf(page),
                "username": ACCOUNTS[self.kind],
                "password": PASSWORD,
            },
        )
        return signed is not None

    # What each person does ----------------------------------------------------------------

    def staff_visit(self) -> None:
        names = {
            "business_unit": [
                "home",
                "reviews",
                "review",
                "triage",
                "audit",
                "tracker",
                "annual",
            ],
            "partner_lead": ["home", "reviews", "review", "triage", "tracker", "annual"],
            "agency": ["home", "my_requests", "request"],
        }[self.kind]
        name = self.random.choice(names)
        if name == "review":
            if not self.reviews:
                return
            path = self.random.choice(self.reviews)
        elif name == "request":
            if not self.requests:
                return
            path = self.random.choice(self.requests)
        else:
            path = self.paths[name]
        response = self.call("staff page", "GET", path)
        if response is not None and name == "reviews":
            self.reviews = sorted(set(_REVIEW_LINK.findall(response.text)))
        if response is not None and name == "my_requests":
            self.requests = sorted(set(_REQUEST_LINK.findall(response.text)))

    def upload(self) -> None:
        path = self.paths["upload"]
        page = self.call("upload", "GET", path)
        if page is None:
            return
        self.uploads += 1
        self.call(
            "upload",
            "POST",
            path,
            expect=(302,),
            data={
                "csrfmiddlewaretoken": self.csrf(page),
                "document": "new",
                "title": f"Load test document {self.number}-{self.uploads}",
                "document_kind": "other",
                "note": "",
            },
            files={"file": ("load-test.pdf", self.files["pdf"], "application/pdf")},
        )

    def public_visit(self) -> None:
        name = self.random.choice(
            ["home_public", "public_reviews", "archive", "library", "digests"]
        )
        path = self.paths[name]
        if name == "library":
            path += "?" + self.random.choice(["q=neglect", "q=information+sharing", "q=school"])
        self.call("public page", "GET", path)

    def referral(self) -> None:
        # A new referrer (their own address behind the proxy, their own session).
        import requests

        self.referrals += 1
        self.session = requests.Session()
        self.address = f"10.{self.number}.{self.referrals // 250}.{self.referrals % 250 + 1}"
        start = self.call("referral", "GET", self.paths["refer_cspr"], expect=(200, 302))
        if start is None:
            return
        for page, data in self.files["referral_pages"]:
            path = f"{self.paths['refer']}cspr/{page}/"
            form = self.call("referral", "GET", path)
            if form is None or self.stop.is_set():
                return
            sent = self.call(
                "referral",
                "POST",
                path,
                expect=(302,),
                data={"csrfmiddlewaretoken": self.csrf(form), **data},
            )
            if sent is None:
                return
            self.think(self.files["think"] / 2)
        check = self.call("referral", "GET", f"{self.paths['refer']}cspr/check/")
        if check is None:
            return
        sent = self.call(
            "referral",
            "POST",
            f"{self.paths['refer']}cspr/check/",
            expect=(302,),
            data={"csrfmiddlewaretoken": self.csrf(check)},
        )
        if sent is not None:
            self.sent += 1

    def run(self, think: float) -> None:
        self.think(think)  # the people arrive over the first think time, not all at once
        if self.kind in ACCOUNTS and not self.sign_in():
            return
        while not self.stop.is_set():
            self.visits += 1
            if self.kind == "public":
                self.public_visit()
            elif self.kind == "referrer":
                self.referral()
            elif self.kind == "business_unit" and self.visits % 5 == 0:
                self.upload()
            else:
                self.staff_visit()
            self.think(think)


def _paths_and_files(database_url: str, media: Path) -> tuple[dict, dict]:
    """URL paths from the URL patterns, a real PDF, and the referral pages' answers."""
    os.environ.update(_env(database_url, media))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.urls import reverse

    from safeguarding.reviews.models import Review
    from safeguarding.workspace.documents import pdf_bytes

    writable = (
        Review.objects.filter(partnership__slug=SLUG)
        .exclude(stage="signed_off")
        .order_by("pk")
        .first()
    )
    paths = {
        "sign_in": reverse("accounts:sign_in"),
        "home": reverse("workspace:partnership_home", args=[SLUG]),
        "reviews": reverse("reviews:list", args=[SLUG]),
        "triage": reverse("referrals:triage", args=[SLUG]),
        "audit": reverse("audit:trail", args=[SLUG]),
        "tracker": reverse("actions:tracker", args=[SLUG]),
        "annual": reverse("reports:annual", args=[SLUG]),
        "my_requests": reverse("reviews:my_requests", args=[SLUG]),
        "upload": reverse("reviews:document_upload", args=[SLUG, writable.pk]),
        "public_reviews": reverse("public_site:reviews", args=[SLUG]),
        "archive": reverse("published:archive", args=[SLUG]),
        "library": reverse("library_public:search", args=[SLUG]),
        "digests": reverse("digests_public:list", args=[SLUG]),
        "refer": reverse("refer:start", args=[SLUG]),
        "refer_cspr": reverse("refer:type_start", args=[SLUG, "cspr"]),
    }
    paths["home_public"] = reverse("public_site:home")
    year = datetime.date.today().year
    referral_pages = [
        (
            "about-you",
            {
                "referrer_name": "Sam Fictional",
                "referrer_job_title": "Designated safeguarding lead",
                "referrer_organisation": "Riverton Primary School",
                "referrer_email": "sam.fictional@school.example",
                "referrer_phone": "01632 960 001",
                "discussed_with_safeguarding_lead": "yes",
            },
        ),
        (
            "about-the-person",
            {
                "first_name": "Alexandra",
                "last_name": "Zedd-Fictional",
                "other_names": "",
                "date_of_birth_0": "14",
                "date_of_birth_1": "5",
                "date_of_birth_2": str(year - 12),
                "age_years": "",
                "address": "1 Imaginary Road, Riverton",
            },
        ),
        (
            "what-happened",
            {
                "incident_date_0": "2",
                "incident_date_1": "3",
                "incident_date_2": str(year - 1),
                "harm": "serious_harm",
                "date_of_death_0": "",
                "date_of_death_1": "",
                "date_of_death_2": "",
                "abuse_or_neglect": "suspected",
                "place": "in_area",
                "normally_resident_in_area": "yes",
                "what_happened": "A fictional account of a fictional incident, for a load test.",
            },
        ),
        ("criteria", {"looked_after": "yes", "child_protection_plan": "no", "care_leaver": "no"}),
        (
            "agencies",
            {
                "other_agencies": "Fictional charity",
                "agency_working_concern": "no",
                "concerns_working_together": "",
            },
        ),
    ]
    files = {
        "pdf": pdf_bytes("Load test", ["A fictional document uploaded by the load test."]),
        "referral_pages": referral_pages,
    }
    return paths, files


def _causes(errors: list) -> dict:
    """How many errors of each kind: the HTTP status or the exception, without the path."""
    counts: dict[str, int] = {}
    for kind, what in errors:
        cause = what.split(": ", 1)[-1]
        cause = re.sub(r"\(.*", "", cause).strip()[:80]
        counts[f"{kind}: {cause}"] = counts.get(f"{kind}: {cause}", 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else []

    def at(p: int) -> float:
        return round(1000 * (cuts[p - 1] if cuts else ordered[0]), 1)

    return {
        "count": len(ordered),
        "p50_ms": at(50),
        "p95_ms": at(95),
        "p99_ms": at(99),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=600, help="seconds (default 600)")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds between requests")
    parser.add_argument("--database-url", default=f"sqlite:///{DATA / 'load.sqlite3'}")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    database = "sqlite" if args.database_url.startswith("sqlite") else "postgresql"
    media = DATA / f"load-media-{database}"
    DATA.mkdir(parents=True, exist_ok=True)

    print(f"Preparing a fresh {database} database with the demo…", flush=True)
    prepare(args.database_url, media)
    paths, files = _paths_and_files(args.database_url, media)
    files["think"] = args.think
    server, base = start_server(args.database_url, media, args.workers, args.threads)
    print(f"Server on {base}; {args.users} users for {args.duration} s…", flush=True)
    recorder = Recorder()
    stop = threading.Event()
    people = [
        Person(PEOPLE[i % len(PEOPLE)], i + 1, base, paths, files, recorder, stop)
        for i in range(args.users)
    ]
    threads = [
        threading.Thread(target=person.run, args=(args.think,), daemon=True) for person in people
    ]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        stop.wait(args.duration)  # stops by itself
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        elapsed = time.monotonic() - started
        stop_server(server)

    by_kind: dict[str, list[float]] = {}
    for kind, seconds in recorder.samples:
        by_kind.setdefault(kind, []).append(seconds)
    result = {
        "what": "bench/load.py: simulated users against gunicorn on 127.0.0.1",
        "run_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": database,
        "users": args.users,
        "people": {kind: sum(1 for p in people if p.kind == kind) for kind in PEOPLE},
        "duration_s": round(elapsed),
        "think_s": args.think,
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
        "machine": f"{os.cpu_count()} cores, shared with other work; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        "requests": len(recorder.samples),
        "errors": len(recorder.errors),
        "error_examples": [f"{kind}: {what}" for kind, what in recorder.errors[:20]],
        "errors_by_cause": _causes(recorder.errors),
        "referrals_sent": sum(p.sent for p in people),
        "uploads": sum(p.uploads for p in people),
        "all": _percentiles([s for _, s in recorder.samples]),
        "by_kind": {kind: _percentiles(values) for kind, values in sorted(by_kind.items())},
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"load-{database}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("requests", "errors", "all")}, indent=2))
    print(f"Written to {out.relative_to(ROOT)}")
    return 1 if recorder.errors else 0


if __name__ == "__main__":
    sys.exit(main())
