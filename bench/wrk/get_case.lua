-- GET one case by id, a random one of the ids listed in the file BENCH_IDS.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1"))

request = function()
  return wrk.format("GET", "/api/v1/support-cases/" .. ids[math.random(#ids)])
end
