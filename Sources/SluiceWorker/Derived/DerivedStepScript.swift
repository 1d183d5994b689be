/// The Lua of the acknowledgement step (docs/derived-data.md): one call per batch
/// and partition acknowledges the entries and applies the changes they cause to
/// sessions, visitors, roll-up buckets and chats, atomically, so a change is applied
/// exactly once whatever crashes, redeliveries or double claims happen.
///
/// It first checks that every entry is still pending: if another worker acknowledged
/// some meanwhile, it changes nothing and returns `{"acked", id...}`, and the caller
/// leaves those out and calls again. Otherwise it acknowledges them all and applies
/// the operations, returning `{"ok"}`. Every hash it changes is `PERSIST`ed, added
/// to `dirty:{p}` scored by when its first change since its last flush arrived (the
/// call's "changed at": its oldest entry's time, a quarter flush interval ago at most), and
/// given the call's sequence number in `~seq`, so the flusher marks it clean only
/// if it did not change while being written.
///
/// It runs even when Redis is at `maxmemory` (`allow-oom`): the acknowledgements it
/// carries are what lets the worker trim the stream and free memory, so a full
/// Redis must never block them (docs/operations.md, "Redis memory", budgets for it).
///
/// KEYS: the stream, its `dirty:{p}` set and `dirtyseq:{p}` counter. Every other key
/// it touches is named in ARGV and carries the same `{p}` hash tag (one slot).
/// ARGV: group, now (ms), roll-up window (ms), rows per dimension, chat key lifetime
/// (s), page view key lifetime (s), changed at (ms), entry count, entry ids, then
/// operations, each a letter and its arguments:
///
/// - `V` visitor: key, first, last, page views to add, device JSON, user ids
///   (`\x1f`-joined), seed (`"0"`, or `"1"` and the stored document's first, last, visits,
///   page views, returning, user ids, then a count of funnel fields and each field and value).
/// - `S` session: key, visitor key, session id, first, last, page views and events to
///   add, entry time and page, exit time and page, user id, hour and day bucket keys
///   of the session's start ("" when closed), landing JSON, the eight landing
///   dimension values, seed (`""`, or the stored start, last, page views, events,
///   entry page, exit page, end, landing JSON).
/// - `B` bucket: key, HyperLogLog key, field count, fields and increments, visitor count, visitor ids.
/// - `C` chat: key, audience tag, agent, model, language, hour and day bucket keys
///   (a verdict its feedback left first is counted then).
/// - `F` feedback: chat key, "1" satisfied or "0" not (kept for the chat if it is not there yet).
/// - `E` engagement: page view key, hour and day bucket keys, then `timeSpent` (ms) of an
///   engagement update, or "" for the page view itself. The key holds the page view's
///   buckets (the first op to come sets them) and the time counted so far; an update
///   adds to `engaged` only what its time exceeds that by (the tracker's times are cumulative).
/// - `U` funnel step: visitor key, funnel, its number of steps, the step reached (1-based),
///   the event's time, then for a first step its site and hour and day bucket keys (""
///   for a later step or a closed bucket). `ft|<funnel>` keeps each step's event times
///   (`;` between steps, `,` between times); the steps reached are the chain of earliest
///   times in order (step k's earliest time at or after step k−1's), and `f|<funnel>`
///   holds `<steps reached>\x1f<entry time>\x1f<site>\x1f<hour key>\x1f<day key>`. Each
///   step reached counts once in its row (`h|funnel|n|<funnel>\x1f<step>`) of the entry
///   buckets, so the buckets hold cohorts; an earlier first step that comes late moves
///   the visitor's rows to its buckets.
import SluiceRollups

enum DerivedStepScript {
    /// The field of every changed hash holding the sequence number of its last change.
    static let versionField = "~seq"

    /// The session dimensions counted at a session's start, in the order `S` sends them.
    static let landingDimensions: [RollupDimension] = [.referrer, .channel, .utmSource, .utmMedium, .utmCampaign, .deviceType, .browser, .os]

