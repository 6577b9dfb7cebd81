-- Headless end-to-end check of editors/neovim/lsp/electra_lsp.lua against the real server.
-- Run by tests/e2e/test_neovim_e2e.py:  nvim --headless --clean -l e2e.lua PARAMS.json
-- PARAMS.json: {setup: 'enable'|'start', runtime, snippet, cmd: [...], cmd_env: {...},
--               document, prose_line, prose_col, expected_fixed, code_line, expected_code,
--               text_document, result, timeout_ms}
-- Opens the Markdown document, waits for the diagnostics, asserts what it can, applies the
-- preferred quick fix, waits for the diagnostics to clear, and writes everything it saw to
-- `result` (JSON) for pytest to report. Exits non-zero on any failed expectation.

local params = vim.json.decode(table.concat(vim.fn.readfile(arg[1]), '\n'))
local timeout = params.timeout_ms or 60000
local result = { steps = {}, errors = {} }

local function write_result()
  vim.fn.writefile({ vim.json.encode(result) }, params.result)
end

local function step(name, value)
  table.insert(result.steps, name)
  if value ~= nil then
    result[name] = value
  end
end

local function fail(message)
  table.insert(result.errors, message)
  write_result()
  io.stderr:write('e2e: ' .. message .. '\n')
  os.exit(1)
end

local function check(condition, message)
  if not condition then
    fail(message)
  end
end

vim.lsp.log.set_level(vim.log.levels.WARN)
if params.setup == 'enable' then
  -- The config under test, from the runtimepath like a user's install; only the command (the
  -- checkout's Python, a scripted model) is overridden, as a user would with vim.lsp.config.
  vim.opt.runtimepath:prepend(params.runtime)
  vim.lsp.config('electra_lsp', {
    cmd = params.cmd,
    cmd_env = params.cmd_env,
    settings = { electraLsp = params.settings },
  })
  local config = vim.lsp.config.electra_lsp
  check(config ~= nil, 'lsp/electra_lsp.lua not found on runtimepath')
  step('config', {
    filetypes = config.filetypes,
    root_markers = config.root_markers,
    settings = config.settings,
    has_before_init = type(config.before_init) == 'function',
  })
  vim.lsp.enable('electra_lsp')
else
  -- The README's vim.lsp.start snippet (FileType autocommand), with the test's command.
  dofile(params.snippet)
end

vim.cmd('filetype on')
vim.cmd.edit(vim.fn.fnameescape(params.document))
local buf = vim.api.nvim_get_current_buf()
check(vim.bo[buf].filetype == 'markdown', 'filetype is ' .. vim.bo[buf].filetype)

local client
check(vim.wait(timeout, function()
  client = vim.lsp.get_clients({ bufnr = buf, name = 'electra_lsp' })[1]
  return client ~= nil and client.initialized
end, 50), 'electra_lsp did not attach/initialize')
step('client', {
  name = client.name,
  offset_encoding = client.offset_encoding,
  root_dir = client.root_dir,
  server_name = client.server_info and client.server_info.name,
  code_action_provider = client.server_capabilities.codeActionProvider ~= nil,
})

local function diagnostics()
  return vim.diagnostic.get(buf)
end

check(vim.wait(timeout, function()
  return #diagnostics() > 0
end, 50), 'no diagnostics within ' .. timeout .. ' ms')
-- Give a late second publication (e.g. for the code block) a chance to arrive.
vim.wait(1000, function()
  return false
end, 50)

local found = {}
for _, d in ipairs(diagnostics()) do
  table.insert(found, {
    lnum = d.lnum,
    col = d.col,
    end_lnum = d.end_lnum,
    end_col = d.end_col,
    message = d.message,
    source = d.source,
    severity = d.severity,
  })
