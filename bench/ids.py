"""Print, as JSON, the ids the benchmark requests: a case the bench counsellor may open, and the exact name of
one of that counsellor's cases to search for. Run against a benchmark instance only (it decrypts one name)."""

import json
import sys

from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.cases.models import Case
from app.cases.queries import visible_cases
from app.extensions import db


def main(username: str) -> None:
    app = create_app()
    if app.config["APP_CONFIG"] == "production":
        sys.exit("bench/ids.py refuses to run in the production configuration")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        case = db.session.scalar(visible_cases(user).order_by(Case.opened_on.desc()).limit(1))
        print(json.dumps({"case_id": case.id, "search_name": case.full_name, "search_path": "/cases/"}))


if __name__ == "__main__":
    main(sys.argv[1])
