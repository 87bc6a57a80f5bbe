-- editio's pandoc session: one pandoc process answers every request of a build, one JSON object per line.
-- Requests: {"op":"read","text":…,"from":…} → the document as pandoc JSON;
--           {"op":"citeproc","doc":…} → the document after citation processing;
--           {"op":"math","formulas":[{"tex":…,"display":…}]} → the indices of formulas typst cannot show;
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
  elseif request.op == "math" then
    -- which TeX formulas pandoc's converter cannot turn into typst (it then prints the TeX source)
    local failing = {}
    for i, item in ipairs(request.formulas) do
      local kind = item.display and "DisplayMath" or "InlineMath"
      local out = pandoc.write(pandoc.Pandoc({pandoc.Plain({pandoc.Math(kind, item.tex)})}), "typst")
      if out:match("^%s*\\%$") then table.insert(failing, i - 1) end
    end
    return failing
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