end
step('diagnostics', found)
check(#found == 1, ('expected exactly 1 diagnostic, got %d'):format(#found))
local diagnostic = diagnostics()[1]
check(diagnostic.lnum == params.prose_line, ('diagnostic on line %d, expected %d'):format(
  diagnostic.lnum, params.prose_line))
check(diagnostic.col == params.prose_col, ('diagnostic at byte column %d, expected %d'):format(
  diagnostic.col, params.prose_col))

local lsp_diagnostic = diagnostic.user_data and diagnostic.user_data.lsp
check(lsp_diagnostic ~= nil, 'diagnostic has no LSP payload')

-- Hover on the flagged character shows the suggestions (K in Neovim).
local hover = client:request_sync('textDocument/hover', {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  position = lsp_diagnostic.range.start,
}, timeout, buf)
check(hover and hover.result and hover.result.contents, 'no hover on the diagnostic')
step('hover', hover.result.contents.value or vim.inspect(hover.result.contents))

-- Ask for the code actions at the diagnostic, as the light bulb / vim.lsp.buf.code_action does.
local response, err = client:request_sync('textDocument/codeAction', {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  range = lsp_diagnostic.range,
  context = { diagnostics = { lsp_diagnostic }, only = { 'quickfix' } },
}, timeout, buf)
check(response ~= nil and response.err == nil,
  'codeAction failed: ' .. vim.inspect(err or (response and response.err)))
local actions = response.result or {}
step('code_actions', vim.tbl_map(function(action)
  return { title = action.title, kind = action.kind, isPreferred = action.isPreferred }
end, actions))

local preferred
for _, action in ipairs(actions) do
  if action.isPreferred and (action.kind or ''):match('^quickfix') then
    preferred = action
    break
  end
end
check(preferred ~= nil, 'no preferred quickfix among ' .. #actions .. ' code actions')
if preferred.edit == nil and client:supports_method('codeAction/resolve') then
  local resolved = client:request_sync('codeAction/resolve', preferred, timeout, buf)
  check(resolved and resolved.result, 'codeAction/resolve failed')
  preferred = resolved.result
end
check(preferred.edit ~= nil, 'the preferred quickfix carries no edit')
vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
step('lines_after_fix', lines)
check(lines[params.prose_line + 1] == params.expected_fixed,
  'after the fix the line is ' .. lines[params.prose_line + 1])
check(lines[params.code_line + 1] == params.expected_code,
  'the code block changed: ' .. lines[params.code_line + 1])

-- The edit reaches the server as didChange; the diagnostic must go away.
check(vim.wait(timeout, function()
  return #diagnostics() == 0
end, 50), 'the diagnostic stayed after the fix')
step('diagnostics_cleared', true)

-- A plain-text file (filetype "text", LSP language id "plaintext") is checked too.
vim.cmd.edit(vim.fn.fnameescape(params.text_document))
local text_buf = vim.api.nvim_get_current_buf()
check(vim.bo[text_buf].filetype == 'text', 'filetype is ' .. vim.bo[text_buf].filetype)
check(vim.wait(timeout, function()
  return #vim.diagnostic.get(text_buf) > 0
end, 50), 'no diagnostics for the plain-text file')
step('text_diagnostics', vim.tbl_map(function(d)
  return { lnum = d.lnum, col = d.col, end_col = d.end_col }
end, vim.diagnostic.get(text_buf)))
step('text_clients', #vim.lsp.get_clients({ bufnr = text_buf, name = 'electra_lsp' }))

-- The buffer-local commands of lsp/electra_lsp.lua (only with vim.lsp.enable).
if params.setup == 'enable' then
  local notes = {}
  vim.notify = function(message)
    table.insert(notes, message)
  end
  vim.cmd('ElectraLspStatus')
  check(vim.wait(timeout, function()
    return #notes > 0
  end, 50), ':ElectraLspStatus said nothing')
  step('status_note', notes[1])
  vim.cmd('ElectraLspFixAll')
  check(vim.wait(timeout, function()
    return #notes > 1
  end, 50), ':ElectraLspFixAll said nothing')
  step('fix_all_note', notes[2])
  step('text_after_fix_all', vim.api.nvim_buf_get_lines(text_buf, 0, -1, false))
  vim.cmd('ElectraLspCheck')
  check(vim.wait(timeout, function()
    return #notes > 2
  end, 50), ':ElectraLspCheck said nothing')
  step('check_note', notes[3])
end

client:stop()
step('stopped', vim.wait(5000, function()
  return client:is_stopped()
end, 50))
result.ok = #result.errors == 0
write_result()
os.exit(result.ok and 0 or 1)
