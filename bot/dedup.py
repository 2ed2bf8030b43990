"""A bounded, expiring memory of recent activity ids, so that a retried activity runs one turn.

Teams re-sends an activity when the bot has not answered its HTTP request within about
15 seconds, with the same activity id. Ids are unique only within a conversation, so the key
is ``(conversation id, activity id)``. An id is remembered when its turn *starts*: a retry that
arrives while the first turn is still running is already a duplicate.

The memory lives in one process. Several instances behind a load balancer each have their own,
so a retry that lands on another instance is answered again; they need a shared store (Redis
``SET key 1 NX EX <ttl>``, say) or sticky routing by conversation. Neither is built here.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

#: How long an id is remembered. Teams gives up on an activity after a few retries spread
#: over well under a minute; ten minutes is a wide margin.
DEFAULT_TTL_SECONDS = 600.0
#: How many ids are kept at most (about 200 bytes each); the oldest go first.
DEFAULT_MAX_SIZE = 10_000

Key = tuple[str, str]


class RecentActivities:
    """Remembers ``(conversation id, activity id)`` pairs for ``ttl`` seconds, at most ``max_size``.

    Not thread-safe, and need not be: aiohttp runs every request of a process on one event
    loop, and :meth:`first_sighting` does not await between its check and its update.

    Args:
        ttl: Seconds an id is remembered.
        max_size: The most ids kept; beyond it the oldest is forgotten early.
        clock: Monotonic seconds (tests pass a fake).
    """

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_size: int = DEFAULT_MAX_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0 or max_size <= 0:
            raise ValueError("ttl and max_size must be positive")
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        # Insertion order is expiry order (one ttl for all), so the oldest entry is first.
        # OrderedDict, not dict: removing from the front of a dict is ten times slower.
        self._expiries: OrderedDict[Key, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiries)

    def first_sighting(self, conversation_id: str, activity_id: str) -> bool:
        """Whether this activity is new; either way it is remembered from now on.

        Args:
            conversation_id: The activity's ``conversation.id``.
            activity_id: The activity's ``id``.

        Returns:
            ``True`` the first time a pair is seen within ``ttl``, ``False`` for a repeat.
        """
        now = self._clock()
        self._forget_expired(now)
        key = (conversation_id, activity_id)
        if key in self._expiries:
            return False
        self._expiries[key] = now + self.ttl
        if len(self._expiries) > self.max_size:
            self._expiries.popitem(last=False)
        return True

    def _forget_expired(self, now: float) -> None:
        expiries = self._expiries
        while expiries and next(iter(expiries.values())) <= now:
            expiries.popitem(last=False)
