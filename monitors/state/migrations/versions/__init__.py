"""One file per schema revision, named ``<revision>_<slug>.py``; Alembic reads them in order."""
