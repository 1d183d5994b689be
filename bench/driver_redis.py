"""driver.py's Redis access: the small RESP client shared with scripts/chaos.py
(scripts/redis_client.py) and helpers for its replies."""
import os
import sys

from driver_state import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from redis_client import Redis  # noqa: E402  (shared with scripts/chaos.py)

__all__ = ["Redis", "fields", "text"]


def fields(reply):
    """A flat [k, v, k, v] reply as a dict with str keys."""
    return {reply[i].decode() if isinstance(reply[i], bytes) else reply[i]: reply[i + 1] for i in range(0, len(reply), 2)}


def text(value):
    return value.decode() if isinstance(value, bytes) else value
