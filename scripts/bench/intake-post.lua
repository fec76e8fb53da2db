-- wrk script: POST /api/contact with a different valid enquiry every time, counting 201s.
counter = 0
created = 0  -- globals: done() reads them per thread with thread:get
others = 0
ids = {}     -- every id returned with a 201, checked against the database afterwards
local threads = {}
local interests = {"Business Strategy", "Operations & Process", "Marketing & Growth", "Other"}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local n = id * 10000000 + counter
  local body = string.format(
    '{"first_name":"Bench%d","last_name":"Lead","email":"lead%d@example.com","phone":"+1 415 %03d %04d",' ..
    '"company":"Company %d","service_interest":"%s","message":"Hello,\\nI would like to talk about project %d.","consent":true}',
    n, n, 200 + (n % 700), n % 10000, n % 97, interests[(n % #interests) + 1], n)
  return wrk.format(nil, "/api/contact", nil, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    ids[#ids + 1] = tonumber(string.match(body, '"id":(%d+)'))
  else
    others = others + 1
  end
end

function done(summary, latency, requests)
  local total_created, total_others = 0, 0
  local out = io.open(os.getenv("IDS_FILE"), "w")
  for _, thread in ipairs(threads) do
    total_created = total_created + thread:get("created")
    total_others = total_others + thread:get("others")
    for _, id in ipairs(thread:get("ids")) do out:write(id, "\n") end
  end
  out:close()
  io.write(string.format("CREATED %d\nOTHER %d\n", total_created, total_others))
end
