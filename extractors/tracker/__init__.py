"""The tables: columns, rec_id, merging with the last run, labels, positions, links, follow-up groups, CSV on disk."""
