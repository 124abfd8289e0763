"""Community forces (issue 19): patrol teams and posts, ten-household groups, body-worn
terminals, and the points ledger that rewards them. Teams and groups are core Units
(UnitKind.PATROL_TEAM / TEN_HOUSEHOLD_GROUP); this app holds their rosters and records."""

from shouwang.community.models.groups import AlertResponse, GroupAlert, GroupMember
from shouwang.community.models.patrols import (
    Checkin,
    FindingPhoto,
    PatrolFinding,
    PatrolPost,
    PostKind,
    RosterSlot,
    Shift,
    TeamMember,
    TrackPoint,
)
from shouwang.community.models.points import (
    AccountKind,
    AwardState,
    CatalogueItem,
    EarningRule,
    EntryKind,
    PhotoFingerprint,
    PointAccount,
    PointAward,
    PointEntry,
    Redemption,
    RedemptionState,
    RuleCode,
    WorkerMark,
)
from shouwang.community.models.ratings import UnitRating
from shouwang.community.models.terminals import BodyTerminal

__all__ = [
    "AccountKind",
    "AlertResponse",
    "AwardState",
    "BodyTerminal",
    "CatalogueItem",
    "Checkin",
    "EarningRule",
    "EntryKind",
    "FindingPhoto",
    "GroupAlert",
    "GroupMember",
    "PatrolFinding",
    "PatrolPost",
    "PhotoFingerprint",
    "PointAccount",
    "PointAward",
    "PointEntry",
    "PostKind",
    "Redemption",
    "RedemptionState",
    "RosterSlot",
    "RuleCode",
    "Shift",
    "TeamMember",
    "TrackPoint",
    "UnitRating",
    "WorkerMark",
]
