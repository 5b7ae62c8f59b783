"""The authoring loop: one message per mistake, in Studio's words, the same from check and build.

Each test makes one mistake an author makes (or a few unrelated ones) in a copy of the
sample project and reads what ``studio check`` and ``studio build`` print.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import copy_project, run_studio


def problems(output: str) -> list[str]:
    """The ``path:line: severity: message`` lines of a command's output (hints and 中文 lines left out)."""
    return [line for line in output.splitlines() if re.match(r"^\S+?:(\d+:)?(\S+:)? ?(error|warning)\b", line)]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def summary(output: str) -> tuple[int, int, int]:
    m = re.search(r"(\d+) errors?, (\d+) warnings?, (\d+) playbook findings?", output)
    assert m, output
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "p")


# check and build say the same, once ------------------------------------------------------
def test_check_and_build_print_the_same_problems_once_and_count_them(sample):
    page = sample / "content" / "playbook" / "scratch.md"
    page.write_text("# 草稿\n\n<div onclick=\"x()\">点我</div>\n\n<script>alert(1)</script>\n", encoding="utf-8")
    check = run_studio("check", cwd=sample)
    build = run_studio("build", cwd=sample)
    assert check.returncode == 0 and build.returncode == 0, check.stderr + build.stderr
    said_by_check = problems(check.stdout + check.stderr)
    said_by_build = problems(build.stdout + build.stderr)
    assert said_by_check == said_by_build  # the same problems and findings, in the same order
    assert len(said_by_check) == len(set(said_by_check))  # each once
    html = [p for p in said_by_check if "[html]" in p]
    assert len(html) == 2 and all(p.startswith("content/playbook/scratch.md:") for p in html)
    findings = [p for p in said_by_check if re.search(r"warning \[(moments-per-day|pillar-mix|promo-cap|"
                                                      r"weekly-activation|group-size)\]", p)]
    errors, warnings, found = summary(check.stdout + check.stderr)
    assert (errors, warnings, found) == (0, 2, len(findings)) and found >= 1
    assert summary(build.stdout) == (errors, warnings, found)
    assert "studio: ok (" in check.stdout and "studio: built " in build.stdout


def test_a_failing_check_counts_what_it_printed(sample):
    edit(sample / "content" / "personas" / "store-lucky.md", "role: sales", "role: boss")
    proc = run_studio("check", cwd=sample)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "studio: failed: 1 error, 0 warnings," in proc.stderr


# one mistake, one message ----------------------------------------------------------------
def test_a_misspelt_required_key_is_one_error_not_a_cascade(sample):
    edit(sample / "content" / "personas" / "store-lucky.md", "\nowner:", "\nownr:")
    for command in ("check", "build"):
        proc = run_studio(command, cwd=sample)
        said = [p for p in problems(proc.stderr) if " error" in p]
        assert proc.returncode == 1
        assert said == ["content/personas/store-lucky.md:11: error: unknown key 'ownr' (did you mean 'owner'?); "
                        "'owner' is required in a persona"], proc.stderr
        assert "no persona 'store-lucky'" not in proc.stderr  # 60 calendar rows name it: no error each


def test_a_calendar_keeps_its_good_rows_and_reports_every_bad_one(sample):
    cal = sample / "content" / "calendars" / "2026-11.csv"
    lines = cal.read_text(encoding="utf-8-sig").split("\n")
    lines[4] = lines[4].replace("2026/11/", "2026/13/", 1)
    lines[9] = lines[9].replace("2026/11/1", "2026/11/1x", 1)
    lines[12] = lines[12].replace("朋友圈", "朋友群", 1)
    cal.write_text("\n".join(lines), encoding="utf-8")
    proc = run_studio("check", cwd=sample)
    said = problems(proc.stderr)
    assert proc.returncode == 1
    assert "content/calendars/2026-11.csv:5:日期: error: cannot read '2026/13/1' as a date; row left out" in said
    assert "content/calendars/2026-11.csv:10:日期: error: cannot read '2026/11/1x' as a date; row left out" in said
    assert any(p.startswith("content/calendars/2026-11.csv:13:渠道: error: calendar channel: unknown channel "
                            "'朋友群' (did you mean '朋友圈'?)") for p in said)
    assert "no content calendar" not in proc.stderr  # the reports still find the calendar
    assert summary(proc.stderr)[0] == 3


def test_a_block_that_embeds_a_broken_persona_adds_no_second_error(sample):
    edit(sample / "content" / "personas" / "expert-koc.md", "role: expert", "role: expret")
    (sample / "content" / "playbook" / "embed.md").write_text("# 嵌入\n\n```persona\npersona: expert-koc\n```\n",
                                                              encoding="utf-8")
    proc = run_studio("check", cwd=sample)
    errors = [p for p in problems(proc.stderr) if " error" in p]
    assert len(errors) == 1 and errors[0].startswith("content/personas/expert-koc.md:"), proc.stderr


