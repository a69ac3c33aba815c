"""Running the scheduler's upkeep one item per transaction, so that one failure keeps no other
item from being done and a crash loses at most the item at hand."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sote_flow.persistence.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def each_in_own_transaction(
    unit_of_work: Callable[[], UnitOfWork],
    item_ids: Iterable[int],
    work: Callable[[UnitOfWork, int], bool],
    done_line: Callable[[int], str],
) -> list[str]:
    """Run `work` on each item in a unit of work of its own; return a line per item it did."""
    done = []
    for item_id in item_ids:
        try:
            with unit_of_work() as uow:
                if work(uow, item_id):
                    done.append(done_line(item_id))
        except Exception:  # one item's failure must not keep the others from being done
            log.exception("upkeep of item %s by %s failed", item_id, work.__qualname__)
    return done
