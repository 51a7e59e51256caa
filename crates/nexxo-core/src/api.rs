//! The string-in, string-out surface that both bindings expose unchanged.
//!
//! wasm32 and Node-API can only move bytes and strings cheaply and identically, so every function
//! here takes and returns JSON text (plus raw bytes for hashing). Answers are `{"ok":...}` or
//! `{"error":{"message":...}}`: errors are data, never a panic across the boundary. Because both
//! bindings forward to these functions without touching the text, parity between them is structural,
//! and the parity test checks it anyway.

use crate::cache_key::{cache_key, KeyInput};
use crate::graph::{module_id, Module, ModuleGraph};
use crate::hash::hash_hex;
use crate::hmr::plan_hmr;
use crate::json::Json;
use crate::project::{project_graph_with, relative_candidates, scan_file_as, Resolver};
use crate::scan::{scan_imports, Lang, DEFAULT_JSX_SOURCE};
use std::collections::BTreeMap;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn ok(value: Json) -> String {
    Json::obj([("ok", value)]).to_string()
}

fn error(message: &str) -> String {
    Json::obj([("error", Json::obj([("message", Json::str(message))]))]).to_string()
}

fn parse(input: &str) -> Result<Json, String> {
    Json::parse(input)
}

fn str_field<'a>(j: &'a Json, key: &str) -> Result<&'a str, String> {
    j.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("missing string field `{key}`"))
}

