-- wrk script for the TokenPay bench: POSTs pre-signed PayerMax requests read from the file named by the
-- BODIES environment variable (one "signature<TAB>body" per line). Each wrk thread takes its own share of
-- the lines, so with reuse=0 every request is sent once (MIT: every request a new order); with reuse=1 a
-- thread cycles over its share (orderQuery). wrk asks for one request before the run and never sends it,
-- so the first line is skipped by the run, not sent. An answer counts as an error unless it is HTTP 200 and
-- contains EXPECT. done() prints one JSON line the bench reads.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(os.getenv("THREADS"))
  local reuse = os.getenv("REUSE") == "1"
  expect = os.getenv("EXPECT")
  signs, bodies, errors, exhausted = {}, {}, 0, 0
  local n = 0
  for line in io.lines(os.getenv("BODIES")) do
    if n % total == id then
      local tab = line:find("\t", 1, true)
      table.insert(signs, line:sub(1, tab - 1))
      table.insert(bodies, line:sub(tab + 1))
    end
    n = n + 1
  end
  next_index, reuse_all = 1, reuse
end

function request()
  if next_index > #bodies then
    if not reuse_all then
      exhausted = exhausted + 1
    end
    next_index = 1
  end
  local i = next_index
  next_index = next_index + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["sign"] = signs[i] }, bodies[i])
end

function response(status, headers, body)
  if status ~= 200 or not body:find(expect, 1, true) then
    errors = errors + 1
    if first_error == nil then first_error = (status .. " " .. body:sub(1, 160)):gsub("[\r\n\"\\]", " ") end
  end
end

function done(summary, latency, requests)
  local errs, exh, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    errs = errs + thread:get("errors")
    exh = exh + thread:get("exhausted")
    local f = thread:get("first_error")
    if f ~= nil and first == "" then first = f end
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('BENCH {"requests":%d,"seconds":%.3f,"p50":%.3f,"p95":%.3f,"p99":%.3f,"errors":%d,"socketErrors":%d,"non2xx":%d,"exhausted":%d,"firstError":%q}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errs, socket, summary.errors.status, exh, first))
end
