"""Environments: one family per folder. Ids are registered on ``import cauarena`` (``cauarena.registration``)."""
