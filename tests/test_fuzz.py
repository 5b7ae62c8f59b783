"""Bad input never crashes: random bytes and mutated valid files go into the front-matter
loader, the block parsers, the data reader and the PII detectors. Only Studio's own error
type may come out, and it always names a file and a line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from conftest import ROOT
from studio.config import StudioConfig
from studio.core.frontmatter import parse
from studio.errors import StudioError
from studio.guard import pii
from studio.core.project import Project
from studio.features.builtin import FEATURES, load_project, new_project
from studio.core.blocks import render_blocks
from studio.core.feature import Registry

FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

SAMPLES = sorted(p for base in ("content", "case_studies") for p in (ROOT / base).rglob("*.md"))
DATA_SAMPLES = sorted(p for base in ("content", "case_studies") for p in (ROOT / base).rglob("*")
                      if p.suffix.lower() in (".csv", ".tsv"))


def assert_placed(problem: StudioError, path: Path) -> None:
    assert isinstance(problem, StudioError)
    assert problem.file is not None and Path(problem.file).name == path.name, problem.format()
    assert isinstance(problem.line, int) and problem.line >= 1, problem.format()


# Mutations of valid files: what an editor slip or a bad merge does to a file.
@st.composite
def mutated(draw, original: str) -> str:
    lines = original.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "indent", "chars"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from([
                "---", "```", "```chart", ":", "- ", "key: [unclosed", "{", "'", "\t", "!!python/object:os.system",
                "&a [*a]", "? complex", "%YAML 1.1", "é\x00", "title: 标题: 冒号", "  - {label: x", "|", ">",
                "updated: 2024-02-30", "date: 2024-13-01 10:00", "\x07", "[" * 300, "<<: *nope",
            ])))
        elif op == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, max(len(lines[i]) - 1, 0)))]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["  ", "\t", " "])) + lines[i]
        else:
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.text(max_size=5)) + lines[i][pos:]
    return "\n".join(lines)


# Front matter --------------------------------------------------------------------------
@FAST
@given(data=st.binary(max_size=400))
def test_front_matter_loader_on_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fm") / "page.md"
    path.write_bytes(b"---\n" + data)
    try:
        parse(path)
    except StudioError as problem:
        assert_placed(problem, path)


@FAST
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_front_matter_and_validation_on_mutated_files(tmp_path_factory, sample, data):
    text = data.draw(mutated(sample.read_text(encoding="utf-8")))
    root = tmp_path_factory.mktemp("proj")
    rel = sample.relative_to(ROOT)
    path = root / rel
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    project = new_project(StudioConfig(root=root))
    project._load_document(path, rel.as_posix())  # parse + typed validation; never raises
    for problem in project.diagnostics.items:
        assert_placed(problem, path)


# Blocks --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_project(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "case_studies"):
        shutil.copytree(ROOT / name, root / name)
    return load_project(StudioConfig(root=root))


KEYS = ["data", "type", "x", "y", "group", "agg", "freq", "title", "caption", "metrics", "period", "kind",
        "columns", "options", "teardown", "persona", "sheet", "types", "height", "table", "limit"]
VALUES = st.one_of(
    st.sampled_from(["../data/team-contacts.csv", "../data/team-moments.csv", "../data/weekly-targets.csv",
                     "../../case_studies/luckin/orders.csv", "../../case_studies/luckin/moments.xlsx",
                     "missing.csv", "/etc/passwd", "..", "luckin", "popmart", "store-lucky", "bar", "line", "pie",
                     "funnel", "cohort", "heatmap", "scatter", "area", "M", "W", "D", "Q", "sum", "mean", "gmv",
                     "buyers", "repurchase_rate", "new_contact_cnt", "userid", "[a, b]", "{a: 1}", "~", "''",
                     "[]", "{}", "-1", "1e309", ".nan", "2024-13-40", "2024-02-30 25:61:00", "true", "null", "[[[]]]", "'<script>'"]),
    st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
    st.integers(-10**6, 10**6).map(str),
)


@st.composite
def block_text(draw) -> str:
    name = draw(st.sampled_from(sorted(Registry(FEATURES).blocks)))
    lines = [f"{draw(st.sampled_from(KEYS))}: {draw(VALUES)}" for _ in range(draw(st.integers(0, 6)))]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["  - x", ":", "- [", "a: b: c", "\t"])))
    return "# 页\n\n```" + name + "\n" + "\n".join(lines) + "\n```\n"


@FAST
@given(text=block_text())
def test_block_parsers_on_random_blocks(sample_project, text):
    page = sample_project.config.content_path / "dashboards" / "fuzz.md"
    try:
        render_blocks(sample_project, None, page, text, 1)
    except StudioError as problem:
        assert_placed(problem, page)


@FAST
@given(sample=st.sampled_from([p for p in SAMPLES if "```" in p.read_text(encoding="utf-8")] or SAMPLES), data=st.data())
def test_block_parsers_on_mutated_pages(sample_project, sample, data):
    text = data.draw(mutated(sample.read_text(encoding="utf-8")))
    page = sample_project.config.root / sample.relative_to(ROOT)
    try:
        render_blocks(sample_project, None, page, text, 1)
    except StudioError as problem:
        assert_placed(problem, page)


# Data reader -----------------------------------------------------------------------------
@FAST
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".tsv", ".xlsx"]),
       kind=st.sampled_from([None, "orders", "contacts", "groups", "moments", "funnel", "generic"]))
def test_data_reader_on_random_bytes(tmp_path_factory, data, suffix, kind):
    from studio.data.reader import read_table

    path = tmp_path_factory.mktemp("data") / ("export" + suffix)
    path.write_bytes(data)
    try:
        read_table(path, kind=kind)
    except StudioError as problem:
        assert_placed(problem, path)


@FAST
@given(sample=st.sampled_from(DATA_SAMPLES), data=st.data())
def test_data_reader_on_mutated_exports(tmp_path_factory, sample, data):
    from studio.data.reader import _decode, read_table

    raw = sample.read_bytes()
    text, encoding = _decode(sample, raw)
    assume(len(text) < 200_000)
    text = "\n".join(text.split("\n")[:60])  # keep examples small and fast
    mutated_text = data.draw(mutated(text))
    path = tmp_path_factory.mktemp("data") / sample.name
    path.write_bytes(mutated_text.encode(encoding if encoding != "utf-8-sig" else "utf-8-sig", errors="replace"))
    try:
        read_table(path)
    except StudioError as problem:
        assert_placed(problem, path)


# PII detectors ---------------------------------------------------------------------------
@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789 -+@._xwid微信号：abcXZ()\n订单")), max_size=80))
def test_redacted_text_holds_nothing_to_find(text):
    out = pii.redact(text)
    assert pii.find(out) == []
    for f in pii.find(text):
        assert f.value not in out or len(f.value) < 5
