"""Datasets: the ```chart and ```kpi blocks, 数据看板 pages for datasets named in front matter,
the 指标口径 page and plotly.js."""
