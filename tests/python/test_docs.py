"""The README and docs/: every link resolves inside the repository (anchors included) or goes
to public documentation, the README stays short, and every page can be reached from it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

README_MAX_BYTES = 12_000

# Public documentation a page may link to; any other address leaves the project.
DOCUMENTATION_HOSTS = (
    "docs.getdbt.com",
    "docs.dagster.io",
    "duckdb.org",
    "spark.apache.org",
    "docs.streamlit.io",
    "docs.greatexpectations.io",
    "docs.python.org",
)

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
# [text](target "title") and ![alt](target): the target up to a space or the closing bracket.
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
AUTOLINK = re.compile(r"<((?:https?|ftp|file|mailto):[^>\s]+)>")
BARE_URL = re.compile(r"(?<![(<\w])(https?://[^\s)>\]`'\"]+)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_files(root: Path = PROJECT_DIR) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def prose_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks, code spans blanked out (their
    line numbers kept)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            lines.append("")
        elif fenced:
            lines.append("")
        else:
            lines.append(INLINE_CODE.sub(lambda match: " " * len(match.group(0)), line))
    return lines


def links(text: str) -> list[tuple[int, str]]:
    """Every link target of a Markdown text, with its line number."""
    found = []
    for number, line in enumerate(prose_lines(text), start=1):
        targets = [match.group(1) for match in INLINE_LINK.finditer(line)]
        targets += [match.group(1) for match in REFERENCE_DEFINITION.finditer(line)]
        targets += [match.group(1) for match in AUTOLINK.finditer(line)]
        rest = AUTOLINK.sub(" ", INLINE_LINK.sub(" ", line))
        targets += [match.group(1) for match in BARE_URL.finditer(rest)]
        found += [(number, target) for target in targets]
    return found


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lowercased, punctuation dropped, spaces as
    hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in path.read_text().splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def is_documentation(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and any(
        host == allowed or host.endswith("." + allowed) for allowed in DOCUMENTATION_HOSTS
    )


def link_problems(page: Path, root: Path = PROJECT_DIR) -> list[str]:
    """What is wrong with the links of one Markdown file, one line each."""
    problems = []
    root = root.resolve()
    for number, target in links(page.read_text()):
        where = f"{page.relative_to(root)}:{number}: {target}"
        parts = urlsplit(target)
        if parts.scheme or target.startswith("//"):
            if not is_documentation(target):
                problems.append(f"{where} leaves the repository (not public documentation)")
            continue
        if "shared/" in target:
            problems.append(f"{where} points at files outside the project")
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / unquote(path_part)).resolve() if path_part else page.resolve()
        if resolved != root and root not in resolved.parents:
            problems.append(f"{where} points outside the repository")
        elif not resolved.exists():
            problems.append(f"{where} does not exist")
        elif anchor:
            if resolved.suffix != ".md":
                problems.append(f"{where} has an anchor into a file that is not Markdown")
            elif unquote(anchor) not in anchors(resolved):
                problems.append(f"{where} names no heading of {resolved.relative_to(root)}")
    return problems


@pytest.mark.parametrize(
    "page", markdown_files(), ids=lambda page: str(page.relative_to(PROJECT_DIR))
)
def test_every_link_resolves_inside_the_repository_or_to_public_documentation(page):
    assert link_problems(page) == []


def test_the_readme_is_under_12_kb():
    size = len((PROJECT_DIR / "README.md").read_bytes())
    assert size < README_MAX_BYTES, f"README.md is {size:,} bytes"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {
        (PROJECT_DIR / target.partition("#")[0]).resolve()
        for _, target in links((PROJECT_DIR / "README.md").read_text())
    }
    unlinked = [
        str(page.relative_to(PROJECT_DIR))
        for page in markdown_files()[1:]
        if page.resolve() not in linked
    ]
    assert unlinked == []


def test_no_page_sends_the_reader_outside_the_project():
    """The project states its own rules: no page refers to files beside the repository."""
    for page in markdown_files():
        assert "../shared" not in page.read_text(), page


def test_documented_servers_listen_on_this_machine_only():
    for page in markdown_files():
        for command in re.findall(
            r"[^\n`]*(?:docs serve|dagster dev|streamlit run)[^\n`]*", page.read_text()
        ):
            assert "0.0.0.0" not in command, (page, command)


def test_the_link_check_finds_broken_and_outside_links(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("# A page\n\n## Its section\n")
    (tmp_path / "outside.md").write_text("# Outside\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "\n".join(
            [
                "# Title",
                "[ok](docs/page.md) [ok](docs/page.md#its-section) [ok](#title)",
                "[ok](https://docs.getdbt.com/docs/build/documentation)",
                "[missing](docs/missing.md)",
                "[bad anchor](docs/page.md#no-such-section)",
                "[rules](../shared/spec/RULES.md)",
                "[elsewhere](https://example.com/page) and https://example.org/bare",
                "`[in code](docs/missing.md)`",
                "```",
                "[in a fence](docs/missing.md)",
                "```",
            ]
        )
    )
    problems = link_problems(readme, root=tmp_path)
    assert [problem.split(": ", 1)[1] for problem in problems] == [
        "docs/missing.md does not exist",
        "docs/page.md#no-such-section names no heading of docs/page.md",
        "../shared/spec/RULES.md points at files outside the project",
        "https://example.com/page leaves the repository (not public documentation)",
        "https://example.org/bare leaves the repository (not public documentation)",
    ]
    assert link_problems(tmp_path / "docs" / "page.md", root=tmp_path) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("6. The new-advertiser spend-match credit", "6-the-new-advertiser-spend-match-credit"),
        (
            "14. Rules that change over time, and what-if",
            "14-rules-that-change-over-time-and-what-if",
        ),
        ("When `make run` stops", "when-make-run-stops"),
        ("Reading the **tier outlook**", "reading-the-tier-outlook"),
    ],
)
def test_headings_get_the_anchors_github_gives_them(heading, anchor):
    assert slug(heading) == anchor
