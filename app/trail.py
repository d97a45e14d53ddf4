"""The whole audit trail, checked: the keyed hash chain, the anchors kept outside the
database, each asset against its events, each certificate against what it issued, and the
meters' readings against the events that sealed them.
`flask audit verify` and the audit page both ask here."""
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from app.assets import replay
from app.certificates import audit as certificates
from app.lifecycle import audit
from app.meters import audit as readings

ANCHORS_FILE = "audit-anchors.log"  # in the instance folder: outside the database
SHOWN = 20  # problems listed per check


@dataclass
class Report:
    events: int
    anchors: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def anchors_file() -> Path:
    return Path(current_app.instance_path, ANCHORS_FILE)


def anchor(also: Path | None = None) -> str:
    """The chain's head as one line, appended to the instance's anchors file (and `also`)."""
    line = audit.anchor_line()
    for path in dict.fromkeys([anchors_file(), *([also] if also else [])]):
        with path.open("a") as out:
            out.write(line + "\n")
    return line


def check(anchor_files=()) -> Report:
    """Every check, each listing at most SHOWN problems."""
    verdict = audit.verify()
    problems = [] if verdict.ok else [
        f"{verdict.problem} ({verdict.checked:,} events checked before it)"]
    files = [p for p in (anchors_file(), *map(Path, anchor_files)) if p.exists()]
    anchors, wrong = audit.check_anchors(line for path in dict.fromkeys(files)
                                         for line in path.read_text().splitlines())
    problems += wrong
    for found in (replay.problems(), certificates.problems(), readings.problems()):
        some = list(itertools.islice(found, SHOWN + 1))
        problems += some[:SHOWN] + (["... and more"] if len(some) > SHOWN else [])
    return Report(verdict.checked, anchors, problems)
