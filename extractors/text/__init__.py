"""Text helpers every stage shares: normalising and joining lines, the one sentence splitter and footnote
stripper, the word lists of ``data/patterns/``."""