    static let source = """
        #!lua flags=allow-oom
        local group, now, window, cap, chatTTL, pageTTL = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
        local changedAt = ARGV[7]
        local DIMS = {\(landingDimensions.map { "'\($0.rawValue)'" }.joined(separator: ", "))}
        local n = tonumber(ARGV[8])
        local acked = {}
        for i = 9, 8 + n do
          if #redis.call('XPENDING', KEYS[1], group, ARGV[i], ARGV[i], 1) == 0 then acked[#acked + 1] = ARGV[i] end
        end
        if #acked > 0 then table.insert(acked, 1, 'acked'); return acked end
        for i = 9, 8 + n, 500 do redis.call('XACK', KEYS[1], group, unpack(ARGV, i, math.min(i + 499, 8 + n))) end
        local seq = redis.call('INCR', KEYS[3])
        local dirtied = {}
        local function dirty(key)
          if not dirtied[key] then
            dirtied[key] = true
            redis.call('PERSIST', key)
            redis.call('ZADD', KEYS[2], 'NX', changedAt, key)
            redis.call('HSET', key, '\(versionField)', seq)
          end
        end
        local function open(bucket)
          if bucket == '' then return false end
          local gran, start = string.match(bucket, '}:([hd]):(%-?%d+):')
          if not gran then return false end
          local span = gran == 'h' and 3600000 or 86400000
          return tonumber(start) + span + window > now
        end
        -- The value each row counts under in each bucket: itself, or '(other)' past the cap
        -- (a row exists once its count field does). Known rows are not looked up again.
        local rows = {}
        local function row(bucket, field, by)
          local who, dim, metric, value = string.match(field, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
          if who then
            local id = bucket .. '|' .. who .. '|' .. dim .. '|' .. value
            local counted = rows[id]
            if not counted then
              counted = value
              if redis.call('HEXISTS', bucket, who .. '|' .. dim .. '|n|' .. value) == 0 then
                if redis.call('HINCRBY', bucket, who .. '|' .. dim .. '|#', 1) > cap then counted = '(other)' end
                if metric ~= 'n' then redis.call('HINCRBY', bucket, who .. '|' .. dim .. '|n|' .. counted, 0) end
              end
              rows[id] = counted
            end
            field = who .. '|' .. dim .. '|' .. metric .. '|' .. counted
          end
          redis.call('HINCRBY', bucket, field, by)
          dirty(bucket)
        end
        local function none(v) if not v or v == '' then return '(none)' end return v end
        local function bothBuckets(hour, day, fn)
          if open(hour) then fn(hour) end
          if open(day) then fn(day) end
        end
        local i = 9 + n
        local function take() local v = ARGV[i]; i = i + 1; return v end
        while i <= #ARGV do
          local op = take()
          if op == 'V' then
            local key, first, last, pv, device, users, seeded = take(), tonumber(take()), tonumber(take()), tonumber(take()), take(), take(), take()
            local cur = redis.call('HMGET', key, 'first', 'last', 'users', 'pv')
            if not cur[1] then
              if seeded == '1' then
                redis.call('HSET', key, 'first', take(), 'last', take(), 'visits', take(), 'pv', take(), 'ret', take(), 'users', take(), 'stored', '1')
                for _ = 1, tonumber(take()) do
                  local field = take()
                  redis.call('HSET', key, field, take())
                end
                cur = redis.call('HMGET', key, 'first', 'last', 'users', 'pv')
              else
                redis.call('HSET', key, 'visits', 0, 'ret', '0')
                cur = {tostring(first), tostring(last), '', '0'}
              end
            elseif seeded == '1' then
              for _ = 1, 6 do take() end
              for _ = 1, 2 * tonumber(take()) do take() end
            end
            local list = cur[3] or ''
            if users ~= '' then
              local have, count = {}, 0
              for u in string.gmatch(list, '[^\\31]+') do have[u] = true; count = count + 1 end
              for u in string.gmatch(users, '[^\\31]+') do
                if not have[u] and count < \(VisitorState.maxUserIds) then
                  list = (list == '' and u) or (list .. '\\31' .. u); have[u] = true; count = count + 1
                end
              end
            end
            redis.call('HSET', key, 'first', math.min(first, tonumber(cur[1])), 'last', math.max(last, tonumber(cur[2])),
              'pv', tonumber(cur[4]) + pv, 'users', list)
            if device ~= '' then redis.call('HSET', key, 'device', device) end
            dirty(key)
          elseif op == 'S' then
            local key, vkey, sid, first, last = take(), take(), take(), tonumber(take()), tonumber(take())
            local pv, ev, entryAt, entry, exitAt, exit, user = tonumber(take()), tonumber(take()), tonumber(take()), take(), tonumber(take()), take(), take()
            local hour, day, landing = take(), take(), take()
            local dims = {}
            for d = 1, 8 do dims[d] = take() end
            local seeded = take()
            local seed = {}
            if seeded == '1' then for s = 1, 8 do seed[s] = take() end end
            if redis.call('EXISTS', key) == 0 then
              if seeded == '1' then
                redis.call('HSET', key, 'visitor', vkey, 'start', seed[1], 'last', seed[2], 'pv', seed[3], 'ev', seed[4], 'entry', seed[5],
                  'exit', seed[6], 'landing', seed[8], 'hour', hour, 'day', day, 'stored', '1')
                -- The stored pages are the earliest and latest: only an earlier or later page view replaces them.
                if seed[5] ~= '' then redis.call('HSET', key, 'entryAt', seed[1]) end
                if seed[6] ~= '' then redis.call('HSET', key, 'exitAt', seed[2]) end
                if seed[7] ~= '' then redis.call('HSET', key, 'end', seed[7]) end
              else
                redis.call('HSET', key, 'visitor', vkey, 'start', first, 'last', first, 'pv', 0, 'ev', 0, 'entry', '', 'exit', '',
                  'landing', landing, 'hour', hour, 'day', day)
                redis.call('HINCRBY', vkey, 'visits', 1)
                local visits = redis.call('HGET', vkey, 'visits')
                if tonumber(visits) > 1 then redis.call('HSET', vkey, 'ret', '1') end
                local previous = redis.call('HGET', vkey, 'cur')
                if previous and previous ~= sid then
                  local pkey = string.sub(key, 1, #key - #sid) .. previous
                  local p = redis.call('HMGET', pkey, 'last', 'end')
                  if p[1] and not p[2] then redis.call('HSET', pkey, 'end', p[1]); dirty(pkey) end
                end
                redis.call('HSET', vkey, 'cur', sid)
                dirty(vkey)
                bothBuckets(hour, day, function(b)
                  redis.call('HINCRBY', b, 'h|sessions', 1); redis.call('HINCRBY', b, 'h|bounces', 1)
                  row(b, 'h|entryPage|n|(none)', 1); row(b, 'h|exitPage|n|(none)', 1)
                  for d = 1, 8 do row(b, 'h|' .. DIMS[d] .. '|n|' .. dims[d], 1) end
                end)
              end
            end
            local st = redis.call('HMGET', key, 'start', 'last', 'pv', 'entryAt', 'entry', 'exitAt', 'exit', 'end', 'hour', 'day', 'ev')
            local start0, last0, pv0 = tonumber(st[1]), tonumber(st[2]), tonumber(st[3])
            local start1, last1 = math.min(start0, first), math.max(last0, last)
            local hourB, dayB = st[9] or '', st[10] or ''
            -- Every field this event changes, set in one command at the end.
            local set = {'start', start1, 'last', last1, 'pv', pv0 + pv, 'ev', tonumber(st[11]) + ev}
            local grown = (last1 - start1) - (last0 - start0)
            bothBuckets(hourB, dayB, function(b)
              if grown ~= 0 then redis.call('HINCRBY', b, 'h|duration', grown); dirty(b) end
              if pv0 < 2 and pv0 + pv >= 2 then redis.call('HINCRBY', b, 'h|bounces', -1); dirty(b) end
            end)
            if entry ~= '' and (not st[4] or entryAt < tonumber(st[4])) then
              if none(st[5]) ~= entry then
                bothBuckets(hourB, dayB, function(b)
                  row(b, 'h|entryPage|n|' .. none(st[5]), -1); row(b, 'h|entryPage|n|' .. entry, 1)
                end)
              end
              table.insert(set, 'entryAt'); table.insert(set, entryAt); table.insert(set, 'entry'); table.insert(set, entry)
            end
            if exit ~= '' and (not st[6] or exitAt >= tonumber(st[6])) then
              if none(st[7]) ~= exit then
                bothBuckets(hourB, dayB, function(b)
                  row(b, 'h|exitPage|n|' .. none(st[7]), -1); row(b, 'h|exitPage|n|' .. exit, 1)
                end)
              end
              table.insert(set, 'exitAt'); table.insert(set, exitAt); table.insert(set, 'exit'); table.insert(set, exit)
            end
            if user ~= '' then table.insert(set, 'user'); table.insert(set, user) end
            if st[8] and last1 > tonumber(st[8]) then table.insert(set, 'end'); table.insert(set, last1) end
            redis.call('HSET', key, unpack(set))
            dirty(key)
          elseif op == 'B' then
            local key, hll, count = take(), take(), tonumber(take())
            for _ = 1, count do
              local field, by = take(), tonumber(take())
              if string.find(field, '|', 3, true) then row(key, field, by) else redis.call('HINCRBY', key, field, by) end
            end
            local visitors = tonumber(take())
            if visitors > 0 then
              redis.call('PFADD', hll, unpack(ARGV, i, i + visitors - 1))
              redis.call('PERSIST', hll)
              i = i + visitors
            end
            dirty(key)
          elseif op == 'C' then
            local key, who, agent, model, language, hour, day = take(), take(), take(), take(), take(), take(), take()
            local c = redis.call('HMGET', key, 'who', 'sat')
            if not c[1] then
              redis.call('HSET', key, 'who', who, 'agent', agent, 'model', model, 'language', language, 'hour', hour, 'day', day)
              -- Feedback that came first left its verdict: counted now, on the chat's rows.
              if c[2] then
                bothBuckets(hour, day, function(b)
                  for _, pair in ipairs({{'agent', agent}, {'model', model}, {'language', language}}) do
                    row(b, who .. '|' .. pair[1] .. '|' .. (c[2] == '1' and 'satisfied' or 'unsatisfied') .. '|' .. pair[2], 1)
                  end
                end)
              end
            end
            redis.call('EXPIRE', key, chatTTL)
          elseif op == 'F' then
            local key, satisfied = take(), take()
            local c = redis.call('HMGET', key, 'who', 'agent', 'model', 'language', 'hour', 'day', 'sat')
            if not c[1] then
              -- The chat is not here yet: its verdict waits for it.
              redis.call('HSET', key, 'sat', satisfied)
              redis.call('EXPIRE', key, chatTTL)
            elseif c[7] ~= satisfied then
              bothBuckets(c[5], c[6], function(b)
                for d, dim in ipairs({'agent', 'model', 'language'}) do
                  local value = c[1 + d]
                  if c[7] then row(b, c[1] .. '|' .. dim .. '|' .. (c[7] == '1' and 'satisfied' or 'unsatisfied') .. '|' .. value, -1) end
                  row(b, c[1] .. '|' .. dim .. '|' .. (satisfied == '1' and 'satisfied' or 'unsatisfied') .. '|' .. value, 1)
                end
              end)
              redis.call('HSET', key, 'sat', satisfied)
            end
          elseif op == 'E' then
            local key, hour, day, spent = take(), take(), take(), take()
            local e = redis.call('HMGET', key, 'hour', 'day', 't')
            if not e[1] then
              redis.call('HSET', key, 'hour', hour, 'day', day, 't', 0)
              e = {hour, day, '0'}
            end
            if spent ~= '' then
              local grown = tonumber(spent) - tonumber(e[3])
              if grown > 0 then
                redis.call('HSET', key, 't', spent)
                bothBuckets(e[1], e[2], function(b) redis.call('HINCRBY', b, 'h|engaged', grown); dirty(b) end)
              end
            end
            redis.call('EXPIRE', key, pageTTL)
          elseif op == 'U' then
            local key, funnel, count, step, at = take(), take(), tonumber(take()), tonumber(take()), tonumber(take())
            local site, hour, day = take(), take(), take()
            local field, timesField = '\(Funnel.visitorFieldPrefix)' .. funnel, '\(Funnel.visitorTimesFieldPrefix)' .. funnel
            local cur = redis.call('HMGET', key, field, timesField)
            -- Each step's event times, this one added; the steps reached are worked out from
            -- them in time order, so an event counted late (a claimed batch) takes its place.
            local times, s = {}, 1
            for part in string.gmatch((cur[2] or '') .. ';', '([^;]*);') do
              local list = {}
              for t in string.gmatch(part, '[^,]+') do list[#list + 1] = tonumber(t) end
              times[s] = list; s = s + 1
            end
            for k = s, count do times[k] = {} end
            table.insert(times[step], at)
            local reached, chain = 0, {}
            for k = 1, count do
              local best
              for _, t in ipairs(times[k]) do
                if (k == 1 or t >= chain[k - 1]) and (not best or t < best) then best = t end
              end
              if not best then break end
              chain[k] = best; reached = k
            end
            -- Kept per step: the latest \(Funnel.keptTimes) times not after the step's own (a step not reached: any).
            local parts = {}
            for k = 1, count do
              local list = {}
              for _, t in ipairs(times[k]) do if not chain[k] or t <= chain[k] then list[#list + 1] = t end end
              table.sort(list)
              local kept = {}
              for j = 1, #list do if list[j] ~= list[j + 1] then kept[#kept + 1] = list[j] end end
              parts[k] = table.concat(kept, ',', math.max(1, #kept - \(Funnel.keptTimes - 1)), #kept)
            end
            redis.call('HSET', key, timesField, table.concat(parts, ';'))
            local old, oldAt, oldSite, oldHour, oldDay = 0, nil, '', '', ''
            if cur[1] then
              local r, a, st, h, d = string.match(cur[1], '^(%d+)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31(.*)$')
              old, oldAt, oldSite, oldHour, oldDay = tonumber(r), tonumber(a), st, h, d
            end
            local function count_rows(h, d, from, to, by)
              for k = from, to do bothBuckets(h, d, function(b) row(b, 'h|funnel|n|' .. funnel .. '\\31' .. k, by) end) end
            end
            if reached > 0 then
              local entrySite, entryHour, entryDay = oldSite, oldHour, oldDay
              if chain[1] ~= oldAt then
                -- Entered earlier than counted (this first step came late): the cohort moves to its buckets.
                entrySite, entryHour, entryDay = site, hour, day
                count_rows(oldHour, oldDay, 1, old, -1)
                count_rows(hour, day, 1, reached, 1)
              else
                count_rows(oldHour, oldDay, old + 1, reached, 1)
              end
              redis.call('HSET', key, field, reached .. '\\31' .. chain[1] .. '\\31' .. entrySite .. '\\31' .. entryHour .. '\\31' .. entryDay)
            end
            dirty(key)
          else
            return redis.error_reply('unknown derived operation ' .. tostring(op))
          end
        end
        return {'ok'}
        """
}
