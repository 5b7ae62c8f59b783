"""Studio's own options, as typed classes.

They live under the ``studio`` plugin in ``mkdocs.yml`` (``plugins: - studio: {...}``) but
are validated here, so that the core does not depend on the engine. Every option group is
here, one class per feature, so ``studio schemas`` and the README have one place to read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from studio.data.sources import SourceOptions
from studio.guard.options import HtmlOptions, PiiOptions


class Options(BaseModel):
    """Base for option groups: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid")


class CheckOptions(Options):
    """Thresholds of the playbook checks on content calendars; defaults follow the playbook.

    ``severity`` overrides a rule's severity by rule id (``error``, ``warning`` or ``off``);
    only error-severity findings fail ``--strict``.
    """

    enabled: bool = True
    moments_channels: list[str] = ["朋友圈"]  # channels whose posts count as Moments posts
    min_daily_posts: int = Field(3, ge=0)  # per persona per day
    max_daily_posts: int = Field(8, ge=1)
    daily_posts_tolerance: int | None = Field(None, ge=0)  # also warn when |posts - daily_posts| > this
    mix_tolerance: float = Field(15, ge=0)  # percentage points around post_mix
    promo_margin: float = Field(10, ge=0)  # promotion share at most target + this
    min_mix_posts: int = Field(10, ge=1)  # fewer Moments posts than this: mix not judged
    min_weekly_activation: int = Field(1, ge=0)  # 促活 entries per full week
    min_monthly_conversion: int = Field(1, ge=0)  # 转化 entries per full month
    bulk_formats: list[str] = ["群发"]
    max_bulk_per_day: int = Field(1, ge=1)  # per audience
    max_group_size: float = Field(200, gt=0)  # members per group (about 160 is the most active)
    min_group_activity: float = Field(0.1, ge=0, le=1)  # member_has_msg / member_total, 0.1 = 10%
    # YAML 1.1 reads a bare `off` as false: take it as "off".
    severity: dict[str, Annotated[Literal["error", "warning", "off"], BeforeValidator(lambda v: "off" if v is False else v)]] = {}


# Front-matter keys whose values are indexed as keywords of a page, for every content type
# (persona name, brand, tags …). Features with their own types add their keys here or in
# mkdocs.yml; a page can add more with ``search: {keywords: [...]}``.
DEFAULT_KEYS = [
    "title", "tags", "aliases", "keywords", "name", "brand", "brand_en", "industry", "role",
    "channels", "touchpoints", "life_tags", "work_tags", "owner", "persona", "campaign",
    "period", "kind", "category",
]


class SearchOptions(Options):
    """How Studio indexes the site for the search box (``studio.features.search``)."""

    enabled: bool = True
    # pagefind: chunked index, fast on big sites (needs http). lunr: Material's own index
    # (works from file://; chosen automatically when Material's offline plugin is on).
    engine: Literal["auto", "pagefind", "lunr"] = "auto"
    # extra dictionary terms, on top of Studio's domain dictionary and the glossary
    dictionary: list[str] = []
    # a glossary file under the content folder: terms for the dictionary and the 术语表 page
    glossary: str = "glossary.yml"
    keys: list[str] = DEFAULT_KEYS
    results: int = 10  # results shown per query (each one loads one page's snippet data)
    # pages per part of the Pagefind index (None: Studio's default, 2,000); a bigger site is
    # indexed in parts, which bounds the indexer's memory and what one edited page re-indexes
    index_pages: int | None = Field(None, ge=1)


class ProvenanceOptions(Options):
    """「最后更新 · 编辑此页 · 修改历史」 under every page (studio/features/provenance)."""

    last_updated: bool = True  # the date of the page's last commit (git), when the project is a checkout
    # ``{path}`` is the file's path in the repository; derived from repo_url + edit_uri when unset
    edit_url: str | None = None
    history_url: str | None = None


class CourseOptions(Options):
    """Training courses (``content/courses/<slug>/course.yml``)."""

    drafts: bool = False  # build 'status: draft' lessons too; always on in `studio serve`


class NavOptions(Options):
    """The navigation Material repeats on every page."""

    # A folder with more pages than this shows as its index page (generated when missing)
    # listing them all, instead of one link per page on every page; 0 = never.
    max_pages: int = Field(100, ge=0)


class CacheOptions(Options):
    """Build caches under ``.cache/`` (charts, search segmentation), keyed on content hashes."""

    enabled: bool = True
    dir: str = ".cache"


class SmtpOptions(Options):
    """The mail server ``studio notify`` sends reports through: names of environment variables
    (secrets stay out of mkdocs.yml), plus the port and the transport security."""

    host_env: str = "STUDIO_SMTP_HOST"
    port: int = Field(587, ge=1, le=65535)
    user_env: str = "STUDIO_SMTP_USER"  # unset or empty: no login
    password_env: str = "STUDIO_SMTP_PASSWORD"
    from_env: str = "STUDIO_SMTP_FROM"  # the sender; default: the user, when it is an address
    starttls: bool = True  # upgrade the connection before logging in (port 587)
    ssl: bool = False  # TLS from the first byte instead (port 465)


