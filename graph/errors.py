"""The failures a user can act on, one type per kind. The CLI turns them into exit codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class CrtkgError(Exception):
    """Base of every error crtkg reports to its user."""


class SourceError(CrtkgError):
    """A source file could not be read or parsed."""

    def __init__(self, file: Path | str, message: str, line: int | None = None,
                 column: int | None = None) -> None:
        self.file, self.line, self.column, self.reason = str(file), line, column, message
        where = self.file
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, order=True)
class Problem:
    """One line of a validation report: where (file, line of the focus subject's first
    statement, 0 if unknown), what (the focus node, as a CURIE) and why."""

    file: str
    line: int
    focus: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.focus}: {self.message}"


class ValidationFailed(CrtkgError):
    """The curated data breaks a SHACL shape or a build check; `report` is readable text."""

    def __init__(self, report: str, count: int) -> None:
        self.report, self.count = report, count
        super().__init__(f"validation failed with {count} violation(s):\n{report}")

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> ValidationFailed:
        """One report of every problem, sorted by file, line, focus and message."""
        lines = [str(p) for p in sorted(set(problems))]
        return cls("\n".join(lines), len(lines))


class ReasoningFailed(CrtkgError):
    """The reasoner found the sources inconsistent."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("the reasoner found the sources inconsistent:\n"
                         + "\n".join(f"  - {m}" for m in messages))


class QueryError(CrtkgError):
    """A SPARQL query could not be parsed or run."""


class ArtifactMissing(CrtkgError):
    """No build artifact exists where one was expected."""


class UnsupportedAxiom(CrtkgError):
    """The ontology states an axiom that crtkg's compiled OWL 2 RL rules cannot express."""

    def __init__(self, axioms: list[str]) -> None:
        self.axioms = axioms
        super().__init__("the reasoner's rules cannot express these axioms, so it would infer "
                         "less than they imply (use `crtkg build --reasoner owlrl`, or restate "
                         "them):\n" + "\n".join(f"  - {a}" for a in axioms))