# Studio's voice ---------------------------------------------------------------------------
def test_a_models_own_check_is_said_without_pydantic_words(sample):
    edit(sample / "content" / "personas" / "store-lucky.md", "post_mix: {", "post_mix: {生活: 10, 工作: 10, 促销: 10, 互动: 10} #")
    proc = run_studio("check", cwd=sample)
    assert "post_mix: shares must sum to 100, got 40" in proc.stderr
    assert "Value error" not in proc.stderr and "Input should be" not in proc.stderr


def test_wrong_types_are_said_as_what_to_write(sample):
    edit(sample / "content" / "personas" / "store-lucky.md", "daily_posts: 5", "daily_posts: 很多")
    proc = run_studio("check", cwd=sample)
    assert "daily_posts: expected a whole number, got '很多'" in proc.stderr
    assert "unable to parse" not in proc.stderr


def test_a_full_width_colon_is_named_on_its_line(sample):
    path = sample / "content" / "personas" / "store-lucky.md"
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if text.startswith("tone:"))
    edit(path, "tone: ", "tone：")
    proc = run_studio("check", cwd=sample)
    assert (f"content/personas/store-lucky.md:{line}: error: invalid YAML front matter: full-width colon '：' "
            "after 'tone'") in proc.stderr
    assert "半角冒号" in proc.stderr


def test_a_full_width_colon_in_course_yml_is_named_too(sample):
    edit(sample / "content" / "courses" / "private-domain-101" / "course.yml", "trainer: ", "trainer：")
    proc = run_studio("check", cwd=sample)
    assert re.search(r"course\.yml:\d+: error: invalid YAML: full-width colon '：' after 'trainer'", proc.stderr)


def test_a_studio_option_typo_has_its_line_and_a_suggestion(sample):
    edit(sample / "mkdocs.yml", "  - studio:\n", "  - studio:\n      chekcs:\n        max_group_size: 300\n")
    proc = run_studio("check", cwd=sample)
    line = next(i for i, text in enumerate((sample / "mkdocs.yml").read_text().split("\n"), 1) if "chekcs" in text)
    assert proc.returncode == 1
    assert f"mkdocs.yml:{line}: error: plugins.studio.chekcs: unknown option (did you mean 'checks'?)" in proc.stderr
    assert "Extra inputs are not permitted" not in proc.stderr and "Unrecognised configuration" not in proc.stderr


def test_a_nested_option_typo_and_a_bad_value(sample):
    edit(sample / "mkdocs.yml", "  - studio:\n", "  - studio:\n      checks:\n        max_group_sise: 300\n"
                                                 "        min_daily_posts: many\n")
    proc = run_studio("build", cwd=sample)
    assert "plugins.studio.checks.max_group_sise: unknown option (did you mean 'max_group_size'?)" in proc.stderr
    assert "plugins.studio.checks.min_daily_posts: expected a whole number, got 'many'" in proc.stderr


def test_an_mkdocs_key_typo_is_a_warning_with_a_suggestion(sample):
    edit(sample / "mkdocs.yml", "site_name:", "site_nme: x\nsite_name:")
    proc = run_studio("check", cwd=sample)
    assert re.search(r"mkdocs\.yml:\d+: warning: site_nme: unknown option \(did you mean 'site_name'\?\)", proc.stderr)


# studio new ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, slug, written", [
    ("persona", "lucky2", ["content/personas/lucky2.md"]),
    ("teardown", "heytea", ["case_studies/heytea/index.md"]),
    ("page", "playbook/new-page", ["content/playbook/new-page.md"]),
    ("calendar", "2027-01", ["content/calendars/2027-01.yaml"]),
    ("course", "onboarding", ["content/courses/onboarding/course.yml", "content/courses/onboarding/01-intro.md"]),
    ("report", "store-weekly", ["content/reports/store-weekly.md", "content/reports/data/store-weekly-contacts.csv"]),
])
def test_every_scaffold_builds_and_warns_until_filled_in(sample, kind, slug, written):
    proc = run_studio("new", kind, slug, cwd=sample)
    assert proc.returncode == 0, proc.stderr
    for rel in written:
        assert (sample / rel).is_file()
    build = run_studio("build", cwd=sample)
    assert build.returncode == 0, build.stderr
    placeholders = [p for p in problems(build.stderr) if "from 'studio new' still to fill in" in p]
    assert sorted(p.split(":")[0] for p in placeholders) == sorted(r for r in written if not r.endswith(".csv"))
    strict = run_studio("build", "--strict", cwd=sample)
    assert strict.returncode == 1 and "from 'studio new' still to fill in" in strict.stderr
    again = run_studio("new", kind, slug, cwd=sample)
    assert again.returncode == 1 and "already exists; nothing was written" in again.stderr


