//! BLAKE3 content hashing, written against the BLAKE3 specification.
//!
//! This portable implementation is the definition both backends hash by; the unit tests pin it to
//! the official test vectors. The core is std-only (it must build with Debian's rustc 1.63 for
//! wasm32), which is why this is not the `blake3` crate. A host that can link that crate (the
//! native addon) registers its SIMD code with [`set_accelerated`] and tests it against this one.

use std::sync::RwLock;

const IV: [u32; 8] = [
    0x6A09_E667,
    0xBB67_AE85,
    0x3C6E_F372,
    0xA54F_F53A,
    0x510E_527F,
    0x9B05_688C,
    0x1F83_D9AB,
    0x5BE0_CD19,
];
const MSG_PERMUTATION: [usize; 16] = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
const BLOCK_LEN: usize = 64;
const CHUNK_LEN: usize = 1024;
const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const PARENT: u32 = 4;
const ROOT: u32 = 8;

/// Length in bytes of the default digest.
pub const OUT_LEN: usize = 32;

#[inline(always)]
fn g(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize, mx: u32, my: u32) {
    s[a] = s[a].wrapping_add(s[b]).wrapping_add(mx);
    s[d] = (s[d] ^ s[a]).rotate_right(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_right(12);
    s[a] = s[a].wrapping_add(s[b]).wrapping_add(my);
    s[d] = (s[d] ^ s[a]).rotate_right(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_right(7);
}

#[inline(always)]
fn round(s: &mut [u32; 16], m: &[u32; 16]) {
    g(s, 0, 4, 8, 12, m[0], m[1]);
    g(s, 1, 5, 9, 13, m[2], m[3]);
    g(s, 2, 6, 10, 14, m[4], m[5]);
    g(s, 3, 7, 11, 15, m[6], m[7]);
    g(s, 0, 5, 10, 15, m[8], m[9]);
    g(s, 1, 6, 11, 12, m[10], m[11]);
    g(s, 2, 7, 8, 13, m[12], m[13]);
    g(s, 3, 4, 9, 14, m[14], m[15]);
}

fn compress(
    cv: &[u32; 8],
    block: &[u32; 16],
    counter: u64,
    block_len: u32,
    flags: u32,
) -> [u32; 16] {
    let mut s = [
        cv[0],
        cv[1],
        cv[2],
        cv[3],
        cv[4],
        cv[5],
        cv[6],
        cv[7],
        IV[0],
        IV[1],
        IV[2],
        IV[3],
        counter as u32,
        (counter >> 32) as u32,
        block_len,
        flags,
    ];
    let mut m = *block;
    for r in 0..7 {
        round(&mut s, &m);
        if r < 6 {
            let mut permuted = [0u32; 16];
            for (i, p) in MSG_PERMUTATION.iter().enumerate() {
                permuted[i] = m[*p];
            }
            m = permuted;
        }
    }
    for i in 0..8 {
        s[i] ^= s[i + 8];
        s[i + 8] ^= cv[i];
    }
    s
}

fn words_from_block(bytes: &[u8; BLOCK_LEN]) -> [u32; 16] {
    let mut w = [0u32; 16];
    for (i, chunk) in bytes.chunks_exact(4).enumerate() {
        w[i] = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    w
}

fn first_8(words: [u32; 16]) -> [u32; 8] {
    let mut out = [0u32; 8];
    out.copy_from_slice(&words[..8]);
    out
}

/// What is left to compress once the input is known: enough to produce a chaining value or root output.
struct Output {
    input_cv: [u32; 8],
    block: [u32; 16],
    counter: u64,
    block_len: u32,
    flags: u32,
}

impl Output {
    fn chaining_value(&self) -> [u32; 8] {
        first_8(compress(
            &self.input_cv,
            &self.block,
            self.counter,
            self.block_len,
            self.flags,
        ))
    }

    fn root_bytes(&self, out: &mut [u8]) {
        for (block_index, out_block) in out.chunks_mut(2 * OUT_LEN).enumerate() {
            let words = compress(
                &self.input_cv,
                &self.block,
                block_index as u64,
                self.block_len,
                self.flags | ROOT,
            );
            for (word, dst) in words.iter().zip(out_block.chunks_mut(4)) {
                dst.copy_from_slice(&word.to_le_bytes()[..dst.len()]);
            }
        }
    }
}

struct ChunkState {
    cv: [u32; 8],
    chunk_counter: u64,
    block: [u8; BLOCK_LEN],
    block_len: usize,
    blocks_compressed: usize,
}

impl ChunkState {
    fn new(key: [u32; 8], chunk_counter: u64) -> Self {
        ChunkState {
            cv: key,
            chunk_counter,
            block: [0; BLOCK_LEN],
            block_len: 0,
            blocks_compressed: 0,
        }
    }

    fn len(&self) -> usize {
        BLOCK_LEN * self.blocks_compressed + self.block_len
    }

    fn start_flag(&self) -> u32 {
        if self.blocks_compressed == 0 {
            CHUNK_START
        } else {
            0
        }
    }

    fn update(&mut self, mut input: &[u8]) {
        while !input.is_empty() {
            // A full block is compressed only once more input arrives: the last block needs CHUNK_END.
            if self.block_len == BLOCK_LEN {
                let words = words_from_block(&self.block);
                self.cv = first_8(compress(
                    &self.cv,
                    &words,
                    self.chunk_counter,
                    BLOCK_LEN as u32,
                    self.start_flag(),
                ));
                self.blocks_compressed += 1;
                self.block = [0; BLOCK_LEN];
                self.block_len = 0;
            }
            let take = (BLOCK_LEN - self.block_len).min(input.len());
            self.block[self.block_len..self.block_len + take].copy_from_slice(&input[..take]);
            self.block_len += take;
            input = &input[take..];
        }
    }

    fn output(&self) -> Output {
        Output {
            input_cv: self.cv,
            block: words_from_block(&self.block),
            counter: self.chunk_counter,
            block_len: self.block_len as u32,
            flags: self.start_flag() | CHUNK_END,
        }
    }
}

fn parent_output(left: [u32; 8], right: [u32; 8]) -> Output {
    let mut block = [0u32; 16];
    block[..8].copy_from_slice(&left);
    block[8..].copy_from_slice(&right);
    Output {
        input_cv: IV,
        block,
        counter: 0,
        block_len: BLOCK_LEN as u32,
        flags: PARENT,
    }
}

/// Incremental BLAKE3 hasher (default, unkeyed mode).
pub struct Hasher {
    chunk: ChunkState,
    cv_stack: Vec<[u32; 8]>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher {
    pub fn new() -> Self {
        Hasher {
            chunk: ChunkState::new(IV, 0),
            cv_stack: Vec::new(),
        }
    }

    fn push_chunk_cv(&mut self, mut cv: [u32; 8], mut total_chunks: u64) {
        // Each trailing zero bit of the chunk count closes one completed subtree.
        while total_chunks & 1 == 0 {
            let left = self
                .cv_stack
                .pop()
                .expect("completed subtree has a left sibling");
            cv = parent_output(left, cv).chaining_value();
            total_chunks >>= 1;
        }
        self.cv_stack.push(cv);
    }

    pub fn update(&mut self, mut input: &[u8]) -> &mut Self {
        while !input.is_empty() {
            if self.chunk.len() == CHUNK_LEN {
                let cv = self.chunk.output().chaining_value();
                let total = self.chunk.chunk_counter + 1;
                self.push_chunk_cv(cv, total);
                self.chunk = ChunkState::new(IV, total);
            }
            let take = (CHUNK_LEN - self.chunk.len()).min(input.len());
            self.chunk.update(&input[..take]);
            input = &input[take..];
        }
        self
    }

    /// Writes `out.len()` bytes of output (BLAKE3 is an XOF; 32 bytes is the standard digest).
    pub fn finalize_into(&self, out: &mut [u8]) {
        let mut output = self.chunk.output();
        for left in self.cv_stack.iter().rev() {
            output = parent_output(*left, output.chaining_value());
        }
        output.root_bytes(out);
    }

    pub fn finalize(&self) -> [u8; OUT_LEN] {
        let mut out = [0u8; OUT_LEN];
        self.finalize_into(&mut out);
        out
    }
}

/// A one-shot BLAKE3 digest with the same bits as [`hash`], faster: a host that has one (the
/// native addon, with SIMD) registers it, since the portable code here runs at ~0.7 GB/s and a
/// large build's cache entry (25 MB) and its sources pass through [`hash`] on the build's path.
pub type Digest = fn(&[u8]) -> [u8; OUT_LEN];

static ACCELERATED: RwLock<Option<Digest>> = RwLock::new(None);

/// Makes [`hash`] (and everything built on it) use `digest`. Only for an implementation of BLAKE3
/// itself: the host's tests hold it to [`portable_hash`].
pub fn set_accelerated(digest: Digest) {
    *ACCELERATED.write().unwrap_or_else(|e| e.into_inner()) = Some(digest);
}

/// The BLAKE3 digest of `bytes`.
pub fn hash(bytes: &[u8]) -> [u8; OUT_LEN] {
    let accelerated = *ACCELERATED.read().unwrap_or_else(|e| e.into_inner());
    match accelerated {
        Some(digest) => digest(bytes),
        None => portable_hash(bytes),
    }
}

/// This module's own BLAKE3, whatever is registered.
pub fn portable_hash(bytes: &[u8]) -> [u8; OUT_LEN] {
    Hasher::new().update(bytes).finalize()
}

/// Lower-case hex of any byte string.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The content hash used everywhere in Nexxo: 256-bit BLAKE3 as 64 hex characters.
pub fn hash_hex(bytes: &[u8]) -> String {
    to_hex(&hash(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input length, first 32 bytes of the `hash` output) from the official BLAKE3 test vectors
    /// (`test_vectors/test_vectors.json`); the input is the byte sequence 0, 1, ..., 250 repeated.
    const VECTORS: &[(usize, &str)] = &[
        (
            0,
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        ),
        (
            1,
            "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
        ),
        (
            1023,
            "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
        ),
        (
            1024,
            "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
        ),
        (
            1025,
            "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444",
        ),
        (
            2048,
            "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
        ),
        (
            2049,
            "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030",
        ),
        (
            3072,
            "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2",
        ),
        (
            3073,
            "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3",
        ),
        (
            4096,
            "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969",
        ),
        (
            4097,
            "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995",
        ),
        (
            5120,
            "9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833",
        ),
        (
            5121,
            "628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff",
        ),
        (
            6144,
            "3e2e5b74e048f3add6d21faab3f83aa44d3b2278afb83b80b3c35164ebeca205",
        ),
        (
            6145,
            "f1323a8631446cc50536a9f705ee5cb619424d46887f3c376c695b70e0f0507f",
        ),
        (
            7168,
            "61da957ec2499a95d6b8023e2b0e604ec7f6b50e80a9678b89d2628e99ada77a",
        ),
        (
            7169,
            "a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817",
        ),
        (
            8192,
            "aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63",
        ),
        (
            8193,
            "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b",
        ),
        (
            16384,
            "f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4",
        ),
        (
            31744,
            "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47",
        ),
        (
            102400,
            "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085",
        ),
    ];

    fn input(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn matches_official_test_vectors() {
        for (len, expected) in VECTORS {
            assert_eq!(hash_hex(&input(*len)), *expected, "input_len {len}");
        }
    }

    #[test]
    fn extended_output_prefix_matches_vector() {
        // The vectors list 131 bytes of XOF output; their start for input_len 0 continues past 32 bytes.
        let mut out = [0u8; 40];
        Hasher::new().finalize_into(&mut out);
        assert_eq!(
            to_hex(&out),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262e00f03e7b69af26b"
        );
    }

    #[test]
    fn incremental_updates_match_one_shot() {
        let data = input(10_000);
        for split in [0, 1, 63, 64, 65, 1023, 1024, 1025, 4096, 9999] {
            let mut h = Hasher::new();
            h.update(&data[..split]).update(&data[split..]);
            assert_eq!(h.finalize(), hash(&data), "split at {split}");
        }
    }
}
