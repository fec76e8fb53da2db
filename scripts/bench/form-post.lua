-- wrk script: POST /f/contact as a plain HTML form on the site would (urlencoded, with the
-- browser's Origin), a different valid enquiry every time, counting 303s (stored; on to the
-- thank-you page). form-post.sh counts the rows afterwards: every 303 must be one.
counter = 0
stored = 0
others = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Origin"] = os.getenv("ORIGIN")
end

function request()
  counter = counter + 1
  local n = id * 10000000 + counter
  local body = string.format(
    "first_name=Form%d&last_name=Lead&email=form%d%%40example.com&phone=%%2B1+415+%03d+%04d&company=Company+%d" ..
    "&message=Hello%%2C%%0D%%0AI+would+like+to+talk+about+project+%d.&consent=on&budget=5k%%2B&utm_source=bench",
    n, n, 200 + (n % 700), n % 10000, n % 97, n)
  return wrk.format(nil, "/f/contact", nil, body)
end

function response(status, headers, body)
  if status == 303 then stored = stored + 1 else others = others + 1 end
end

function done(summary, latency, requests)
  local total_stored, total_others = 0, 0
  for _, thread in ipairs(threads) do
    total_stored = total_stored + thread:get("stored")
    total_others = total_others + thread:get("others")
  end
  io.write(string.format("STORED %d\nOTHER %d\n", total_stored, total_others))
end
