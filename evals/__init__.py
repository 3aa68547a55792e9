"""Retrieval evaluation on the project's gold questions: ``python -m evals``."""
