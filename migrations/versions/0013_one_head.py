"""One head: the area branches (cases, indicators, livelihood, referrals, drafts) meet here.

From this revision on every migration chains from the single head, so `flask db migrate` works for the next
developer and tests/test_migrations_heads.py fails if a second head appears.

Revision ID: 0013_one_head
Revises: 0003_indicators, 0006_drafts, 0010_case_figures_index, 0011_livelihood_list_indexes,
         0012_referral_inbox_index
"""

revision = "0013_one_head"
down_revision = ("0003_indicators", "0006_drafts", "0010_case_figures_index", "0011_livelihood_list_indexes",
                 "0012_referral_inbox_index")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