fn str_list(j: Option<&Json>) -> Vec<String> {
    j.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn answer(result: Result<Json, String>) -> String {
    match result {
        Ok(v) => ok(v),
        Err(e) => error(&e),
    }
}

/// BLAKE3 of the bytes, 64 hex characters (not wrapped: hashing cannot fail).
pub fn hash(bytes: &[u8]) -> String {
    hash_hex(bytes)
}

pub fn scan(code: &str, lang: &str) -> String {
    let lang = match Lang::from_name(lang) {
        Some(l) => l,
        None => {
            return error(&format!(
                "unknown language `{lang}` (expected js, jsx, ts, tsx or css)"
            ))
        }
    };
    match scan_imports(code, lang) {
        Ok(scan) => ok(scan.to_json()),
        Err(e) => Json::obj([(
            "error",
            Json::obj([
                ("code", Json::str(e.code)),
                ("message", Json::str(&e.message)),
                ("offset", e.offset.into()),
            ]),
        )])
        .to_string(),
    }
}

/// `{"contentHash","engine","engineVersion","options"}` -> the cache key.
pub fn cache_key_json(input: &str) -> String {
    answer(parse(input).and_then(|j| {
        let empty = Json::Obj(BTreeMap::new());
        let key = cache_key(&KeyInput {
            content_hash: str_field(&j, "contentHash")?,
            engine: str_field(&j, "engine")?,
            engine_version: str_field(&j, "engineVersion")?,
            options: j.get("options").unwrap_or(&empty),
        });
        Ok(Json::Str(key))
    }))
}

/// `{"root","path"}` -> the module id.
pub fn module_id_json(input: &str) -> String {
    answer(parse(input).and_then(|j| {
        Ok(Json::Str(module_id(
            str_field(&j, "root")?,
            str_field(&j, "path")?,
        )))
    }))
}

/// `{"importer","specifier"}` -> the file ids a relative import may name, in the order to try them,
/// or null for a bare specifier or one that leaves the root (see `project::relative_candidates`).
pub fn relative_candidates_json(input: &str) -> String {
    answer(parse(input).and_then(|j| {
        let found = relative_candidates(str_field(&j, "importer")?, str_field(&j, "specifier")?);
        Ok(found.map_or(Json::Null, |candidates| {
            Json::Arr(candidates.map(Json::Str).collect())
        }))
    }))
}

/// `{"files":{id:content},"entries":[id],"langs"?:{id:lang},"jsxImportSource"?:name}` -> the
/// project description (see `project::project_graph`). `langs` scans a file as another language
/// than its extension says: what a plugin compiled a `.vue` or `.svelte` file to, scanned under the
/// file's own id. `jsxImportSource` (tsconfig's) names the JSX runtime where no pragma does.
pub fn project_from_files(input: &str) -> String {
    answer(parse(input).and_then(|j| {
        let files: BTreeMap<String, Vec<u8>> = match j.get("files") {
            Some(Json::Obj(m)) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").as_bytes().to_vec()))
                .collect(),
            _ => return Err("missing object field `files`".into()),
        };
        let entries = str_list(j.get("entries"));
        let mut langs = BTreeMap::new();
        if let Some(Json::Obj(m)) = j.get("langs") {
            for (id, name) in m {
                let lang = name
                    .as_str()
                    .and_then(Lang::from_name)
                    .ok_or_else(|| format!("`langs`: {id}: not a language the scanner knows"))?;
                langs.insert(id.as_str(), lang);
            }
        }
        let jsx_source = j
            .get("jsxImportSource")
            .and_then(Json::as_str)
            .unwrap_or(DEFAULT_JSX_SOURCE);
        let records: Vec<_> = files
            .iter()
            .map(|(id, bytes)| {
                let lang = langs
                    .get(id.as_str())
                    .copied()
                    .or_else(|| Lang::from_path(id));
                scan_file_as(id, bytes, lang, jsx_source)
            })
            .collect();
        Ok(project_graph_with(&Resolver::new(&records, Some(&files)), &records, &entries).1)
    }))
}

/// Applies one operation to a graph: `set`, `remove`, `importers`, `cycles`, `topoOrder`,
/// `graphHash`, `planHmr`, `size`. The arguments are a JSON object.
pub fn graph_call(graph: &mut ModuleGraph, op: &str, args: &str) -> String {
    answer(parse(args).and_then(|a| match op {
        "set" => {
            let id = str_field(&a, "id")?;
            let flag = |k: &str| a.get(k).and_then(Json::as_bool).unwrap_or(false);
            let pruned = graph.set(
                id,
                Module {
                    hash: a
                        .get("hash")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_string(),
                    deps: str_list(a.get("deps")),
                    dynamic_deps: str_list(a.get("dynamicDeps")),
                    self_accepting: flag("selfAccepting"),
                    accepted_deps: str_list(a.get("acceptedDeps")),
                    is_entry: flag("isEntry"),
                },
            );
            Ok(Json::Arr(pruned.into_iter().map(Json::Str).collect()))
        }
        "remove" => Ok(Json::Bool(graph.remove(str_field(&a, "id")?))),
        "importers" => Ok(Json::strs(&graph.importers(str_field(&a, "id")?))),
        "cycles" => Ok(Json::Arr(
            graph.cycles().iter().map(|c| Json::strs(c)).collect(),
        )),
        "topoOrder" => Ok(Json::strs(&graph.topo_order())),
        "graphHash" => Ok(Json::Str(graph.graph_hash())),
        "planHmr" => Ok(plan_hmr(graph, &str_list(a.get("changed"))).to_json()),
        "size" => Ok(graph.len().into()),
        other => Err(format!("unknown graph operation `{other}`")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_data() {
        assert_eq!(
            scan("x", "rust"),
            r#"{"error":{"message":"unknown language `rust` (expected js, jsx, ts, tsx or css)"}}"#
        );
        assert_eq!(
            scan("`", "js"),
            r#"{"error":{"code":"UNTERMINATED","message":"unterminated template literal","offset":0}}"#
        );
        assert!(cache_key_json("{").starts_with(r#"{"error":"#));
        assert!(cache_key_json(r#"{"engine":"x"}"#).contains("contentHash"));
        let mut g = ModuleGraph::new();
        assert!(graph_call(&mut g, "explode", "{}").contains("unknown graph operation"));
        assert!(graph_call(&mut g, "set", "[]").contains("missing string field `id`"));
    }

    #[test]
    fn langs_scan_a_compiled_file_under_its_own_id() {
        let input = |langs: &str| {
            format!(
                r#"{{"files":{{"main.ts":"import './App.vue'","App.vue":"import {{ h }} from 'vue'","vue.js":""}},"entries":["main.ts"]{langs}}}"#
            )
        };
        // By its extension a `.vue` file is an asset: nothing in it is scanned.
        assert!(!project_from_files(&input("")).contains(r#""specifier":"vue""#));
        let compiled = project_from_files(&input(r#","langs":{"App.vue":"js"}"#));
        assert!(compiled.contains(r#""specifier":"vue""#), "{compiled}");
        assert!(project_from_files(&input(r#","langs":{"App.vue":"vue"}"#))
            .contains("`langs`: App.vue: not a language"));
    }

    #[test]
    fn jsx_import_source_names_the_runtime_where_no_pragma_does() {
        let input = |extra: &str| {
            format!(
                r#"{{"files":{{"a.tsx":"export const A = <b />","p.tsx":"/** @jsxImportSource solid */ export const P = <i />"}},"entries":["a.tsx","p.tsx"]{extra}}}"#
            )
        };
        let plain = project_from_files(&input(""));
        assert!(
            plain.contains(r#""specifier":"react/jsx-runtime""#),
            "{plain}"
        );
        let preact = project_from_files(&input(r#","jsxImportSource":"preact""#));
        assert!(
            preact.contains(r#""specifier":"preact/jsx-runtime""#),
            "{preact}"
        );
        assert!(
            !preact.contains(r#""specifier":"react/jsx-runtime""#),
            "{preact}"
        );
        assert!(
            preact.contains(r#""specifier":"solid/jsx-runtime""#),
            "the pragma wins: {preact}"
        );
    }

    #[test]
    fn graph_session_round_trip() {
        let mut g = ModuleGraph::new();
        assert_eq!(
            graph_call(
                &mut g,
                "set",
                r#"{"id":"main","deps":["a"],"isEntry":true}"#
            ),
            // `set` answers the modules it pruned: none on a first set.
            r#"{"ok":[]}"#
        );
        graph_call(&mut g, "set", r#"{"id":"a","selfAccepting":true}"#);
        assert_eq!(
            graph_call(&mut g, "importers", r#"{"id":"a"}"#),
            r#"{"ok":["main"]}"#
        );
        assert_eq!(
            graph_call(&mut g, "topoOrder", "{}"),
            r#"{"ok":["a","main"]}"#
        );
        assert_eq!(
            graph_call(&mut g, "planHmr", r#"{"changed":["a"]}"#),
            r#"{"ok":{"boundaries":[{"acceptedVia":"a","boundary":"a"}],"invalidated":["a"],"type":"update"}}"#
        );
        assert_eq!(
            graph_call(&mut g, "set", r#"{"id":"main","isEntry":true}"#),
            r#"{"ok":["a"]}"#
        );
    }
}
