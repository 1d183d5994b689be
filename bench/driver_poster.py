"""Posting to ingest over one kept-alive HTTP connection (prefill and lag), retrying
while ingest starts or sheds load (503) and stopping on anything a run must not see."""
import http.client
import re
import time


class Poster:
    def __init__(self, url):
        self.host, self.port = re.match(r"http://([^:/]+):(\d+)", url).groups()
        self.conn = None

    def post(self, path, body, user_agent, retries=20):
        for _ in range(retries):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
                self.conn.request("POST", path, body, {"content-type": "application/json", "user-agent": user_agent})
                response = self.conn.getresponse()
                data = response.read()
                if response.status == 202:
                    return data
                if response.status == 429:
                    # A wait here would slow the prefill and the lag probes without a trace in the figures.
                    raise SystemExit("ingest answered 429: the limits bench/run.sh sets by name (SLUICE_RATE_LIMIT_ADDRESS, "
                                     f"SLUICE_RATE_LIMIT_VISITOR) must never empty during a run: {data[:500]!r}")
                if response.status != 503:
                    raise SystemExit(f"ingest answered {response.status}: {data[:500]!r}")
            except (OSError, http.client.HTTPException):
                self.conn = None
            time.sleep(0.5)
        raise SystemExit("ingest kept refusing the prefill")
