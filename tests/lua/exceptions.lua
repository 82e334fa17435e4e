-- Lua's error handling runs on C's setjmp/longjmp (ldo.c): every error,
-- pcall, xpcall and coroutine below crosses a longjmp. sysroot/tests/lua.rs
-- runs this file with a native build and the wasit2 builds of the same Lua
-- source and compares the output byte for byte.

local function show(...)
  local parts = {}
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    parts[#parts + 1] = type(v) == 'table' and ('table:' .. tostring(v.code)) or tostring(v)
  end
  print(table.concat(parts, ' | '))
end

print('-- pcall and error')
show(pcall(function() return 1, 2, 3 end))
show(pcall(error, 'plain message', 0))
show(pcall(function() error('with position') end))
show(pcall(function() error('level two', 2) end))
show(pcall(function() error({code = 42}) end))
show(pcall(function() error() end))
show(pcall(function() local t = nil; return t.field end))
show(pcall(function() return 1 + {} end))
show(pcall(function() return #nil end))
show(pcall(string.rep))
show(pcall(setmetatable, 1, {}))

print('-- error objects with metatables')
local E = setmetatable({}, {__tostring = function(e) return 'E<' .. e.msg .. '>' end})
local ok, err = pcall(function() error(setmetatable({msg = 'custom'}, getmetatable(E))) end)
print(ok, tostring(err), getmetatable(err) == getmetatable(E))

print('-- nested pcall, errors in handlers')
show(pcall(function()
  local a = {pcall(function() error('inner', 0) end)}
  error('outer after ' .. tostring(a[2]), 0)
end))
show(pcall(pcall, error, 'deep', 0))
local depth = 0
local function nest(n)
  if n == 0 then error('bottom ' .. depth, 0) end
  depth = depth + 1
  local ok, e = pcall(nest, n - 1)
  error(e .. '<' .. n, 0)
end
show(pcall(nest, 20))

print('-- xpcall')
show(xpcall(function() error('boom', 0) end, function(m) return 'handled: ' .. m end))
show(xpcall(function(a, b) return a + b end, print, 40, 2))
show(xpcall(function() error('first', 0) end, function(m) error('handler fails', 0) end))
show(xpcall(function() local x = {} .. 1 end, function(m) return (m:gsub('^.-:%d+: ', '')) end))

print('-- errors in loaded chunks')
show(load('return 1 +'))
show(pcall(load('error("from chunk", 1)', '=chunk')))
show(pcall(load('local x = 1; x()', '=called')))

print('-- coroutines')
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local ok, v = pcall(function()
    local got = coroutine.yield('inside pcall')
    error('after yield: ' .. got, 0)
  end)
  local d = coroutine.yield(tostring(ok) .. ' ' .. v)
  return c * d
end)
show(coroutine.resume(co, 1, 2))
show(coroutine.resume(co, 10))
show(coroutine.resume(co, 'resumed'))
show(coroutine.resume(co, 7))
show(coroutine.resume(co))
print(coroutine.status(co))

local failing = coroutine.create(function() coroutine.yield(1); error('in coroutine', 0) end)
show(coroutine.resume(failing))
show(coroutine.resume(failing))
print(coroutine.status(failing))

local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(i * i) end
  error('generator done', 0)
end)
show(gen(), gen(), gen())
show(pcall(gen))

-- yield across pcall, from a nested coroutine, and through a metamethod
local outer = coroutine.wrap(function()
  local inner = coroutine.wrap(function()
    for i = 1, 2 do
      local ok, e = pcall(function() coroutine.yield('inner ' .. i); error('e' .. i, 0) end)
      coroutine.yield('caught ' .. e)
    end
  end)
  for _ = 1, 4 do coroutine.yield('outer got ' .. inner()) end
end)
for _ = 1, 4 do print(outer()) end

local mt = {__index = function(t, k) return coroutine.yield('index ' .. k) end}
local co2 = coroutine.wrap(function() local t = setmetatable({}, mt); return 'got ' .. t.key end)
print(co2())
print(co2('value'))

local closing = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() print('closed') end}); coroutine.yield() end)
coroutine.resume(closing)
show(coroutine.close(closing))
print(coroutine.isyieldable(), select(2, coroutine.running()))

print('-- many errors (each one a longjmp)')
local count, sum = 0, 0
for i = 1, 20000 do
  local ok, v = pcall(function() if i % 3 == 0 then error(i, 0) end return i end)
  if ok then sum = sum + v else count = count + 1 end
end
print(count, sum)
local function recurse(n) return n == 0 and 0 or 1 + recurse(n - 1) end
show(pcall(recurse, 10000))
local ok2, msg2 = pcall(function() local function f() return f() + 1 end return f() end)
print(ok2, (msg2:gsub('^.-:%d+: ', '')))
local ok3, msg3 = pcall(string.rep, 'x', -1)
print(ok3, #msg3)

print('-- string and table libraries')
print(string.format('%5.2f|%-6d|%x|%q|%s', math.pi, 42, 255, 'a\nb"c', nil))
print(('hello world from lua'):gsub('(%w+)', '<%1>'))
print(string.find('abc [tag] def', '%[(%a+)%]'))
for k, v in string.gmatch('a=1, b=22, c=333', '(%w+)=(%w+)') do io.write(k, ':', v, ' ') end
print()
print(string.rep('ab', 3, '-'), ('Lua'):upper(), ('x'):byte(), string.char(76, 117, 97))
print(utf8.char(72, 228, 8364, 128512), utf8.len('häl€'))
local t = {5, 2, 8, 1, 9, 3}
table.sort(t)
print(table.concat(t, ','))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, ','))
show(pcall(table.sort, {3, 1, 2}, function(a, b) error('bad compare', 0) end))
show(pcall(table.sort, {1, 'x', 2}))
print(table.unpack({1, 2, 3}))
table.insert(t, 1, 0); table.remove(t); print(#t, t[1], t[#t])
print(table.move({1, 2, 3}, 1, 3, 2)[3], select('#', table.unpack({}, 1, 3)))
print(math.maxinteger, math.mininteger, 7 // 2, 7 % -3, 2^53, 1e100)
print(math.type(1), math.type(1.0), math.tointeger(3.0), 10 / 4, 3 | 5, ~0)
print(tostring(0/0) == tostring(0/0), math.huge, -math.huge)
print(string.pack and #string.pack('i4i8', 1, 2), string.unpack('<i2', '\1\2'))
print(os.date('!%Y-%m-%d %H:%M:%S', 86400 * 366 + 3661))
print(tostring(nil), tostring(true), tonumber('0x10'), tonumber('10', 2), tonumber('z', 36))
-- os.tmpname through the libc's tmpnam: a fresh name each call.
local n1, n2 = os.tmpname(), os.tmpname()
print(type(n1), n1 ~= n2)
print('done')
