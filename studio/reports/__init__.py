"""Periodic performance reports (私域周报/月报): periods, numbers, summary, pages.

A page with ``type: report`` (``studio.content.report``) names datasets and, optionally, a
content calendar; every build writes one page per ISO week or month, an archive and a
``latest`` page, and ``studio export report`` writes one period as a single HTML file or PDF.
"""
