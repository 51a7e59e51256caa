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

/** Payloads made by `payloadBuffer`, whose envelope header fits in the bytes before them. */
const roomy = new WeakSet<Uint8Array>()

/**
 * A payload of `length` bytes with room for its envelope in front: `seal` fills that in and copies
 * nothing (a large build's entry would otherwise be copied whole once more, and held twice).
 */
export function payloadBuffer(length: number): Uint8Array {
  const payload = new Uint8Array(HEADER + length).subarray(HEADER)
  roomy.add(payload)
  return payload
}

export function seal(payload: Uint8Array, hash: HashHex): Uint8Array {
  const digest = hexToBytes(hash(payload))
  const inPlace = roomy.delete(payload)
  const out = inPlace
    ? new Uint8Array(payload.buffer, payload.byteOffset - HEADER, HEADER + payload.length)
    : new Uint8Array(HEADER + payload.length)
  out.set(MAGIC, 0)
  out.set(digest, MAGIC.length)
  if (!inPlace) out.set(payload, HEADER)
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
