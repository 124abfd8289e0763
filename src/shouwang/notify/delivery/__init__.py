"""Outbox delivery: claim (claim.py), deliver through the channels (../deliverers/), record
(outcomes.py); batch.py runs one round, worker.py the loops."""

from shouwang.notify.delivery.batch import outbox_deliver_batch

__all__ = ["outbox_deliver_batch"]
