"""Numbers that do not mislead (issue 16): a metric's good direction, amounts with three
significant digits, periods whose data ends early, and the site's pre-compressed files."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path

from studio.config import StudioConfig
from studio.data import kpi
from studio.data.format import tick, value
from studio.engine.compress import MIN_BYTES, compress_site
from studio.features.builtin import load_project
from studio.features.datasets.kpi_block import mood
from studio.features.reports.pages import archive_markdown, numbers_of, period_markdown
from studio.features.reports.summary import summary_html

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


# One formatter ----------------------------------------------------------------------------
def test_amounts_keep_three_significant_digits():
    assert value(379590.03, "money") == "¥37.96万"  # not ¥38万
    assert value(380000, "money") == "¥38万"  # exact: no trailing zeros
    assert value(135456, "number") == "13.55万"
    assert value(123456789, "number") == "1.23亿"
    assert value(1756, "number") == "1,756"


def test_money_below_10k_always_shows_fen():
    assert value(4238, "money") == "¥4,238.00"  # beside ¥4,106.30, the same kind of figure
    assert value(4106.3, "money") == "¥4,106.30"


def test_axis_ticks_stay_short():
    assert [tick(t, "money") for t in (0, 2000, 1.5, 200000)] == ["¥0", "¥2,000", "¥1.5", "¥20万"]


# Good direction ---------------------------------------------------------------------------
def test_metrics_know_their_good_direction():
    assert kpi.BY_NAME["lost_contacts"].direction == "down"  # more 删除/拉黑 is bad
    assert kpi.BY_NAME["avg_reply_time"].direction == "down"
    assert kpi.BY_NAME["gmv"].direction == "up" and kpi.BY_NAME["net_new_contacts"].direction == "up"


def test_a_change_is_judged_by_direction_not_sign():
    assert mood("up", "down") == "bad" and mood("down", "down") == "good"
    assert mood("up", "up") == "good" and mood("down", "up") == "bad"
    assert mood("flat", "down") == "flat"


# A month whose data stops on the 22nd -----------------------------------------------------
def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


def _contacts() -> str:
    rows = ["stat_time,new_contact_cnt,chat_cnt,negative_feedback_cnt"]
    day = dt.date(2026, 10, 1)
    while day <= dt.date(2026, 11, 22):  # October whole, November to the 22nd
        rows.append(f"{_epoch(day)},10,5,{1 if day.month == 10 else 2}")
        day += dt.timedelta(days=1)
    return "\n".join(rows) + "\n"


def _monthly(tmp_path: Path):
    folder = tmp_path / "content" / "reports"
    folder.mkdir(parents=True)
    (folder / "contacts.csv").write_text(_contacts(), encoding="utf-8")
    (folder / "r.md").write_text("---\ntype: report\ntitle: 月报\nperiod: month\ndatasets: [contacts.csv]\n"
                                 "targets: {net_new_contacts: ≥ 1000}\n---\n\n# 月报\n", encoding="utf-8")
    project = load_project(StudioConfig(root=tmp_path))
    assert not [p for p in project.diagnostics.items if p.severity == "error"]
    source = project.extras["reports"][0]
    return project, source, {nb.period.key: nb for nb in numbers_of(project, source)}


def _tile(page: str, metric: str) -> str:
    m = re.search(rf'<div class="(studio-kpi [^"]*)" data-metric="{metric}"', page)
    assert m, metric
    return m.group(1)


def test_an_incomplete_month_is_marked_and_its_target_not_judged(tmp_path):
    project, source, months = _monthly(tmp_path)
    nov, octo = months["2026-11"], months["2026-10"]
    text = summary_html(project, nov)
    assert "本期数据不完整" in text and "净增客户数的目标本期不作评判" in text
    assert "未达成目标" not in text and "低于目标" not in text  # 176 of 1,000 over 22 days is no miss
    page = period_markdown(project, nov, None)
    assert "数据不完整" in page  # the page's own warning
    tile = _tile(page, "net_new_contacts")
    assert "studio-kpi--partial" in tile and "studio-kpi--missed" not in tile
    assert "本期数据不完整，不作评判" in page
    # a whole month is judged as before
    assert "未达成目标" in summary_html(project, octo) and "本期数据不完整" not in summary_html(project, octo)
    archive = archive_markdown(project, source)
    assert re.search(r"\[2026年11月\]\([^)]*\)（数据不完整）", archive)
    assert not re.search(r"\[2026年10月\]\([^)]*\)（数据不完整）", archive)


def test_more_deletions_read_as_bad_in_tile_and_summary(tmp_path):
    project, _, months = _monthly(tmp_path)
    nov = months["2026-11"]  # 2 a day against October's 1
    tile = _tile(period_markdown(project, nov, None), "lost_contacts")
    assert "studio-kpi--up" in tile and "studio-kpi--bad" in tile
    assert "（增多，需关注）" in summary_html(project, nov)


# Pre-compressed site ----------------------------------------------------------------------
def test_every_text_file_of_the_site_has_a_gzip_copy(site):
    texts = [p for p in site.rglob("*") if p.suffix in (".html", ".js", ".css", ".json") and p.stat().st_size >= MIN_BYTES]
    assert len(texts) > 40
    missing = [p.relative_to(site).as_posix() for p in texts if not p.with_name(p.name + ".gz").is_file()]
    assert missing == []
    plotly = site / "assets" / "studio" / "plotly.min.js"
    assert gzip.decompress(plotly.with_name("plotly.min.js.gz").read_bytes()) == plotly.read_bytes()
    assert plotly.with_name("plotly.min.js.gz").stat().st_size < 500_000  # the heaviest script, as sent


def test_compressing_twice_gives_the_same_bytes_and_skips_small_files(tmp_path):
    (tmp_path / "a.html").write_text("<p>私域</p>" * 400, encoding="utf-8")
    (tmp_path / "tiny.css").write_text("a{}", encoding="utf-8")
    (tmp_path / "data.png").write_bytes(b"\x89PNG" * 500)
    assert compress_site(tmp_path) == 1
    first = (tmp_path / "a.html.gz").read_bytes()
    compress_site(tmp_path)
    assert (tmp_path / "a.html.gz").read_bytes() == first
    assert not (tmp_path / "tiny.css.gz").exists() and not (tmp_path / "data.png.gz").exists()


def test_compressed_copies_come_from_the_cache_and_follow_every_change(tmp_path, monkeypatch):
    import studio.engine.compress as compress
    from studio.cache import Cache

    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text("<p>私域</p>" * 400, encoding="utf-8")
    (site / "b.js").write_text("var x = 1;\n" * 400, encoding="utf-8")
    cache = Cache(tmp_path / ".cache", "compress")
    assert compress_site(site, cache) == 2
    first = {p.name: p.read_bytes() for p in site.glob("*.gz")}
    packed = []
    monkeypatch.setattr(compress, "_packed", lambda data, br, real=compress._packed: packed.append(data) or real(data, br))
    (site / "b.js").write_text("var y = 2;\n" * 400, encoding="utf-8")  # one file changed
    assert compress_site(site, Cache(tmp_path / ".cache", "compress")) == 2
    assert len(packed) == 1  # only the changed one is compressed again
    assert (site / "a.html.gz").read_bytes() == first["a.html.gz"]
    assert gzip.decompress((site / "b.js.gz").read_bytes()) == (site / "b.js").read_bytes()
    assert len(list((tmp_path / ".cache" / "compress").glob("*/*"))) == 2  # the old b.js copy is pruned


def test_a_compressed_copy_edited_in_the_site_is_not_given_to_the_next_build(tmp_path):
    """Kept copies are linked into the site: one edited in place there (a deploy script
    writing into site/) must not come back in the next build as the page's copy."""
    from studio.cache import Cache

    site = tmp_path / "site"
    site.mkdir()
    page = "<p>私域运营</p>" * 400
    (site / "a.html").write_text(page, encoding="utf-8")
    compress_site(site, Cache(tmp_path / ".cache", "compress"))
    with open(site / "a.html.gz", "r+b") as f:  # in place: the same file as the kept copy
        f.write(b"garbage")
    again = tmp_path / "again"
    again.mkdir()
    (again / "a.html").write_text(page, encoding="utf-8")
    assert compress_site(again, Cache(tmp_path / ".cache", "compress")) == 1
    assert gzip.decompress((again / "a.html.gz").read_bytes()).decode("utf-8") == page
