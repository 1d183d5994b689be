-- wrk script for `make bench`: cycles through realistic tracking requests.
--
-- The requests come from a corpus file written by `bench/driver.py corpus`
-- (path, user agent, visitor cookie, JSON body per line, tab-separated): the
-- seed's routes (page views, UI events, chat, chat feedback, tool runs, lab
-- experiments, API calls) with ~300-byte bodies, a handful of browser user
-- agents, returning visitors' cookies (one request in ten without one), or
-- 100-event bodies for /api/analytics/batch; a line with an empty body is a
-- GET (the /healthz floor). Each wrk thread starts at a different place in
-- the corpus.
--
-- Environment:
--   WRK_CORPUS   the corpus file (required)
--   WRK_RATE     total requests per second to pace at (optional; without it
--                every connection sends as fast as answers come back)
--   WRK_THREADS  wrk's -t, needed with WRK_RATE to split the rate
--
-- Pacing uses wrk's delay() hook with an absolute schedule per thread: each
-- request is sent at its slot (to 1 ms, wrk's timer resolution) as long as a
-- connection is free, so the rate holds whatever the latency. wrk measures
-- latency from when the request is written, so pacing time is not counted.
--
-- done() prints one line, `BENCH_JSON {...}`, with the figures the driver reads.

local corpus_path = os.getenv("WRK_CORPUS")
if not corpus_path then
   error("WRK_CORPUS is not set (bench/driver.py corpus writes the file)")
end

local requests = {}
local counter = 0
local thread_number = 0

local function load_corpus()
   local loaded = {}
   for line in io.lines(corpus_path) do
      local path, ua, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if path then
         local headers = {
            ["User-Agent"] = ua,
            ["Accept"] = "*/*",
         }
         if cookie ~= "" then
            headers["Cookie"] = "sluice_visitor=" .. cookie
         end
         if body == "" then
            loaded[#loaded + 1] = wrk.format("GET", path, headers)
         else
            headers["Content-Type"] = "application/json"
            loaded[#loaded + 1] = wrk.format("POST", path, headers, body)
         end
      end
   end
   if #loaded == 0 then
      error("no requests in " .. corpus_path)
   end
   return loaded
end

-- Runs in the main Lua state once per thread, before the threads start.
local threads_seen = 0
function setup(thread)
   threads_seen = threads_seen + 1
   thread:set("thread_number", threads_seen)
end

function init(args)
   requests = load_corpus()
   thread_number = tonumber(wrk.thread:get("thread_number")) or 1
   counter = (thread_number * 7919) % #requests
end

function request()
   counter = counter + 1
   if counter > #requests then
      counter = 1
   end
   return requests[counter]
end

local rate = tonumber(os.getenv("WRK_RATE") or "")
if rate and rate > 0 then
   local ffi = require("ffi")
   ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clock_id, bench_timespec *tp);
   ]]
   local ts = ffi.new("bench_timespec")
   local function now_ms()
      ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
      return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
   end
   local threads = tonumber(os.getenv("WRK_THREADS") or "1")
   local interval = 1000.0 * threads / rate
   local next_slot = nil

   function delay()
      local now = now_ms()
      if next_slot == nil then
         next_slot = now
      end
      local slot = next_slot
      next_slot = next_slot + interval
      local wait = slot - now
      if wait < 0 then
         return 0
      end
      return math.floor(wait + 0.5)
   end
end

function done(summary, latency, requests_done)
   local seconds = summary.duration / 1e6
   local function ms(p)
      return latency:percentile(p) / 1000.0
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, "bytes": %d, ' ..
      '"latency_ms": {"p50": %.3f, "p90": %.3f, "p99": %.3f, "p99.9": %.3f, "max": %.3f, "mean": %.3f}, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
      summary.requests, seconds, summary.requests / seconds, summary.bytes,
      ms(50), ms(90), ms(99), ms(99.9), latency.max / 1000.0, latency.mean / 1000.0,
      e.connect, e.read, e.write, e.status, e.timeout))
end
