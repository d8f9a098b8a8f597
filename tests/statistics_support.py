"""Shared helpers for the statistics tests (no tests here): a small demo dataset whose counts are stated by hand,
and LibreOffice headless to open the Excel files as a person's spreadsheet would."""

import csv
import io
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date

import pytest
import time_machine
from protection_support import case, make_world, user, vn

from app.extensions import db

# Every case of the dataset: (sex, age band, kind, opened on, incident day or None, forms, perpetrator
# (sex, relation), measures decided in 2026, a commune chair's order granted in 2026). All at TA-02 (Quài Tở).
CASES = (
    (
        "female",
        "30_44",
        "dv",
        date(2026, 3, 2),
        date(2026, 3, 5),
        ["physical", "psychological"],
        ("male", "husband"),
        ["stop_violence"],
        True,
    ),
    (
        "female",
        "30_44",
        "dv",
        date(2026, 3, 2),
        date(2026, 4, 10),
        ["physical"],
        ("male", "husband"),
        ["stop_violence"],
        False,
    ),
    (
        "female",
        "18_29",
        "dv",
        date(2026, 3, 2),
        date(2026, 4, 20),
        ["physical", "economic"],
        ("male", "husband"),
        ["summon"],
        False,
    ),
    ("female", "45_59", "both", date(2026, 3, 2), date(2026, 5, 1), ["psychological"], ("female", "in_law"), [], False),
    (
        "female",
        "12_15",
        "dv",
        date(2026, 3, 2),
        date(2026, 5, 2),
        ["physical", "sexual"],
        ("male", "parent"),
        ["medical"],
        False,
    ),
    ("male", "60_plus", "dv", date(2026, 3, 2), date(2026, 6, 3), ["physical"], ("male", "child"), [], False),
    ("male", "30_44", "dv", date(2026, 3, 2), date(2026, 6, 4), ["psychological"], ("female", "wife"), [], False),
    # Opened and hurt in 2025: in no figure of 2026.
    ("female", "30_44", "dv", date(2025, 11, 3), date(2025, 12, 20), ["physical"], ("male", "husband"), [], False),
    # A trafficking case without a domestic-violence incident: not a victim the circular counts, not "received".
    ("female", "30_44", "trafficking", date(2026, 3, 2), None, [], None, [], False),
)


@dataclass
class Dataset:
    case_ids: list = field(default_factory=list)
    counsellor_ids: list = field(default_factory=list)


def build_dataset(app, make_user) -> Dataset:
    """The cases of CASES, recorded through the services as a counsellor would."""
    from app.protection import services

    found = Dataset()
    for sex, band, kind, opened, *_rest in CASES:
        world = make_world(app, make_user, kind=kind, sex=sex, age_band=band, opened_on=opened)
        found.case_ids.append(world.case_id)
        found.counsellor_ids.append(world.counsellor_id)
    with app.test_request_context(), time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        for n, (_sex, _band, _kind, _opened, day, forms, perpetrator, measures, order) in enumerate(CASES):
            c, actor = case(found.case_ids[n]), user(found.counsellor_ids[n])
            if day is None:
                continue
            person = services.add_perpetrator(
                c, {"sex": perpetrator[0], "age_band": "30_44", "relation": perpetrator[1]}, actor=actor
            )
            services.add_incident(
                c,
                {
                    "occurred_on": day,
                    "place_type": "home",
                    "forms": forms,
                    "sexual_kind": "rape" if "sexual" in forms else None,  # case 4
                    "perpetrator_ids": [person.id],
                },
                actor=actor,
            )
            for measure in measures:
                services.add_measure(
                    c,
                    {
                        "measure": measure,
                        "decided_by": "commune_chair",
                        "decided_on": date(day.year, day.month, day.day + 1),
                    },
                    actor=actor,
                )
            if order:
                asked = services.request_order(
                    c,
                    {"requested_by": "victim", "decider": "commune_chair", "requested_at": vn(2026, 3, 6, 8, 0)},
                    actor=actor,
                )
                services.decide_order(
                    asked,
                    {"outcome": "granted", "decided_at": vn(2026, 3, 6, 9, 0), "end_on": date(2026, 3, 8)},
                    actor=actor,
                )
        _consents(found)
        db.session.commit()
    return found


# Case 6 withdrew its consent for statistics: none of its records may leave (the national-database export).
WITHDRAWN = 6


def _consents(found: Dataset) -> None:
    """A signed consent for statistics on every case; case WITHDRAWN withdraws it in November."""
    from app.cases import services

    for n, case_id in enumerate(found.case_ids):
        actor = user(found.counsellor_ids[n])
        consent = services.record_consent(
            case(case_id),
            {"purpose": "statistics", "method": "signed", "given_by": "self", "given_on": CASES[n][3]},
            actor=actor,
        )
        if n == WITHDRAWN:
            services.withdraw_consent(consent, actor=actor, on=date(2026, 11, 20))


def soffice_rows(content: bytes, tmp_path) -> list[list[str]]:
    """The first sheet of an Excel file as LibreOffice headless reads it (CSV, UTF-8); skips without soffice."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui "
            "(.ci/run installs it) to check that the Excel files open outside openpyxl"
        )
    source = tmp_path / "book.xlsx"
    source.write_bytes(content)
    profile = tmp_path / "lo-profile"  # a profile of its own: parallel runs do not lock each other out
    result = subprocess.run(
        [
            binary,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ, HOME=str(tmp_path)),
    )
    converted = tmp_path / "book.csv"
    assert converted.exists(), f"LibreOffice could not open the file: {result.stdout} {result.stderr}"
    return list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"))))
