"""Views of the tables for people: ``tracker.xlsx`` (and edits read back from it) and ``report.html``."""
