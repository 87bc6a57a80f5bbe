-- editio's pandoc session: one pandoc process answers every request of a build, one JSON object per line.
-- Requests: {"op":"read","text":…,"from":…} → the document as pandoc JSON;
--           {"op":"citeproc","doc":…} → the document after citation processing;
--           {"op":"version"} → pandoc's version.
-- Every answer is {"ok":…} or {"error":"message"}.
local function answer(value)
  io.stdout:write(pandoc.json.encode(value), "\n")
  io.stdout:flush()
end

local function handle(request)
  if request.op == "read" then
    local doc = pandoc.read(request.text, request.from)
    return pandoc.write(doc, "json")
  elseif request.op == "citeproc" then
    local doc = pandoc.read(request.doc, "json")
    return pandoc.write(pandoc.utils.citeproc(doc), "json")
  elseif request.op == "version" then
    return tostring(PANDOC_VERSION)
  end
  error("unknown request " .. tostring(request.op))
end

for line in io.lines() do
  local ok, request = pcall(pandoc.json.decode, line, false)
  if not ok then
    answer({error = "bad request: " .. tostring(request)})
  else
    local done, result = pcall(handle, request)
    if done then answer({ok = result}) else answer({error = tostring(result)}) end
  end
end
