"""The guided audit: a scripted user drives the real session; the store survives kills."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sovdiag.catalog import load_catalog
from sovdiag.errors import SovdiagError
from sovdiag.framework import load_domains, load_framework
from sovdiag.inventory import load_inventory
from sovdiag.pipeline import open_diagnostic
from sovdiag.session import AuditSession, Progress, Question, missing_report
from sovdiag.store import InventoryStore
from tests.conftest import run_sovdiag


class ScriptedUser:
    """Replies in order; records what the session showed and asked."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.questions: list[Question] = []
        self.shown: list[str] = []

    def show(self, text: str) -> None:
        self.shown.append(text)

    def header(self, progress: Progress) -> None:
        self.shown.append(f"[{progress.where}]")

    def ask(self, question: Question) -> str:
        self.questions.append(question)
        return self.replies.pop(0) if self.replies else "q"


PROFILE = ["Commune de Test", "1", "213500002", "35", "1200", "12", "Alice Martin, DGS", ""]


@pytest.fixture(scope="module")
def shared() -> tuple:  # type: ignore[type-arg]
    domains = load_domains()
    return load_framework(), domains, load_catalog(domains={d.id for d in domains.domains})


def session_for(
    path: Path, replies: list[str], shared: tuple, **kw: object
) -> tuple[AuditSession, ScriptedUser, InventoryStore]:  # type: ignore[type-arg]
    framework, domains, catalog = shared
    user = ScriptedUser(replies)
    store = InventoryStore(path)
    store.open()
    return AuditSession(store, framework, domains, catalog, user, **kw), user, store


def titles(user: ScriptedUser) -> list[str]:
    return [q.title for q in user.questions]


