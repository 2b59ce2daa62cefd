"""The numbers of the Insights dashboard, one module per view, each a function of the viewer
and a :class:`~community.analytics.dashboard.scope.Scope` computed with aggregates in the
database: ``funnel``, ``demand``, ``knowledge`` (the knowledge loop) and ``participation``;
``scope`` holds the scope and the conditions every view shares. ``reports.py`` turns them
into the page's tables and charts."""
