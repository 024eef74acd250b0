-- wrk script for the "many users" cases: the requests go round a list of distinct session
-- cookies (one per line of BENCH_COOKIES_FILE), as from that many users, instead of the same
-- cookie every time. With more users than a verified-token memo holds, every request is
-- verified in full.
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES_FILE")) do
  cookies[#cookies + 1] = line
end
local i = 0

function request()
  i = i % #cookies + 1
  return wrk.format(nil, nil, { ["Cookie"] = cookies[i] })
end
