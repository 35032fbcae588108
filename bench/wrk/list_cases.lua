-- GET the first page: the 25 newest cases.
request = function()
  return wrk.format("GET", "/api/v1/support-cases?limit=25")
end
