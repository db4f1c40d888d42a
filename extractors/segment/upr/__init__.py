"""UPR Working Group reports (their recommendations and States) and their addenda (the State's positions)."""
