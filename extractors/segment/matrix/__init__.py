"""OHCHR matrices and thematic lists of recommendations (DOCX tables)."""
