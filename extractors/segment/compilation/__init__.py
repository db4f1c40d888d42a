"""OHCHR compilations (…/2) and stakeholders' summaries (…/3): reported recommendations and who made them,
and every numbered paragraph as evidence."""
