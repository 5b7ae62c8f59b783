"""The datasets feature, as the project's registry sees it."""

from studio.core.feature import Feature
from studio.data.kinds import BUILTIN_KINDS
from studio.data.kpi import METRICS

from .charts import chart_block
from .dashboards import chart_assets, dashboard_pages, link_dashboards, load_datasets
from .kpi_block import kpi_block

FEATURE = Feature(
    name="datasets",
    package=__package__,
    kinds=BUILTIN_KINDS,
    metrics=METRICS,
    loaders=(load_datasets,),
    generators=(chart_assets, dashboard_pages),
    blocks={"chart": chart_block, "kpi": kpi_block},
    # after the fact boxes of personas and teardowns (listed before this feature)
    decorators={"teardown": link_dashboards, "persona": link_dashboards},
)
