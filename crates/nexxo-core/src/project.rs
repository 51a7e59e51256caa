//! A project as the core sees it: every source file hashed and scanned, relative imports resolved
//! against the other files, and the resulting module graph. The native binding feeds this from disk
//! in parallel (`scanProject`); the wasm binding from an in-memory files map. Both end in the same
//! `project_json`, so their answers can be compared byte for byte.

use crate::graph::{normalize, Module, ModuleGraph};
use crate::hash::hash_hex;
use crate::json::Json;
use crate::scan::{
    scan_imports, scan_imports_with, ImportKind, Lang, Scan, ScanError, DEFAULT_JSX_SOURCE,
    MAX_NESTING, MAX_OPERATOR_RUN,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub struct FileRecord {
    /// Root-relative path with `/` separators.
    pub id: String,
    pub hash: String,
    pub size: usize,
    pub lang: Option<Lang>,
    pub scan: Option<Result<Scan, ScanError>>,
}

/// Hashes and (for languages Nexxo scans) scans one file's bytes.
pub fn scan_file(id: &str, bytes: &[u8]) -> FileRecord {
    scan_file_as(id, bytes, Lang::from_path(id), DEFAULT_JSX_SOURCE)
}

/// A file scanned as `lang` whatever its extension (`None`: not scanned, as an asset), its JSX
/// importing `<jsx_source>/jsx-runtime` unless a pragma says otherwise.
pub fn scan_file_as(id: &str, bytes: &[u8], lang: Option<Lang>, jsx_source: &str) -> FileRecord {
    let scan = lang.map(|lang| match std::str::from_utf8(bytes) {
        Ok(code) => scan_imports_with(code, lang, jsx_source),
        Err(e) => Err(ScanError {
            code: "NOT_UTF8",
            message: "file is not valid UTF-8".into(),
            offset: e.valid_up_to(),
        }),
    });
    FileRecord {
        id: id.to_string(),
        hash: hash_hex(bytes),
        size: bytes.len(),
        lang,
        scan,
    }
}

/// Directories never part of a project's own sources.
fn skip_dir(name: &str) -> bool {
    name.starts_with('.') || matches!(name, "node_modules" | "dist" | "target")
}

/// Every file below `root` whose language Nexxo scans, sorted, as (root-relative id, absolute path).
/// Symbolic links are not followed, so a link loop cannot trap the walk.
pub fn walk(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut dirs = vec![(String::new(), root.to_path_buf())];
    while let Some((prefix, dir)) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let file_type = entry.file_type()?;
            let id = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            if file_type.is_dir() {
                if !skip_dir(&name) {
                    dirs.push((id, entry.path()));
                }
            } else if file_type.is_file() && Lang::from_path(&name).is_some() {
                out.push((id, entry.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

const EXTENSIONS: &[&str] = &[
    ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".css", ".json",
];

/// Resolves a relative or root-absolute specifier against the known file ids, the way bundlers do:
/// the first of `relative_candidates` that is a known file.
pub fn resolve_relative(importer: &str, specifier: &str, ids: &BTreeSet<String>) -> Option<String> {
    relative_candidates(importer, specifier)?.find(|candidate| ids.contains(candidate))
}

/// The file ids a relative or root-absolute specifier may name, in the order they are tried: exact,
/// then with an extension, then `./a.js` as `a.ts` (TS convention), then as a directory index.
/// None for a bare specifier or one that climbs out of the root. Lazy, as the first hit usually
/// comes early; hosts without the file list (the dev server, on disk) test them in this order.
pub fn relative_candidates(
    importer: &str,
    specifier: &str,
) -> Option<impl Iterator<Item = String>> {
    let spec = specifier.split(['?', '#']).next().unwrap_or(specifier);
    let base = if let Some(abs) = spec.strip_prefix('/') {
        normalize(abs)
    } else if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
        match importer.rsplit_once('/') {
            Some((dir, _)) => normalize(&format!("{dir}/{spec}")),
            None => normalize(spec),
        }
    } else {
        return None;
    };
    if base.starts_with("..") {
        return None;
    }
    let with_extension = {
        let base = base.clone();
        EXTENSIONS.iter().map(move |ext| format!("{base}{ext}"))
    };
    let typescript_twin = {
        let base = base.clone();
        [
            (".js", ".ts"),
            (".js", ".tsx"),
            (".jsx", ".tsx"),
            (".mjs", ".mts"),
            (".cjs", ".cts"),
        ]
        .into_iter()
        .filter_map(move |(js, ts)| base.strip_suffix(js).map(|stem| format!("{stem}{ts}")))
    };
    let index = {
        let base = base.clone();
        EXTENSIONS.iter().map(move |ext| {
            if base.is_empty() {
                format!("index{ext}")
            } else {
                format!("{base}/index{ext}")
            }
        })
    };
    Some(
        std::iter::once(base)
            .chain(with_extension)
            .chain(typescript_twin)
            .chain(index),
    )
}

/// Conditions tried in `exports` maps, in order: Nexxo bundles for the browser by default.
const CONDITIONS: &[&str] = &["browser", "import", "module", "default"];

/// Resolves imports among a project's own files, including packages whose files are in the map
/// under `node_modules/` (the in-memory case: playgrounds, the edge, tests).
pub struct Resolver {
    ids: BTreeSet<String>,
    package_json: BTreeMap<String, Json>,
    /// Each package's (and the project's) `imports` field by directory: `#name` subpath imports.
    imports: BTreeMap<String, Json>,
}

impl Resolver {
    pub fn new(records: &[FileRecord], files: Option<&BTreeMap<String, Vec<u8>>>) -> Self {
        let ids: BTreeSet<String> = records.iter().map(|r| r.id.clone()).collect();
        let mut package_json = BTreeMap::new();
        let mut imports = BTreeMap::new();
        if let Some(files) = files {
            for (id, bytes) in files {
                if id != "package.json" && !id.ends_with("/package.json") {
                    continue;
                }
                // No let-else: the wasm build uses Debian's rustc 1.65.
                let json = match std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|t| Json::parse(t).ok())
                {
                    Some(json) => json,
                    None => continue,
                };
                let dir = id
                    .trim_end_matches("package.json")
                    .trim_end_matches('/')
                    .to_string();
                if let Some(map @ Json::Obj(_)) = json.get("imports") {
                    imports.insert(dir.clone(), map.clone());
                }
                if id.contains("node_modules/") {
                    package_json.insert(dir, json);
                }
            }
        }
        Resolver {
            ids,
            package_json,
            imports,
        }
    }

    pub fn resolve(&self, importer: &str, specifier: &str) -> Option<String> {
        if specifier.starts_with('#') {
            return self.resolve_import(importer, specifier);
        }
        if !is_bare(specifier) {
            return resolve_relative(importer, specifier, &self.ids);
        }
        let mut parts = specifier.splitn(if specifier.starts_with('@') { 3 } else { 2 }, '/');
        let name = if specifier.starts_with('@') {
            format!("{}/{}", parts.next()?, parts.next()?)
        } else {
            parts.next()?.to_string()
        };
        let subpath = parts
            .next()
            .map(|p| format!("./{p}"))
            .unwrap_or_else(|| ".".to_string());
        // node_modules directories from the importer's folder up to the root.
        ancestors(importer).find_map(|dir| {
            let pkg_dir = join_dir(dir, &format!("node_modules/{name}"));
            self.resolve_in_package(&pkg_dir, &subpath)
        })
    }

    /// A `#name` import through the `imports` field of the package the importer belongs to (the
    /// nearest directory above it with a package.json), as Node resolves it: to a file of that
    /// package or to another package.
    fn resolve_import(&self, importer: &str, specifier: &str) -> Option<String> {
        let (dir, manifest) = ancestors(importer)
            .map(|dir| (dir, join_dir(dir, "package.json")))
            .find(|(_, manifest)| self.ids.contains(manifest))?;
        let target = subpath_target(self.imports.get(dir)?, specifier)?;
        if target.starts_with("./") {
            resolve_relative(&manifest, &target, &self.ids)
        } else if is_bare(&target) && !target.starts_with('#') {
            self.resolve(&manifest, &target)
        } else {
            None
        }
    }

    /// Whether any file lies below `dir`: one ordered-set lookup, not a scan of every id.
    fn has_dir(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.ids
            .range(prefix.clone()..)
            .next()
            .map_or(false, |id| id.starts_with(&prefix))
    }

    fn resolve_in_package(&self, pkg_dir: &str, subpath: &str) -> Option<String> {
        let from = format!("{pkg_dir}/package.json");
        let target = match self.package_json.get(pkg_dir) {
            Some(pkg) => match pkg.get("exports") {
                Some(exports) => export_target(exports, subpath)?,
                None if subpath == "." => {
                    let field = ["browser", "module", "main"]
                        .iter()
                        .find_map(|f| pkg.get(f).and_then(Json::as_str));
                    format!("./{}", field.unwrap_or("index.js").trim_start_matches("./"))
                }
                None => subpath.to_string(),
            },
            None if self.has_dir(pkg_dir) => subpath.to_string(),
            None => return None,
        };
        resolve_relative(&from, &target, &self.ids)
    }
}

/// The target of `subpath` in a package's `exports` field (strings, condition maps, subpath maps,
/// and `*` patterns).
fn export_target(exports: &Json, subpath: &str) -> Option<String> {
    let is_subpath_map = matches!(exports, Json::Obj(m) if m.keys().any(|k| k.starts_with('.')));
    if !is_subpath_map {
        return if subpath == "." {
            conditional(exports)
        } else {
            None
        };
    }
    subpath_target(exports, subpath)
}

/// The importer's directory and each one above it, up to the root (`""`).
fn ancestors(importer: &str) -> impl Iterator<Item = &str> {
    let first = importer.rsplit_once('/').map_or("", |(d, _)| d);
    std::iter::successors(Some(first), |dir| {
        (!dir.is_empty()).then(|| dir.rsplit_once('/').map_or("", |(d, _)| d))
    })
}

/// `name` inside `dir` (the root when `dir` is empty).
fn join_dir(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The target of `subpath` in a subpath map (`exports`' `./x` keys, `imports`' `#x` keys): the
/// exact key, else the `*` pattern it matches.
fn subpath_target(map: &Json, subpath: &str) -> Option<String> {
    if let Some(entry) = map.get(subpath) {
        return conditional(entry);
    }
    if let Json::Obj(map) = map {
        for (key, value) in map {
            if let Some((prefix, suffix)) = key.split_once('*') {
                if subpath.starts_with(prefix)
                    && subpath.ends_with(suffix)
                    && subpath.len() >= prefix.len() + suffix.len()
                {
                    let star = &subpath[prefix.len()..subpath.len() - suffix.len()];
                    return conditional(value).map(|t| t.replace('*', star));
                }
            }
        }
    }
    None
}

fn conditional(value: &Json) -> Option<String> {
    match value {
        Json::Str(s) => Some(s.clone()),
        Json::Arr(items) => items.iter().find_map(conditional),
        Json::Obj(map) => CONDITIONS
            .iter()
            .find_map(|c| map.get(*c).and_then(conditional)),
        _ => None,
    }
}

fn is_bare(specifier: &str) -> bool {
    !(specifier.starts_with('.') || specifier.starts_with('/') || specifier.contains(':'))
}

/// Builds the graph of `records` and describes it as JSON. `entries` (ids) mark evaluation roots.
pub fn project_graph(records: &[FileRecord], entries: &[String]) -> (ModuleGraph, Json) {
    project_graph_with(&Resolver::new(records, None), records, entries)
}

pub fn project_graph_with(
    resolver: &Resolver,
    records: &[FileRecord],
    entries: &[String],
) -> (ModuleGraph, Json) {
    let mut graph = ModuleGraph::new();
    let mut modules = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    let mut externals: BTreeSet<String> = BTreeSet::new();
    for r in records {
        let mut module = Module {
            hash: r.hash.clone(),
            is_entry: entries.contains(&r.id),
            ..Module::default()
        };
        let mut imports = Vec::new();
        let mut hot = Json::Null;
        match &r.scan {
            Some(Ok(scan)) => {
                for imp in &scan.imports {
                    let resolved = resolver.resolve(&r.id, &imp.specifier);
                    if let Some(dep) = &resolved {
                        if !imp.type_only {
                            match imp.kind {
                                ImportKind::Dynamic => module.dynamic_deps.push(dep.clone()),
                                _ => module.deps.push(dep.clone()),
                            }
                        }
                    } else if is_bare(&imp.specifier) && !imp.type_only {
                        externals.insert(imp.specifier.clone());
                    }
                    imports.push(Json::obj([
                        ("specifier", Json::str(&imp.specifier)),
                        ("kind", Json::str(imp.kind.as_str())),
                        ("typeOnly", imp.type_only.into()),
                        ("resolved", resolved.map(Json::Str).unwrap_or(Json::Null)),
                        ("start", imp.start.into()),
                    ]));
                }
                module.self_accepting = scan.hot.self_accepting || r.lang == Some(Lang::Css);
                module.accepted_deps = scan
                    .hot
                    .accepted_deps
                    .iter()
                    .filter_map(|d| resolver.resolve(&r.id, d))
                    .collect();
                hot = scan.to_json().get("hot").cloned().unwrap_or(Json::Null);
            }
            Some(Err(e)) => errors.push(error_json(&r.id, e)),
            None => {}
        }
        modules.push(Json::obj([
            ("id", Json::str(&r.id)),
            ("hash", Json::str(&r.hash)),
            ("size", r.size.into()),
            ("imports", Json::Arr(imports)),
            ("deps", Json::strs(&module.deps)),
            ("hot", hot),
        ]));
        graph.set(&r.id, module);
    }
    // Without entries every module counts as reachable (a whole-project scan).
    let live = reachable_from(entries, |id| {
        graph
            .get(id)
            .map(|m| m.deps.iter().chain(&m.dynamic_deps).cloned().collect())
            .unwrap_or_default()
    });
    for m in modules.iter_mut() {
        if let Json::Obj(fields) = m {
            let id = fields
                .get("id")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string();
            fields.insert(
                "reachable".to_string(),
                Json::Bool(entries.is_empty() || live.contains(&id)),
            );
        }
    }
    let cycles = Json::Arr(graph.cycles().iter().map(|c| Json::strs(c)).collect());
    let json = Json::obj([
        ("modules", Json::Arr(modules)),
        ("errors", Json::Arr(errors)),
        (
            "externals",
            Json::Arr(externals.into_iter().map(Json::Str).collect()),
        ),
        ("cycles", cycles),
        ("order", Json::strs(&graph.topo_order())),
        ("depth", graph.max_depth().into()),
        ("graphHash", Json::str(&graph.graph_hash())),
    ]);
    (graph, json)
}

/// The pre-build safety check of one file: not UTF-8, or nested beyond what the engines survive.
/// Most files are cleared by counting bytes: fewer than `MAX_NESTING` openers in all can never nest
/// that deep, and fewer than `MAX_OPERATOR_RUN` operator characters in all can never chain that
/// long. Both counts include strings and comments, so they only over-estimate; anything they do not
/// clear is lexed in full.
pub fn quick_check(id: &str, bytes: &[u8]) -> Option<ScanError> {
    let code = match std::str::from_utf8(bytes) {
        Ok(code) => code,
        Err(e) => {
            return Some(ScanError {
                code: "NOT_UTF8",
                message: "file is not valid UTF-8".into(),
                offset: e.valid_up_to(),
            })
        }
    };
    let lang = Lang::from_path(id)?;
    if lang == Lang::Css {
        return None;
    }
    let (mut openers, mut operators) = (0usize, 0usize);
    for b in bytes {
        match b {
            b'(' | b'[' | b'{' | b'`' | b'<' => openers += 1,
            b'+' | b'-' | b'*' | b'/' | b'%' | b'=' | b'!' | b'>' | b'&' | b'|' | b'^' | b'~'
            | b'?' | b':' | b'@' => operators += 1,
            _ => {}
        }
    }
    if openers < MAX_NESTING && operators <= MAX_OPERATOR_RUN {
        return None;
    }
    scan_imports(code, lang)
        .err()
        .filter(|e| e.code == "TOO_DEEP")
}

/// Ids reachable from `entries` along `edges`, each visited once, without recursion. The one walk
/// behind both the project description's `reachable` flags and the pre-build check.
fn reachable_from(
    entries: &[String],
    mut edges: impl FnMut(&str) -> Vec<String>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = entries.to_vec();
    while let Some(id) = queue.pop() {
        if !seen.contains(&id) {
            queue.extend(edges(&id));
            seen.insert(id);
        }
    }
    seen
}

fn error_json(id: &str, e: &ScanError) -> Json {
    Json::obj([
        ("id", Json::str(id)),
        ("code", Json::str(e.code)),
        ("message", Json::str(&e.message)),
        ("offset", e.offset.into()),
    ])
}

/// Scan errors of the files reachable from `entries`, without describing the whole graph: what a
/// pre-build safety check needs, at a fraction of `project_graph`'s cost on large projects.
pub fn reachable_errors(resolver: &Resolver, records: &[FileRecord], entries: &[String]) -> Json {
    let by_id: BTreeMap<&str, &FileRecord> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let live = reachable_from(entries, |id| {
        match by_id.get(id).and_then(|r| r.scan.as_ref()) {
            Some(Ok(scan)) => scan
                .imports
                .iter()
                .filter(|i| !i.type_only)
                .filter_map(|i| resolver.resolve(id, &i.specifier))
                .collect(),
            _ => Vec::new(),
        }
    });
    // `records` is sorted by id, so the answer is too.
    let errors = records
        .iter()
        .filter(|r| live.contains(&r.id))
        .filter_map(|r| match &r.scan {
            Some(Err(e)) => Some(error_json(&r.id, e)),
            _ => None,
        });
    Json::Arr(errors.collect())
}

/// Hashes and scans every file of an in-memory project (files Nexxo does not scan are hashed only).
pub fn records_from_files(files: &BTreeMap<String, Vec<u8>>) -> Vec<FileRecord> {
    files
        .iter()
        .map(|(id, bytes)| scan_file(id, bytes))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resolves_like_a_bundler() {
        let known = ids(&[
            "src/a.ts",
            "src/b/index.tsx",
            "src/c.tsx",
            "src/d.css",
            "main.ts",
        ]);
        // (importer, specifier, expected resolution)
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("src/main.ts", "./a", Some("src/a.ts")),
            ("src/main.ts", "./a.js", Some("src/a.ts")),
            ("src/main.ts", "./b", Some("src/b/index.tsx")),
            ("src/main.ts", "./c.jsx", Some("src/c.tsx")),
            ("src/main.ts", "./d.css?inline", Some("src/d.css")),
            ("src/x/y.ts", "../../main", Some("main.ts")),
            ("src/main.ts", "/src/a.ts", Some("src/a.ts")),
            ("src/main.ts", "../../etc/passwd", None),
            ("src/main.ts", "react", None),
        ];
        for (importer, specifier, expected) in cases {
            assert_eq!(
                resolve_relative(importer, specifier, &known).as_deref(),
                *expected,
                "{importer} imports {specifier}"
            );
        }
    }

    #[test]
    fn relative_candidates_come_in_the_resolver_order() {
        let list = |importer: &str, specifier: &str| {
            relative_candidates(importer, specifier).map(|c| c.collect::<Vec<_>>())
        };
        let a_js = list("src/main.ts", "./a.js").unwrap();
        // Exact first, then extensions, then the TypeScript twin, then directory indexes.
        assert_eq!(&a_js[..3], ["src/a.js", "src/a.js.ts", "src/a.js.tsx"]);
        let twin = a_js.iter().position(|c| c == "src/a.ts").unwrap();
        let first_index = a_js.iter().position(|c| c == "src/a.js/index.ts").unwrap();
        assert!(
            twin > a_js.iter().position(|c| c == "src/a.js.json").unwrap() && twin < first_index
        );
        assert_eq!(
            list("src/main.ts", "./d.css?inline").unwrap()[0],
            "src/d.css"
        );
        assert_eq!(list("a.ts", ".").unwrap().last().unwrap(), "index.json");
        assert_eq!(list("src/main.ts", "../../etc/passwd"), None);
        assert_eq!(list("src/main.ts", "react"), None);
    }

    #[test]
    fn builds_a_graph_with_externals_errors_and_hot_info() {
        let mut files = BTreeMap::new();
        files.insert(
            "main.tsx".to_string(),
            b"import React from 'react';\nimport { App } from './app';\nimport './style.css';"
                .to_vec(),
        );
        files.insert("app.tsx".to_string(), b"import type { T } from './types';\nexport const App = () => <p>it's</p>;\nimport.meta.hot.accept();".to_vec());
        files.insert("types.ts".to_string(), b"export type T = 1;".to_vec());
        files.insert(
            "style.css".to_string(),
            b"body { background: url(./bg.png) }".to_vec(),
        );
        files.insert("broken.ts".to_string(), b"const s = `unterminated".to_vec());
        files.insert("latin1.js".to_string(), vec![b'/', b'/', 0xE9]);
        files.insert("readme.md".to_string(), b"# not scanned".to_vec());
        let records = records_from_files(&files);
        let (graph, json) = project_graph(&records, &["main.tsx".to_string()]);
        assert_eq!(
            graph.get("main.tsx").unwrap().deps,
            vec!["app.tsx", "style.css"]
        );
        assert!(
            graph.get("app.tsx").unwrap().deps.is_empty(),
            "type-only imports are not runtime edges"
        );
        assert!(graph.get("app.tsx").unwrap().self_accepting);
        assert!(graph.get("style.css").unwrap().self_accepting);
        // Every file is part of an in-memory project (it can be imported, and it keys the cache),
        // but only source files are scanned.
        let readme = graph
            .get("readme.md")
            .expect("non-source files are hashed into the graph");
        assert!(readme.deps.is_empty() && !readme.hash.is_empty());
        let text = json.to_string();
        // app.tsx has JSX: the automatic runtime is an import like any other.
        assert!(
            text.contains(r#""externals":["react","react/jsx-runtime"]"#),
            "{text}"
        );
        let reachable: Vec<(String, bool)> = json
            .get("modules")
            .and_then(Json::as_array)
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m.get("id").and_then(Json::as_str).unwrap().to_string(),
                    m.get("reachable") == Some(&Json::Bool(true)),
                )
            })
            .collect();
        let live: Vec<&str> = reachable
            .iter()
            .filter(|(_, r)| *r)
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(
            live,
            vec!["app.tsx", "main.tsx", "style.css"],
            "type-only imports and strays are not reached"
        );
        assert!(
            text.contains(
                r#"{"code":"UNTERMINATED","id":"broken.ts","message":"unterminated template literal","offset":10}"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"{"code":"NOT_UTF8","id":"latin1.js","message":"file is not valid UTF-8","offset":2}"#),
            "{text}"
        );
    }

    #[test]
    fn resolves_packages_from_node_modules_in_the_files_map() {
        let mut files = BTreeMap::new();
        let mut add = |k: &str, v: &str| {
            files.insert(k.to_string(), v.as_bytes().to_vec());
        };
        add(
            "node_modules/react/package.json",
            r#"{"main":"index.js","exports":{".":{"default":"./index.js"},"./jsx-runtime":"./jsx-runtime.js","./package.json":"./package.json"}}"#,
        );
        add(
            "node_modules/react/index.js",
            "module.exports = require('./cjs/react.js')",
        );
        add("node_modules/react/cjs/react.js", "");
        add("node_modules/react/jsx-runtime.js", "");
        add(
            "node_modules/@scope/lib/package.json",
            r#"{"module":"./esm/index.mjs","exports":{"./feature/*":{"import":"./esm/f/*.mjs"}}}"#,
        );
        add("node_modules/@scope/lib/esm/f/x.mjs", "");
        add("node_modules/plain/index.js", "");
        add("node_modules/plain/sub.js", "");
        add("src/node_modules/nested/package.json", r#"{"main":"lib"}"#);
        add("src/node_modules/nested/lib.js", "");
        add("src/main.js", "");
        let records = records_from_files(&files);
        let r = Resolver::new(&records, Some(&files));
        assert_eq!(
            r.resolve("src/main.js", "react").as_deref(),
            Some("node_modules/react/index.js")
        );
        assert_eq!(
            r.resolve("src/main.js", "react/jsx-runtime").as_deref(),
            Some("node_modules/react/jsx-runtime.js")
        );
        assert_eq!(
            r.resolve("src/main.js", "react/cjs/react.js"),
            None,
            "not exported"
        );
        assert_eq!(
            r.resolve("node_modules/react/index.js", "./cjs/react.js")
                .as_deref(),
            Some("node_modules/react/cjs/react.js")
        );
        assert_eq!(
            r.resolve("src/main.js", "@scope/lib/feature/x").as_deref(),
            Some("node_modules/@scope/lib/esm/f/x.mjs")
        );
        assert_eq!(
            r.resolve("src/main.js", "plain").as_deref(),
            Some("node_modules/plain/index.js")
        );
        assert_eq!(
            r.resolve("src/main.js", "plain/sub").as_deref(),
            Some("node_modules/plain/sub.js")
        );
        assert_eq!(
            r.resolve("src/main.js", "nested").as_deref(),
            Some("src/node_modules/nested/lib.js")
        );
        assert_eq!(
            r.resolve("main.js", "nested"),
            None,
            "not visible from above its node_modules"
        );
        assert_eq!(r.resolve("src/main.js", "missing"), None);
    }

    #[test]
    fn resolves_subpath_imports_of_the_importers_own_package() {
        let mut files = BTreeMap::new();
        let mut add = |k: &str, v: &str| {
            files.insert(k.to_string(), v.as_bytes().to_vec());
        };
        // Svelte's shape: `#client/constants` from files deep inside the package.
        add(
            "node_modules/svelte/package.json",
            r##"{"exports":{".":"./src/index.js"},"imports":{"#client/constants":"./src/internal/client/constants.js","#shared/*":{"types":"./x.d.ts","default":"./src/shared/*.js"},"#env":"esm-env"}}"##,
        );
        add("node_modules/svelte/src/index.js", "");
        add("node_modules/svelte/src/internal/client/constants.js", "");
        add("node_modules/svelte/src/internal/client/dom/if.js", "");
        add("node_modules/svelte/src/shared/utils.js", "");
        add(
            "node_modules/esm-env/package.json",
            r#"{"exports":"./index.js"}"#,
        );
        add("node_modules/esm-env/index.js", "");
        add("package.json", r##"{"imports":{"#app/*":"./src/*.ts"}}"##);
        add("src/util.ts", "");
        add("src/main.ts", "");
        let records = records_from_files(&files);
        let r = Resolver::new(&records, Some(&files));
        let deep = "node_modules/svelte/src/internal/client/dom/if.js";
        assert_eq!(
            r.resolve(deep, "#client/constants").as_deref(),
            Some("node_modules/svelte/src/internal/client/constants.js")
        );
        assert_eq!(
            r.resolve(deep, "#shared/utils").as_deref(),
            Some("node_modules/svelte/src/shared/utils.js")
        );
        assert_eq!(
            r.resolve(deep, "#env").as_deref(),
            Some("node_modules/esm-env/index.js"),
            "a package as the target"
        );
        assert_eq!(
            r.resolve("src/main.ts", "#app/util").as_deref(),
            Some("src/util.ts"),
            "the project's own imports"
        );
        assert_eq!(
            r.resolve("src/main.ts", "#client/constants"),
            None,
            "another package's imports are not the importer's"
        );
        assert_eq!(r.resolve(deep, "#missing"), None);
    }

    #[test]
    fn reachable_errors_ignore_unreachable_files() {
        let mut files = BTreeMap::new();
        files.insert("main.js".to_string(), b"import './a.js'".to_vec());
        files.insert(
            "a.js".to_string(),
            format!("x = {}{}", "(".repeat(600), ")".repeat(600)).into_bytes(),
        );
        files.insert("stray.js".to_string(), b"`never closed".to_vec());
        let records = records_from_files(&files);
        let errors = reachable_errors(
            &Resolver::new(&records, None),
            &records,
            &["main.js".to_string()],
        );
        let text = errors.to_string();
        assert!(text.contains(r#""code":"TOO_DEEP","id":"a.js""#), "{text}");
        assert!(!text.contains("stray.js"), "{text}");
    }

    #[test]
    fn quick_check_clears_ordinary_files_and_catches_every_deep_one() {
        assert_eq!(
            quick_check("a.js", b"export const a = (1 + 2) * [3][0]"),
            None
        );
        assert_eq!(
            quick_check("a.js", &[0x2f, 0x2f, 0xe9]).map(|e| e.code),
            Some("NOT_UTF8")
        );
        assert_eq!(
            quick_check("a.css", &[0xe9]).map(|e| e.code),
            Some("NOT_UTF8")
        );
        let deep = format!("x = {}{}", "(".repeat(600), ")".repeat(600));
        assert_eq!(
            quick_check("a.js", deep.as_bytes()).map(|e| e.code),
            Some("TOO_DEEP")
        );
        // Separators hidden in strings do not break up a chain for the lexer, nor hide it here.
        let chain = "a + \";\" + ".repeat(2_100) + "a";
        assert_eq!(
            quick_check("a.js", chain.as_bytes()).map(|e| e.code),
            Some("TOO_DEEP")
        );
        // Many operators spread over statements: lexed in full, and fine.
        let flat: String = (0..3_000).map(|i| format!("x{i} = a + b;\n")).collect();
        assert_eq!(quick_check("a.js", flat.as_bytes()), None);
        // Agrees with the full scanner wherever the full scanner refuses.
        for code in [deep.as_str(), chain.as_str(), "- ".repeat(3_000).as_str()] {
            let full = scan_imports(code, Lang::Js).err().map(|e| e.code);
            assert_eq!(quick_check("a.js", code.as_bytes()).map(|e| e.code), full);
        }
    }

    #[test]
    fn walk_skips_dependencies_hidden_dirs_and_symlink_loops() {
        let root = std::env::temp_dir().join(format!("nexxo-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("src/deep")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/x")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("src/a.ts"), "").unwrap();
        std::fs::write(root.join("src/deep/b.css"), "").unwrap();
        std::fs::write(root.join("src/notes.txt"), "").unwrap();
        std::fs::write(root.join("node_modules/x/index.js"), "").unwrap();
        std::fs::write(root.join(".git/x.js"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&root, root.join("src/loop")).unwrap();
        let found: Vec<String> = walk(&root).unwrap().into_iter().map(|(id, _)| id).collect();
        assert_eq!(found, vec!["src/a.ts", "src/deep/b.css"]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
