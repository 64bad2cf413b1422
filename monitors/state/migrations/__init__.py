"""The state database's Alembic environment (``env.py``) and revisions (``versions/``).

``monitors.state.migrate`` runs them in code; there is no alembic.ini.
"""
