"""The domain of tular: model, gazetteer, skills, stores and analytics.

Nothing in this package knows about HTTP, HTML or the terminal.
"""
