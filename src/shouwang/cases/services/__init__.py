"""Every write of the closed loop. Each verb on an existing case is one transaction run by the
step kernel (step.py: lock, visible?, transition allowed?, authority, the verb's rule, deadline,
save, timeline event, announce); each verb's module holds only its own rule. Grouped by who acts:

- intake.py      case_intake                          — every channel (a new case)
- dispatch.py    case_dispatch                        — dispatchers (five-in-sync)
- reroute.py     case_transfer, case_divert, case_merge
- escalation.py  case_escalate (上报), case_escalate_overdue (超时督办, the deadlines sweeper)
- responders.py  assignment_accept/arrive/feedback/resolve/return, responder_position_report
- lifecycle.py   case_verify, case_reject, case_close, callback_record, case_reopen, case_cancel
- citizen.py     citizen_report, citizen_callback_record — the public pages
- attachments.py attachment_add;  room.py room_message_post
- taxonomy.py    category_save
Apps feeding the loop use cases/feeders.py and the names exported here, nothing else.
"""

from shouwang.cases.services.attachments import attachment_add
from shouwang.cases.services.dispatch import case_dispatch
from shouwang.cases.services.escalation import case_escalate, case_escalate_overdue
from shouwang.cases.services.intake import IntakeResult, case_intake
from shouwang.cases.services.lifecycle import (
    callback_record,
    case_cancel,
    case_close,
    case_reject,
    case_reopen,
    case_verify,
)
from shouwang.cases.services.reroute import case_divert, case_merge, case_transfer
from shouwang.cases.services.responders import (
    assignment_accept,
    assignment_arrive,
    assignment_feedback,
    assignment_resolve,
    assignment_return,
    responder_position_report,
)
from shouwang.cases.services.taxonomy import category_save

__all__ = [
    "IntakeResult",
    "assignment_accept",
    "assignment_arrive",
    "assignment_feedback",
    "assignment_resolve",
    "assignment_return",
    "attachment_add",
    "callback_record",
    "case_cancel",
    "case_close",
    "case_dispatch",
    "case_divert",
    "case_escalate",
    "case_escalate_overdue",
    "case_intake",
    "case_merge",
    "case_reject",
    "case_reopen",
    "case_transfer",
    "case_verify",
    "category_save",
    "responder_position_report",
]
