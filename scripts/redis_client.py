"""Redis for the test and bench scripts, through the `redis` package (redis-py,
installed into the venv by scripts/bootstrap.sh).

Replies come back as Redis sends them, without redis-py's per-command parsing:
bytes, ints, lists and None, so a script reads XINFO, XRANGE or INFO the same
way whatever the command. A broken connection is reopened once within a call
(the chaos run restarts Redis under it). Error replies are raised from a single
call and returned as exception values from a pipeline.
"""
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


class Redis:
    def __init__(self, port, timeout=30):
        # RESP2, as the scripts read it (redis-py 8 speaks RESP3 unless told); one immediate retry.
        self.client = redis.Redis(host="127.0.0.1", port=port, protocol=2, socket_timeout=timeout,
                                  socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1))
        # No reply parsing: every command's reply as sent (the pipelines below share this table).
        self.client.response_callbacks.clear()

    def pipeline(self, *commands):
        """Sends every command, then reads every reply, in order."""
        pipe = self.client.pipeline(transaction=False)
        for args in commands:
            pipe.execute_command(*args)
        return pipe.execute(raise_on_error=False)

    def __call__(self, *args):
        return self.client.execute_command(*args)