def test_new_audit_profile_service_and_answers(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    replies = [
        *PROFILE,
        "O365",
        "",
        "",
        "",
        "3",
        "4",
        "2027-12-31",
        "3",
        "1800",
        # first framework questions of the service (A1.1…): answer, don't know, not applicable
        "1",
        "?",
        "-",
        "q",
    ]
    session, user, store = session_for(path, replies, shared)
    with store:
        session.run()
    inventory = open_diagnostic(path).inventory
    assert inventory.collectivite.name == "Commune de Test"
    [service] = inventory.services
    assert (service.id, service.supplier, service.product) == ("messagerie-microsoft-365", "Microsoft", "Microsoft 365")
    assert service.catalog is not None
    assert service.catalog.offer == "microsoft-365"
    assert (service.deployment, service.criticality, service.data_categories) == ("saas", "critical", ["personal"])
    assert service.contract is not None
    assert service.contract.notice_months == 3
    assert [(k, a.answer) for k, a in service.answers.items()] == [
        ("A1.1", "entirely_non_eu"),
        ("A1.2", "unknown"),
        ("A1.3", "not_applicable"),
    ]
    # The catalog's facts were shown with their source and date before being relied on.
    assert any("pays du siège : US (source : https://" in line for line in user.shown)


def test_catalog_suggestion_is_proposed_and_recorded_as_confirmed(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    replies = [*PROFILE, "O365", "", "", "", "3", "4", "", "", "q"]  # Enter on A1.1 accepts the catalog's answer
    session, user, store = session_for(path, replies, shared)
    with store:
        session.run()
    a11 = next(q for q in user.questions if q.title.startswith("A1.1"))
    assert a11.default == "entirely_non_eu"
    assert "source" in a11.default_note
    answer = open_diagnostic(path).inventory.services[0].answers["A1.1"]
    assert answer.answer == "entirely_non_eu"
    assert answer.evidence is not None
    assert answer.evidence.startswith("catalogue sovdiag, confirmé")


def test_back_undoes_the_previous_answer(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    replies = [*PROFILE, "O365", "", "", "", "3", "4", "", "2", "<", "4", "q"]
    session, user, store = session_for(path, replies, shared)
    with store:
        session.run()
    assert open_diagnostic(path).inventory.services[0].answers["A1.1"].answer == "entirely_eu"
    assert titles(user)[-3].startswith("A1.2")  # asked, then back to A1.1
    assert titles(user)[-2].startswith("A1.1")


def test_questions_that_do_not_apply_are_not_asked(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    # An on-premises backup tool: no question about encryption keys or data location.
    replies = [*PROFILE, "Veeam", "", "", "3", "", "3", ""] + ["?"] * 40
    session, user, store = session_for(path, replies, shared)
    with store:
        session.run(domain="sauvegarde")
    asked = {q.title.split()[0] for q in user.questions}
    service = open_diagnostic(path).inventory.services[0]
    assert service.deployment == "on_premises"
    assert "A3.1" not in asked
    assert "A3.2" not in asked
    assert "A1.1" in asked


def test_resume_exactly_where_it_stopped(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    session, _, store = session_for(path, [*PROFILE, "O365", "", "", "", "3", "4", "", "1", "1", "q"], shared)
    with store:
        session.run()
    session, user, store = session_for(path, ["1", "q"], shared)
    with store:
        session.run()
    assert titles(user)[0].startswith("A1.3")  # the profile and two answers are not asked again
    assert list(open_diagnostic(path).inventory.services[0].answers) == ["A1.1", "A1.2", "A1.3"]


def test_a_domain_marked_unused_with_one_answer(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    session, user, store = session_for(path, [*PROFILE, "aucun", "q"], shared)
    with store:
        session.run()
    assert open_diagnostic(path).inventory.domains_not_used == ["messagerie"]
    session, user, store = session_for(path, ["q"], shared)
    with store:
        session.run()
    assert not titles(user)[0].startswith("Messagerie")  # the next domain is asked


def test_revisit_one_service_shows_current_answers(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    session, _, store = session_for(path, [*PROFILE, "O365", "", "", "", "3", "4", "", "2", "q"], shared)
    with store:
        session.run()
    session, user, store = session_for(path, ["", "q"], shared)
    with store:
        session.run(service_id="messagerie-microsoft-365")
    assert user.questions[0].title.startswith("A1.1")
    assert user.questions[0].default == "mostly_non_eu"
    session, _, store = session_for(path, [], shared)
    with store, pytest.raises(SovdiagError, match="introuvable"):
        session.run(service_id="nope")


def test_missing_report_lists_what_is_left(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / "inv.yaml"
    session, _, store = session_for(path, [*PROFILE, "O365", "", "", "", "3", "4", "", "q"], shared)
    with store:
        session.run()
        lines = missing_report(session)
    assert any("Domaine non examiné : Suite bureautique" in line for line in lines)
    assert any(line.startswith("Service messagerie-microsoft-365 :") for line in lines)


# ------------------------------------------------------------------------------ the store


def _one_service_store(path: Path) -> InventoryStore:
    """A new inventory with one service, open for edits."""
    store = InventoryStore(path)
    store.open(
        {
            "collectivite": {"name": "C", "kind": "commune"},
            "diagnostic": {"conducted_by": "X", "date": "2026-11-23"},
            "services": [
                {"id": "a", "name": "A", "domain": "sig", "supplier": "S", "deployment": "saas", "criticality": "low"}
            ],
        }
    )
    return store


def test_journal_is_replayed_after_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    store = InventoryStore(path)
    store.open(
        {
            "collectivite": {"name": "C", "kind": "commune"},
            "diagnostic": {"conducted_by": "X", "date": "2026-11-23"},
            "services": [],
        }
    )
    store.record(
        {
            "op": "service",
            "id": "a",
            "fields": {"name": "A", "domain": "sig", "supplier": "S", "deployment": "saas", "criticality": "low"},
        }
    )
    store.record({"op": "answer", "service": "a", "criterion": "A1.1", "answer": "mostly_eu"})
    # The process dies here: no fold, no close. A torn line follows the last complete one.
    with open(store.journal_path, "a", encoding="utf-8") as journal:
        journal.write('{"v": 1, "op": "answer", "service": "a", "criter')
    reopened = InventoryStore(path)
    with pytest.raises(SovdiagError, match="déjà ouvert"):
        reopened.open()  # still locked by the first store
    store._journal.close()  # type: ignore[union-attr]  # the crash releases the lock
    reopened.open()
    assert reopened.replayed == 2
    with reopened:
        pass
    service = open_diagnostic(path).inventory.services[0]
    assert service.answers["A1.1"].answer == "mostly_eu"
    assert not reopened.journal_path.exists()


def test_replaying_twice_changes_nothing(tmp_path: Path) -> None:
    from sovdiag.store import apply
    from sovdiag.yamlrt import dump_document, new_document

    operations = [
        {"op": "service", "id": "a", "fields": {"name": "A", "domain": "sig"}},
        {"op": "answer", "service": "a", "criterion": "A1.1", "answer": "mostly_eu", "comment": "vu"},
        {"op": "domain_unused", "domain": "sig", "unused": True},
    ]
    once, twice = new_document({"services": []}), new_document({"services": []})
    for op in operations:
        apply(once, op)
    for op in operations + operations:
        apply(twice, op)
    assert dump_document(once) == dump_document(twice)


def test_comments_survive_an_audit(tmp_path: Path, shared: tuple) -> None:  # type: ignore[type-arg]
    from tests.conftest import EXAMPLES

    path = tmp_path / "commune.yaml"
    original = (EXAMPLES / "commune-saint-aubin.yaml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    session, _, store = session_for(path, ["q"], shared)
    with store:
        session.run()
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:10] == original.splitlines()[:10]
    assert text.count("#") == original.count("#")


def _write_until_killed(path: Path, first: int, out: int, crash: str | None) -> None:
    """In a forked child: record answers X{first}, X{first+1}… and say each one once it is durable;
    every few answers, close the store (the YAML file is rewritten) and open it again. ``crash``
    kills the child at a chosen point of its first rewrite: with the new file written but not yet
    renamed over the old one, or renamed but with the journal not yet emptied."""
    try:
        import sovdiag.output
        import sovdiag.store

        def die(*_: object) -> None:
            os.kill(os.getpid(), signal.SIGKILL)

        if crash == "before_rename":
            sovdiag.output.os.replace = die  # type: ignore[attr-defined]
        elif crash == "after_rename":
            sovdiag.store._fsync_dir = die  # type: ignore[attr-defined]
        store = InventoryStore(path)
        store.open()
        for i in range(first, first + 100_000):
            store.record({"op": "answer", "service": "a", "criterion": f"X{i}", "answer": "mostly_eu"})
            os.write(out, f"{i}\n".encode())
            if i % 5 == 4:
                store.close()
                store = InventoryStore(path)
                store.open()
    finally:
        os._exit(0)


def test_killed_at_random_points_the_inventory_keeps_every_confirmed_answer(tmp_path: Path) -> None:
    """SIGKILL a process saving answers, hundreds of times, at random moments (while it appends to
    its journal or rewrites the YAML file); after each kill the file opens, is a valid inventory and
    holds every answer the process had confirmed. The writer is forked from this process, so that a
    round costs milliseconds rather than an interpreter start."""
    path = tmp_path / "inv.yaml"
    store = _one_service_store(path)
    store.close()
    rng = random.Random(20261123)  # noqa: S311 - reproducible timings, not cryptography
    confirmed: set[str] = set()
    rounds = int(os.environ.get("SOVDIAG_KILL_ROUNDS", "200"))
    first = 0
    leftovers = 0
    for round_ in range(rounds):
        # One round in five dies at a chosen point of a rewrite; the others at a random moment.
        crash = {1: "before_rename", 3: "after_rename"}.get(round_ % 5)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read_end)
            _write_until_killed(path, first, write_end, crash)
        os.close(write_end)
        if crash is None:
            time.sleep(rng.uniform(0.0, 0.08))
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_end) as said:
            acknowledged = [int(line) for line in said.read().split()]
        # Every answer the writer said was fsync'd before it said it.
        confirmed.update(f"X{i}" for i in acknowledged)
        first = (acknowledged[-1] + 1) if acknowledged else first
        if list(tmp_path.glob(f".{path.name}.*.tmp")):
            leftovers += 1  # the kill landed during a rewrite of the YAML file
        reopened = InventoryStore(path)
        reopened.open()
        reopened.close()
        assert not list(tmp_path.glob(f".{path.name}.*.tmp")), "a killed rewrite's temporary file was left"
        answers = load_inventory(path).services[0].answers  # the file is valid YAML and a valid inventory
        missing = confirmed - set(answers)
        assert not missing, f"{len(missing)} confirmed answers lost"
    assert len(confirmed) > rounds  # the kills did interrupt real work
    assert leftovers >= rounds // 5  # every "before_rename" round left a temporary file to clean


# ------------------------------------------------------------------------------ the command


def test_audit_command_without_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    script = "\n".join([*PROFILE, "O365", "", "", "", "3", "4", "", "1", "q"]) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "sovdiag", "audit", str(path)],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Réponses enregistrées dans" in done.stdout
    assert open_diagnostic(path).inventory.services[0].answers["A1.1"].answer == "entirely_non_eu"


def test_audit_no_input_lists_what_is_missing(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    path = tmp_path / "commune.yaml"
    path.write_text((EXAMPLES / "commune-saint-aubin.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    done = run_sovdiag("audit", path, "--no-input")
    assert done.returncode == 1
    assert "Domaine non examiné" in done.stdout
    assert "question(s) sans réponse" in done.stdout
    assert "rapproché(s) du catalogue" in done.stdout


def test_audit_killed_mid_session_then_resumed(tmp_path: Path) -> None:
    """The real command, killed while waiting for an answer, loses nothing it had confirmed."""
    path = tmp_path / "inv.yaml"
    child = subprocess.Popen(
        [sys.executable, "-m", "sovdiag", "audit", str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
    )
    assert child.stdin is not None
    assert child.stdout is not None
    child.stdin.write("\n".join([*PROFILE, "O365", "", "", "", "3", "4", "", "1", "2"]) + "\n")
    child.stdin.flush()
    seen = ""
    while "A1.3" not in seen:  # A1.1 and A1.2 confirmed, A1.3 asked
        line = child.stdout.readline()
        assert line, seen[-2000:]
        seen += line
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdin.close()
    child.stdout.close()
    journal = path.with_name(f".{path.name}.journal")
    assert journal.exists()
    answers = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert [a.get("criterion") for a in answers if a["op"] == "answer"] == ["A1.1", "A1.2"]
    done = subprocess.run(
        [sys.executable, "-m", "sovdiag", "audit", str(path)],
        input="q\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "réponses récupérées du journal" in done.stdout
    service = open_diagnostic(path).inventory.services[0]
    assert [k for k in service.answers] == ["A1.1", "A1.2"]


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 64 KiB file system (tmpfs), so that writes fail with ENOSPC like a full disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_loses_no_confirmed_answer(tiny_disk: Path) -> None:
    path = tiny_disk / "inv.yaml"
    store = _one_service_store(path)
    confirmed = []

    def fill_the_disk() -> None:
        for i in range(100_000):
            store.record(
                {"op": "answer", "service": "a", "criterion": f"X{i}", "answer": "mostly_eu", "comment": "x" * 200}
            )
            confirmed.append(f"X{i}")

    with pytest.raises(SovdiagError, match="écriture impossible"):
        fill_the_disk()
    with pytest.raises(SovdiagError):
        store.close()  # folding needs room too: the YAML file is left as it was, not truncated
    assert load_inventory(path).services[0].answers == {}
    subprocess.run(["mount", "-o", "remount,size=8m", str(tiny_disk)], check=True)
    reopened = InventoryStore(path)
    reopened.open()
    reopened.close()
    answers = load_inventory(path).services[0].answers
    assert set(confirmed) <= set(answers)
    assert len(answers) <= len(confirmed) + 1
