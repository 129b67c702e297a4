"""One registry names every rule: the rules table of the docs is printed from it, and no check bypasses it."""

from __future__ import annotations

import re
from collections.abc import Callable

from click.testing import Result

from conftest import REPO
from newspkg import rules
from newspkg.issues import Severity

TABLE = re.compile(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", re.S)
NAME = re.compile(r"[a-z]+(?:-[a-z]+)*(?::(?:[a-z]+(?:-[a-z]+)*|<[a-z]+>))?")


def test_the_rules_table_is_the_registry(run: Callable[..., Result]) -> None:
    """docs/rules.md's table is exactly what `newspkg rules --format markdown` prints."""
    match = TABLE.search((REPO / "docs" / "rules.md").read_text(encoding="utf-8"))
    assert match, "docs/rules.md lacks the rules markers"
    printed = run("rules", "--format", "markdown").output
    assert match[1] == printed, "docs/rules.md is stale: paste `newspkg rules` output between the markers"


def test_rules_have_unique_well_formed_names_and_a_meaning() -> None:
    names = [rule.name for rule in rules.RULES]
    assert len(names) == len(set(names))
    assert [name for name in names if not NAME.fullmatch(name)] == []
    assert all(rule.meaning and rule.severity in Severity and rule.stage in rules.Stage for rule in rules.RULES)


def test_a_family_member_keeps_the_family_severity_and_stage() -> None:
    member = rules.SCHEMA.named("required")
    assert (member.name, member.severity, member.stage) == ("schema:required", Severity.ERROR, rules.Stage.RECORD)
    issue = rules.PROFILE.named("package-error").issue("datapackage.json", "bad")
    assert (issue.rule, issue.severity, issue.file) == ("package:package-error", Severity.ERROR, "datapackage.json")


def test_no_check_names_a_rule_outside_the_registry() -> None:
    """Issues are made by a Rule (``rules.X.issue``), never by hand with a rule name in a string."""
    sources = sorted((REPO / "src" / "newspkg").rglob("*.py"))
    made_by_hand = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sources
        if path.name not in ("rules.py", "issues.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bIssue\(", line)
    ]
    assert made_by_hand == []
    registered = {rule.name for rule in rules.RULES}
    literals = [
        (path.name, name)
        for path in sources
        if path.name != "rules.py"
        for name in re.findall(r"\"([a-z]+:[a-z]+(?:-[a-z]+)*|adapter-error|unique-id)\"", path.read_text("utf-8"))
        if name in registered
    ]
    assert literals == []
