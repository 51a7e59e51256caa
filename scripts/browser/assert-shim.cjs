// Node's `assert` as Babel calls it (`assert(value, message)`): an invariant check, nothing more.
// CommonJS, because Babel requires it and calls what `require` returns.
function assert(value, message) {
  if (!value) throw new Error(message ?? 'Assertion failed')
}
assert.ok = assert
module.exports = assert
