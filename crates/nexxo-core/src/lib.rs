//! The shared core of Nexxo: what must give the same answer in the browser, at the edge and in the
//! native CLI, and be fast natively. It is std-only and Rust 1.63-compatible so that Debian's rustc can
//! build it for wasm32; the bindings in `wasm/` and `native/` only translate types (see `api`).
//!
//! - [`hash`]: BLAKE3 content hashes
//! - [`scan`]: imports, re-exports, `import.meta.hot`, CSS `@import`/`url()` with byte offsets
//! - [`graph`]: the module graph (importers, cycles, evaluation order, graph hash, module ids)
//! - [`hmr`]: planning hot updates
//! - [`cache_key`]: keys shared by every cache
//! - [`project`]: a whole project scanned and resolved into a graph
//! - [`stamp`]: file and directory stamps for the whole-build cache on disk
//! - [`api`]: the JSON string surface both bindings forward to

pub mod api;
pub mod cache_key;
pub mod graph;
pub mod hash;
pub mod hmr;
pub mod json;
pub mod project;
pub mod scan;
pub mod stamp;
