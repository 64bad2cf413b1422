"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations
${imports if imports else ""}
# Add what upgrade() uses: `import sqlalchemy as sa` and `from alembic import op`. SQLite alters a
# table by copying it, so change columns inside `with op.batch_alter_table("feeds") as batch:`.

revision = "${up_revision}"
down_revision = ${'"%s"' % down_revision if down_revision else None}
branch_labels = None
depends_on = None


def upgrade() -> None:
    ${upgrades if upgrades else 'raise NotImplementedError("write this revision")'}


def downgrade() -> None:
    ${downgrades if downgrades else 'raise NotImplementedError("claimwatch only upgrades")'}
