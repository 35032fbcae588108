-- The read side of the mixed run: three in four GET a case by id, one in four the first page.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1"))

request = function()
  if math.random(4) == 1 then
    return wrk.format("GET", "/api/v1/support-cases?limit=25")
  end
  return wrk.format("GET", "/api/v1/support-cases/" .. ids[math.random(#ids)])
end
