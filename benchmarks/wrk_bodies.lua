-- wrk script: POST pre-signed requests from a file, one unique message per request.
-- Each line of the file is "<path-with-query>\t<body>"; thread k takes lines k, k+T, ...
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  paths, bodies = {}, {}
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    local tab = line:find("\t", 1, true)
    table.insert(paths, line:sub(1, tab - 1))
    table.insert(bodies, line:sub(tab + 1))
  end
  f:close()
  nthreads = tonumber(args[2])
  position = id
  wrapped = 0
end

function request()
  if position > #paths then
    position = id
    wrapped = wrapped + 1
  end
  local i = position
  position = position + nthreads
  return wrk.format("POST", paths[i], {["Content-Type"] = "text/xml"}, bodies[i])
end

function response(status, headers, body)
  if status ~= 200 then
    errors_seen = (errors_seen or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("errors_seen") or 0)
    if (t:get("wrapped") or 0) > 0 then
      io.write("WARNING: request file exhausted; some messages were repeated\n")
    end
  end
  io.write(string.format("NON200 %d\n", bad))
end