class NotifyOptions(Options):
    """``studio notify report``: where the robot webhook and the mail server come from, and
    where sent periods are recorded (a JSON file CI keeps between runs)."""

    wecom_env: str = "STUDIO_WECOM_WEBHOOK"  # environment variable holding the 群机器人 webhook URL
    smtp: SmtpOptions = SmtpOptions()
    state_file: str = ".studio-notify.json"  # relative to the project root
    timeout: float = Field(10, gt=0)  # seconds, per request to the robot or the mail server


ENGINES = ("mkdocs", "properdocs", "zensical")


class QueryOptions(Options):
    """The embedded query engine (DuckDB) every metric, chart and report runs on.

    ``memory_limit`` caps DuckDB's memory (DuckDB alone would take 80% of the machine, which a
    build shares with the site generator and CI): past it, large aggregations spill into
    ``<cache dir>/duckdb``, and the customers of a larger file are counted in parts so that
    they need not (``Engine.customer_parts``); ``null`` lifts the cap. ``large_csv_mb``: see below.
    """

    memory_limit: str | None = Field("1.5GB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")
    # A CSV of this many MB or more is read by DuckDB itself when it is clean (UTF-8, one
    # header row, typed columns), never by pandas; its PII scan reads its first rows. 0: never.
    large_csv_mb: float = Field(64, ge=0)

    @property
    def large_csv_bytes(self) -> int:
        return int(self.large_csv_mb * 1024 * 1024)


class VocabularyOptions(Options):
    """The team's words for where and how content goes out: persona and calendar values must
    be one of them (a did-you-mean error otherwise); filters, checks and ICS follow them.

    Each list replaces the default (today's WeCom channels plus the platforms playbooks compare
    them with: 小红书, 抖音, 微博, QQ群, 企业官网/APP/H5); list every word you use.
    ``activities`` are the calendar's activity types besides none; the playbook checks count
    促活 (weekly) and 转化 (monthly). ``pillars`` are the 内容支柱 a persona's ``post_mix``
    shares out and calendar rows name; the promotion cap applies to 促销 when it is one.
    """

    channels: list[str] = Field(["企业微信", "朋友圈", "社群", "公众号", "视频号", "小程序", "私聊", "直播", "门店",
                                 "小红书", "抖音", "微博", "QQ群", "企业官网", "APP", "H5"], min_length=1)
    pillars: list[str] = Field(["生活", "工作", "促销", "互动"], min_length=1)  # 内容支柱 of post_mix and calendars
    formats: list[str] = ["图文", "图片", "文字", "视频", "短视频", "直播", "群发", "私聊", "海报", "链接", "H5", "音频"]
    activities: list[str] = ["促活", "转化"]


class StudioConfig(Options):
    """Everything Studio needs to know about a project."""

    root: Path = Path(".")
    # The site generator: MkDocs + Material (default), ProperDocs (MkDocs' maintained fork,
    # same plugins and themes) or Zensical (Material's successor; Studio stages its docs).
    engine: Literal["mkdocs", "properdocs", "zensical"] = "mkdocs"
    # Who this build is for (`studio build --audience staff`); None builds every page. A page
    # with `audience: [management]` is built only for an audience whose list names it.
    audience: str | None = None
    # Build audience -> the page audiences it includes, e.g. {management: [management, staff]};
    # an audience not listed includes only pages of its own name (and pages with none).
    audiences: dict[str, list[str]] = {}
    content_dir: str = "content"
    case_studies_dir: str = "case_studies"
    strict: bool = False
    # Chinese titles of the top-level folders, in navigation order.
    section_titles: dict[str, str] = {
        "playbook": "私域打法", "personas": "人设库", "case_studies": "品牌拆解",
        "calendars": "内容日历", "dashboards": "数据看板", "reports": "运营报告",
        "courses": "培训课程", "glossary": "术语表",
    }
    checks: CheckOptions = CheckOptions()  # playbook checks on content calendars
    vocabulary: VocabularyOptions = VocabularyOptions()  # channels, formats, activity types
    pii: PiiOptions = PiiOptions()  # the PII guard over pages and data files
    html: HtmlOptions = HtmlOptions()  # sanitising of page HTML
    courses: CourseOptions = CourseOptions()  # training courses and their lessons
    search: SearchOptions = SearchOptions()  # Chinese search (studio/search)
    nav: NavOptions = NavOptions()  # big folders collapse to a listing page
    cache: CacheOptions = CacheOptions()  # build caches (studio/cache.py)
    provenance: ProvenanceOptions = ProvenanceOptions()  # last change and edit links under pages
    notify: NotifyOptions = NotifyOptions()  # studio notify: WeCom robot, e-mail (studio/notify)
    # Warehouse sources, e.g. {dw: {url: "${DW_URL}", tables: {orders: ods.orders_di}}}: pages name
    # `data: dw:orders` and metrics run there through Ibis (studio.data.sources).
    sources: dict[str, SourceOptions] = {}
    queries: QueryOptions = QueryOptions()  # the embedded DuckDB: its memory cap

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def case_studies_path(self) -> Path:
        return self.root / self.case_studies_dir
