"""Suggested replies for a case: guide articles, past answers, canned responses."""
