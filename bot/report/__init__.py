"""The question-log report: what partners asked, what the FAQ missed, and how to improve it.

``python -m bot report`` (see :mod:`bot.report.command`) reads the question log, analyses it
(:mod:`bot.report.analysis`, pure) and renders Markdown, CSV or one self-contained HTML file;
``--apply-suggestions`` writes the suggested alternates into ``faq_data/``
(:mod:`bot.report.apply`).
"""
