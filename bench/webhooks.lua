-- wrk script: POST one signed Zalo `user_send_text` per request, each with its own msg_id.
-- wrk's Lua has no SHA-256, so bench/webhooks.py pre-signs the events into a file of
-- "<X-ZEvent-Signature>\t<body>" lines; this script sends them in order, one thread only.
-- Usage: wrk -t1 ... -s bench/webhooks.lua URL -- <events file>

signatures, bodies, count, next_index = {}, {}, 0, 0 -- globals: done() reads them per thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\t", 1, true)
    count = count + 1
    signatures[count] = line:sub(1, tab - 1)
    bodies[count] = line:sub(tab + 1)
  end
end

function request()
  next_index = next_index + 1
  local i = next_index
  if i > count then i = count end -- exhausted: the last event again (a duplicate; reported)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-ZEvent-Signature"] = signatures[i],
  }, bodies[i])
end

function done(summary, latency, requests)
  local sent = threads[1]:get("next_index")
  local available = threads[1]:get("count")
  local non2xx = summary.errors.status
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d non2xx=%d socket_errors=%d duration_us=%d p50_us=%d p99_us=%d sent=%d available=%d\n",
    summary.requests, non2xx, socket, summary.duration,
    latency:percentile(50), latency:percentile(99), sent, available))
end
