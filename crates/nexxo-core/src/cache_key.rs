//! Cache keys: one function so that an entry written by the wasm backend is found by the native one.

use crate::hash::{to_hex, Hasher};
use crate::json::Json;

/// Bumped when the meaning of cached values changes; old entries then simply stop matching.
pub const CACHE_FORMAT: u32 = 1;

pub struct KeyInput<'a> {
    pub content_hash: &'a str,
    pub engine: &'a str,
    pub engine_version: &'a str,
    /// Options that change the output; canonicalized so that key order does not matter.
    pub options: &'a Json,
}

pub fn cache_key(input: &KeyInput) -> String {
    let mut h = Hasher::new();
    let format = CACHE_FORMAT.to_string();
    for part in [
        "nexxo-cache",
        format.as_str(),
        env!("CARGO_PKG_VERSION"),
        input.content_hash,
        input.engine,
        input.engine_version,
        input.options.to_string().as_str(),
    ] {
        // Length-prefixed, so that no two different inputs concatenate to the same bytes.
        h.update(&(part.len() as u64).to_le_bytes())
            .update(part.as_bytes());
    }
    to_hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hash: &str, engine: &str, version: &str, options: &str) -> String {
        let options = Json::parse(options).unwrap();
        cache_key(&KeyInput {
            content_hash: hash,
            engine,
            engine_version: version,
            options: &options,
        })
    }

    #[test]
    fn key_depends_on_every_input_but_not_option_order() {
        let base = key(
            "h",
            "rolldown",
            "1.0.1",
            r#"{"minify":true,"format":"esm"}"#,
        );
        assert_eq!(
            base,
            key(
                "h",
                "rolldown",
                "1.0.1",
                r#"{ "format": "esm", "minify": true }"#
            )
        );
        assert_ne!(
            base,
            key(
                "h2",
                "rolldown",
                "1.0.1",
                r#"{"minify":true,"format":"esm"}"#
            )
        );
        assert_ne!(
            base,
            key("h", "esbuild", "1.0.1", r#"{"minify":true,"format":"esm"}"#)
        );
        assert_ne!(
            base,
            key(
                "h",
                "rolldown",
                "1.0.2",
                r#"{"minify":true,"format":"esm"}"#
            )
        );
        assert_ne!(
            base,
            key(
                "h",
                "rolldown",
                "1.0.1",
                r#"{"minify":false,"format":"esm"}"#
            )
        );
        // Concatenation ambiguity: ("ab","c") vs ("a","bc").
        assert_ne!(key("ab", "c", "", "{}"), key("a", "bc", "", "{}"));
        assert_eq!(base.len(), 64);
    }
}