def test_a_new_lesson_is_added_to_its_course(sample):
    course = sample / "content" / "courses" / "private-domain-101" / "course.yml"
    before = course.read_text(encoding="utf-8")
    proc = run_studio("new", "lesson", "private-domain-101/07-review", cwd=sample)
    assert proc.returncode == 0, proc.stderr
    after = course.read_text(encoding="utf-8")
    assert after.replace("  - 06-activities.md\n  - 07-review.md\n", "  - 06-activities.md\n") == before
    assert (sample / "content/courses/private-domain-101/07-review.md").is_file()
    build = run_studio("build", cwd=sample)
    assert build.returncode == 0, build.stderr
    assert (sample / "site" / "courses" / "private-domain-101" / "07-review" / "index.html").is_file()
    missing = run_studio("new", "lesson", "private-domain-10/x", cwd=sample)
    assert missing.returncode == 1 and "no course 'private-domain-10' (did you mean 'private-domain-101'?)" in missing.stderr


# the team's vocabulary -----------------------------------------------------------------------
def test_new_platforms_are_in_the_vocabulary_and_typos_are_not(sample):
    cal = sample / "content" / "calendars" / "2026-11.csv"
    lines = cal.read_text(encoding="utf-8-sig").split("\n")
    lines[4] = lines[4].replace("朋友圈", "小红书", 1)
    lines[5] = lines[5].replace("朋友圈", "小红树", 1)
    lines[6] = lines[6].replace("图文", "图问", 1)
    cal.write_text("\n".join(lines), encoding="utf-8")
    said = problems(run_studio("check", cwd=sample).stderr)
    errors = [p for p in said if " error" in p]
    assert len(errors) == 2, said
    assert errors[0].startswith("content/calendars/2026-11.csv:6:渠道: error: calendar channel: unknown channel "
                                "'小红树' (did you mean '小红书'?)")
    assert errors[1].startswith("content/calendars/2026-11.csv:7:形式: error: calendar format: unknown format "
                                "'图问' (did you mean '图文'?)")


def test_a_teams_own_vocabulary_replaces_the_default(sample):
    edit(sample / "mkdocs.yml", "  - studio:\n", "  - studio:\n      vocabulary:\n"
                                                 "        channels: [企业微信, 朋友圈, 社群, 公众号, 视频号, 私聊, 直播, 抖音]\n")
    said = [p for p in problems(run_studio("check", cwd=sample).stderr) if " error" in p]
    # the sample plans 小程序 twice (calendar rows) and a persona lists it: each is named
    assert said and all("'小程序'" in p for p in said), said
    assert any(p.startswith("content/personas/") and "channels: unknown channel '小程序'" in p for p in said)
    assert any(p.startswith("content/calendars/") for p in said)


# the six common mistakes, each one message (the closing note quotes them) -----------------------
SIX = [
    ("key typo", "content/personas/store-lucky.md", "\nowner:", "\nownr:",
     "content/personas/store-lucky.md:11: error: unknown key 'ownr' (did you mean 'owner'?); 'owner' is required in a persona"),
    ("bad role", "content/personas/store-lucky.md", "role: sales", "role: boss",
     "content/personas/store-lucky.md:4: error: role: invalid value 'boss'; expected one of 'sales', 'expert' or 'brand IP'"),
    ("reference typo", "content/courses/private-domain-101/02-luckin-store-groups.md", "teardown: luckin", "teardown: luckn",
     "content/courses/private-domain-101/02-luckin-store-groups.md:29: error: teardown block: no teardown named 'luckn' "
     "(did you mean 'luckin'?)"),
    ("bad CSV date", "content/calendars/2026-11.csv", "2026/11/1,08:00,朋友圈,store-lucky", "2026/11/31,08:00,朋友圈,store-lucky",
     "content/calendars/2026-11.csv:2:日期: error: cannot read '2026/11/31' as a date; row left out"),
    ("missing column", "content/dashboards/index.md", "y: new_contact_cnt", "y: new_contct_cnt",
     "content/dashboards/index.md:30: error: chart block: unknown column 'new_contct_cnt' in team-contacts.csv "
     "(did you mean 'new_contact_cnt'?)"),
    ("bad course file", "content/courses/private-domain-101/course.yml", "  - 03-popmart-membership.md", "  - 03-popmart-membrship.md",
     "content/courses/private-domain-101/course.yml:17: error: unknown lesson file '03-popmart-membrship.md' "
     "(did you mean '03-popmart-membership.md'?)"),
]


@pytest.mark.parametrize("what, rel, old, new, message", SIX, ids=[s[0] for s in SIX])
def test_six_common_mistakes_are_one_message_each(sample, what, rel, old, new, message):
    edit(sample / rel, old, new)
    proc = run_studio("check", cwd=sample)
    said = [p for p in problems(proc.stderr) if " error" in p or (" warning:" in p and "[" not in p.split(":")[-2])]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert said == [message], proc.stderr
    assert summary(proc.stderr)[:2] == (1, 0)
