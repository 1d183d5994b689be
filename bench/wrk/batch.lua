-- wrk script for bench/replica_acks.sh: every request posts the same
-- /api/analytics/batch body of WRK_BATCH (default 10) UI events, each with
-- a fresh id, as a returning visitor (one of 1,000 cookies). wrk --latency
-- prints the percentiles the script reads.
local batch = tonumber(os.getenv("WRK_BATCH") or "10")
local counter = 0
local thread_id = 0

function setup(thread)
   thread_id = thread_id + 1
   thread:set("tid", thread_id)
end

function request()
   counter = counter + 1
   local events = {}
   for i = 1, batch do
      events[i] = string.format(
         '{"type":"event","id":"t%d-%d-%d","eventType":"ui","eventName":"click","eventData":{"button":"buy","n":%d}}',
         tid or 0, counter, i, i)
   end
   local body = '{"batch":[' .. table.concat(events, ",") .. ']}'
   local headers = {
      ["Content-Type"] = "application/json",
      ["Cookie"] = string.format("sluice_visitor=bench-v%d", counter % 1000),
   }
   return wrk.format("POST", "/api/analytics/batch", headers, body)
end
