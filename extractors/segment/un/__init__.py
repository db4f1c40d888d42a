"""Numbered UN documents: treaty-body concluding observations and special-procedure reports."""
