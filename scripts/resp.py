"""Just enough RESP2 to inspect and seed Redis from the test and bench scripts.

One connection, opened lazily and reopened once when a call finds it broken
(the chaos run restarts Redis under it). Error replies are raised from a
single call and returned as RedisError values from a pipeline.
"""
import socket


class RedisError(Exception):
    pass


class Redis:
    def __init__(self, port, timeout=30):
        self.port, self.timeout = port, timeout
        self.sock = self.file = None

    def pipeline(self, *commands):
        """Sends every command, then reads every reply, in order."""
        payload = b""
        for args in commands:
            payload += b"*%d\r\n" % len(args)
            for arg in args:
                data = arg if isinstance(arg, bytes) else str(arg).encode()
                payload += b"$%d\r\n%s\r\n" % (len(data), data)
        for attempt in range(2):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
                    self.file = self.sock.makefile("rb")
                self.sock.sendall(payload)
                return [self._read() for _ in commands]
            except (OSError, ConnectionError):
                self.sock = None
                if attempt:
                    raise

    def __call__(self, *args):
        reply = self.pipeline(args)[0]
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def _read(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            return None if int(rest) < 0 else self.file.read(int(rest) + 2)[:-2]
        if kind == b"*":
            return None if int(rest) < 0 else [self._read() for _ in range(int(rest))]
        raise ConnectionError(f"bad reply {line!r}")
