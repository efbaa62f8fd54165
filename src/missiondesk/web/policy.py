"""Who may do what, as data: one table from each permission to the roles that hold it.

Every API route and every page names one permission; the check in `missiondesk.web.auth`
reads only this table, and docs/web.md prints it. `shinobi` accounts may check in only on
missions whose squad holds the shinobi their account is linked to (OWN_MISSIONS_ONLY), and
volunteer only as that shinobi and read only its ledger (OWN_SHINOBI_ONLY).
"""

from __future__ import annotations

from enum import StrEnum

from fastapi import HTTPException

from missiondesk.services.accounts import AccountRole

HOKAGE = AccountRole.HOKAGE
COMMANDER = AccountRole.COMMANDER
MEDIC = AccountRole.MEDIC
SHINOBI = AccountRole.SHINOBI
VIEWER = AccountRole.VIEWER


class Permission(StrEnum):
    READ = "read"  # the board, roster, missions, assessments, plans, bingo book, timelines
    WELLBEING_READ = "wellbeing.read"  # wellbeing flags and their evidence
    INTAKE = "intake"  # import, apply or edit the village: missions, shinobi, sightings
    ASSESS = "assess"  # assess the whole board (stores effective ranks)
    PLAN = "plan"  # run the planner
    OVERRIDE = "override"  # pin and forbid people when planning
    RANK = "rank"  # overrule a mission's judged rank (and clear the override)
    APPROVE = "approve"  # make a planned squad binding, or recall it before it leaves
    DISPATCH = "dispatch"  # send an approved squad out
    CLOCK = "clock"  # move the village clock (story mode) or run its pass
    RESCUE = "rescue"  # send the rescue for an overdue squad (approved and dispatched at once)
    CHECKIN = "checkin"  # record a squad's check-in
    REPORT = "report"  # file the after-action report (injuries included)
    CLEAR = "clear"  # clear a wellbeing flag
    ACCOUNTS = "accounts"  # list and create accounts
    VOLUNTEER = "volunteer"  # volunteer a shinobi for a mission (or withdraw)
    LEDGER = "ledger"  # read the ledger: rewards paid, missions by rank, successes


POLICY: dict[Permission, frozenset[AccountRole]] = {
    Permission.READ: frozenset({HOKAGE, COMMANDER, MEDIC, SHINOBI, VIEWER}),
    Permission.WELLBEING_READ: frozenset({HOKAGE, COMMANDER, MEDIC, VIEWER}),
    Permission.INTAKE: frozenset({HOKAGE, COMMANDER}),
    Permission.ASSESS: frozenset({HOKAGE, COMMANDER}),
    Permission.PLAN: frozenset({HOKAGE, COMMANDER}),
    Permission.OVERRIDE: frozenset({HOKAGE}),
    Permission.RANK: frozenset({HOKAGE, COMMANDER}),
    Permission.APPROVE: frozenset({HOKAGE}),
    Permission.DISPATCH: frozenset({HOKAGE, COMMANDER}),
    Permission.CLOCK: frozenset({HOKAGE, COMMANDER}),
    Permission.RESCUE: frozenset({HOKAGE, COMMANDER}),  # whoever may dispatch
    Permission.CHECKIN: frozenset({HOKAGE, COMMANDER, SHINOBI}),
    Permission.REPORT: frozenset({HOKAGE, COMMANDER, MEDIC}),
    Permission.CLEAR: frozenset({HOKAGE, MEDIC}),
    Permission.ACCOUNTS: frozenset({HOKAGE}),
    Permission.VOLUNTEER: frozenset({HOKAGE, COMMANDER, SHINOBI}),
    Permission.LEDGER: frozenset({HOKAGE, COMMANDER, MEDIC, SHINOBI, VIEWER}),
}

OWN_MISSIONS_ONLY: dict[Permission, frozenset[AccountRole]] = {
    Permission.CHECKIN: frozenset({SHINOBI}),
}
"""Roles that hold a permission only for missions their own shinobi serves on."""


OWN_SHINOBI_ONLY: dict[Permission, frozenset[AccountRole]] = {
    Permission.VOLUNTEER: frozenset({SHINOBI}),
    Permission.LEDGER: frozenset({SHINOBI}),
}
"""Roles that hold a permission only as the shinobi their account is linked to."""


def own_scope(
    role: AccountRole, own_shinobi: str | None, permission: Permission, asked: str | None
) -> tuple[bool, str | None]:
    """For a read open to everyone but limited to one's own shinobi for some roles: whether
    the account may read `asked` (None: everyone's), and whose records it is then shown.
    A player asking for everyone's is shown their own."""
    if not allows(role, permission):
        return False, asked
    if role not in OWN_SHINOBI_ONLY.get(permission, frozenset()):
        return True, asked
    if own_shinobi is None:
        return False, asked
    return asked in (None, own_shinobi), own_shinobi


def may_act_as(
    role: AccountRole, own_shinobi: str | None, permission: Permission, shinobi: str
) -> bool:
    """Whether an account may use `permission` on behalf of `shinobi`: staff for anyone,
    a player (OWN_SHINOBI_ONLY) only as their own linked shinobi."""
    if not allows(role, permission):
        return False
    if role in OWN_SHINOBI_ONLY.get(permission, frozenset()):
        return own_shinobi is not None and own_shinobi == shinobi
    return True


def allows(role: AccountRole, permission: Permission) -> bool:
    return role in POLICY[permission]


def only_own_missions(role: AccountRole, permission: Permission) -> bool:
    return role in OWN_MISSIONS_ONLY.get(permission, frozenset())


def check_override(role: AccountRole, overrides: object) -> None:
    """Pins and forbids overrule the planner's choice: only roles holding OVERRIDE may ask
    for any (`overrides`: whatever the front end read of them, empty when none)."""
    if overrides and not allows(role, Permission.OVERRIDE):
        raise HTTPException(
            status_code=403,
            detail=f"the {role.value} role may not pin or forbid people (override)",
        )
