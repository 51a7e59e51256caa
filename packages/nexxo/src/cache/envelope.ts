// The bytes a cache value is stored as: `NXC1` magic, then the 32-byte BLAKE3 of the payload, then
// the payload. A value that fails to unwrap (truncated, flipped, from another format) is never
// returned.

const MAGIC = [0x4e, 0x58, 0x43, 0x31] // "NXC1": bump with the format
const HASH_BYTES = 32
const HEADER = MAGIC.length + HASH_BYTES

export type HashHex = (bytes: Uint8Array) => string

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function seal(payload: Uint8Array, hash: HashHex): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length)
  out.set(MAGIC, 0)
  out.set(hexToBytes(hash(payload)), MAGIC.length)
  out.set(payload, HEADER)
  return out
}

/** The payload, or undefined when the stored bytes are not an intact envelope. */
export function open(stored: Uint8Array, hash: HashHex): Uint8Array | undefined {
  if (stored.length < HEADER || MAGIC.some((b, i) => stored[i] !== b)) return undefined
  const payload = stored.subarray(HEADER)
  const expected = hexToBytes(hash(payload))
  for (let i = 0; i < HASH_BYTES; i++) if (stored[MAGIC.length + i] !== expected[i]) return undefined
  return payload
}
