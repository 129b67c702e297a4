"""Every command's --help lists what the code accepts: a test, so the two cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
from click.testing import CliRunner

from newspkg import adapters
from newspkg.cli import main


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def help_of(*path: str) -> str:
    result = CliRunner().invoke(
        main, [*path, "--help"], prog_name="newspkg", catch_exceptions=False, terminal_width=1000
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_sources_add_lists_the_registered_adapters() -> None:
    """`sources add --help` names every adapter the registry holds, a run-time one included, and no other."""

    class Extra:
        name, version = "zz-test-help", "1"

        def parse(self, *args: object) -> None: ...

    names = adapters.available()
    adapters.register(Extra())  # type: ignore[arg-type]
    try:
        text = help_of("sources", "add")
    finally:
        adapters.REGISTRY.entries.pop("zz-test-help")
    match = re.search(r"--adapter TEXT\s+The format of the raw files: ([^.]+)\.", text)
    assert match, text
    assert match.group(1).split(", ") == sorted([*names, "zz-test-help"])
    assert {"html", "jekyll", "records", "text"} <= set(names)


def test_every_choice_of_every_command_is_explained_in_its_help() -> None:
    """Each value a --format, --engine… option accepts is named in that option's help text."""
    unexplained = []
    for path, command in commands():
        for option in command.params:
            if not isinstance(option, click.Option) or not isinstance(option.type, click.Choice):
                continue
            words = re.findall(r"[\w-]+", option.help or "")
            unexplained += [(path, option.name, choice) for choice in option.type.choices if choice not in words]
    assert unexplained == []


def test_every_command_has_help() -> None:
    """Every command runs --help and says what it does."""
    for path, command in commands():
        assert command.help, path
        assert help_of(*path).startswith(f"Usage: newspkg {' '.join(path)}")
