-- Each request a query the server has not seen: the same query text with a SPARQL comment
-- of its own appended, so no answer cache can serve it and the engine parses it anew.
-- wrk runs this script in each of its threads; the random part keeps the threads apart.
local counter = 0
local thread_tag = tostring(math.random(1, 2 ^ 30))

request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "%0A%23" .. thread_tag .. "-" .. counter)
end
