//! Node-API binding of nexxo-core. Every export forwards to `nexxo_core::api` unchanged, so its
//! answers are the wasm binding's byte for byte; the only logic of its own is `scanProject`'s
//! parallel I/O, the one job that needs native threads. Its one acceleration: the core's BLAKE3
//! runs as the `blake3` crate's SIMD code (same bits, held to the core's own in the tests below).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use nexxo_core::api;
use nexxo_core::graph::ModuleGraph;
use nexxo_core::project::{
    project_graph, quick_check, reachable_errors, scan_file, walk, FileRecord, Resolver,
};
use nexxo_core::stamp::{
    dir_listing_hash, parent_dirs, read_with_stamp, stamp_file, stamp_read, unchanged, BuildInputs,
    DirStamp, FileStamp,
};
use std::path::{Path, PathBuf};

/// SIMD BLAKE3 for every hash the core takes in this process (sources stamped, cache entries
/// sealed): a 25 MB entry takes ~9 ms here against ~35 ms with the core's portable code.
#[napi_derive::module_init]
fn init() {
    nexxo_core::hash::set_accelerated(simd_hash);
}

fn simd_hash(bytes: &[u8]) -> [u8; nexxo_core::hash::OUT_LEN] {
    *blake3::hash(bytes).as_bytes()
}

#[napi]
pub fn version() -> String {
    api::VERSION.to_string()
}

/// Caps the number of glibc malloc arenas in this process; false where the C library is not glibc.
/// glibc gives each thread that contends for the heap an arena of its own and rarely returns their
/// pages, so a long-lived server whose threads (V8's workers, Tokio's, the engines') all allocate
/// holds some 20 MB more than it uses. Only arenas created after the call are affected: call it first.
#[napi]
pub fn limit_malloc_arenas(max: u32) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let max = i32::try_from(max.max(1)).unwrap_or(i32::MAX);
        // SAFETY: mallopt only sets a tuning parameter; M_ARENA_MAX accepts any positive count.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, max) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = max;
        false
    }
}

/// Makes glibc malloc hand freed memory back to the system sooner; false where the C library is
/// not glibc. glibc raises its mmap threshold (up to 32 MB) each time a large block is freed, after
/// which blocks of that size come from the heap, whose top is trimmed only past the trim threshold
/// (which rises with it): a server that compiles thousands of modules then holds their buffers'
/// pages. Fixed thresholds (`bytes`) stop the rise; blocks above them are mapped and unmapped.
#[napi]
pub fn return_freed_memory(bytes: u32) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let bytes = i32::try_from(bytes).unwrap_or(i32::MAX);
        // SAFETY: mallopt only sets tuning parameters; both accept any non-negative byte count.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, bytes) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, bytes) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = bytes;
        false
    }
}

#[napi]
pub fn hash(bytes: &[u8]) -> String {
    api::hash(bytes)
}

#[napi]
pub fn scan(code: String, lang: String) -> String {
    api::scan(&code, &lang)
}

#[napi]
pub fn cache_key(input: String) -> String {
    api::cache_key_json(&input)
}

#[napi]
pub fn module_id(input: String) -> String {
    api::module_id_json(&input)
}

#[napi]
pub fn relative_candidates(input: String) -> String {
    api::relative_candidates_json(&input)
}

#[napi]
pub fn project_from_files(input: String) -> String {
    api::project_from_files(&input)
}

#[napi]
pub struct Graph {
    inner: ModuleGraph,
}

#[napi]
impl Graph {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Graph {
            inner: ModuleGraph::new(),
        }
    }

    #[napi]
    pub fn call(&mut self, op: String, args: String) -> String {
        api::graph_call(&mut self.inner, &op, &args)
    }
}

/// Every scannable file below `root`, handed to `work` (id, absolute path) on Tokio's blocking pool.
async fn per_file<T, F>(root: String, work: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(&str, &Path) -> std::result::Result<T, String> + Send + Sync + Copy + 'static,
{
    let root = PathBuf::from(root);
    let walk_root = root.clone();
    let files = tokio::task::spawn_blocking(move || walk(&walk_root))
        .await
        .map_err(|e| Error::from_reason(e.to_string()))?
        .map_err(|e| Error::from_reason(format!("cannot read {}: {e}", root.display())))?;
    par_map(files, move |(id, path)| work(id, path))
        .await?
        .into_iter()
        .collect::<std::result::Result<Vec<T>, String>>()
        .map_err(Error::from_reason)
}

fn read(path: &Path) -> std::result::Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

async fn read_and_scan(root: String) -> Result<Vec<FileRecord>> {
    per_file(root, |id, path| Ok(scan_file(id, &read(path)?))).await
}

/// The whole project below `root`: the same JSON as `projectFromFiles` gives for those files.
#[napi]
pub async fn scan_project(root: String, entries: Vec<String>) -> Result<String> {
    let records = read_and_scan(root).await?;
    Ok(project_graph(&records, &entries).1.to_string())
}

#[napi(object)]
pub struct ProjectCheck {
    /// JSON: the scan errors of files reachable from the entries.
    pub failures: String,
    /// With `stamp`: a `stampInputs` record of every file checked and its directory, taken as it was read.
    pub stamps: Option<String>,
}

/// The pre-build safety check: the scan errors of files reachable from `entries`. Every file gets
/// the cheap `quick_check`; with `stamp` (a cache will store the build), also a stamp while its
/// bytes are at hand, before the engine reads it, so an edit during the build cannot hide behind a
/// later stamp. The import graph is built only when some file fails the check, to tell whether the
/// entries reach that file.
#[napi]
pub async fn check_project(
    root: String,
    entries: Vec<String>,
    stamp: bool,
    outputs: Option<Vec<String>>,
) -> Result<ProjectCheck> {
    let outputs = outputs.unwrap_or_default();
    let checked = per_file(root.clone(), move |id, path| {
        let path_text = path.to_string_lossy();
        let (before, bytes) =
            read_with_stamp(&path_text).map_err(|e| format!("cannot read {path_text}: {e}"))?;
        let stamped = stamp.then(|| stamp_read(&path_text, before, &bytes));
        Ok((quick_check(id, &bytes), stamped))
    })
    .await?;
    let failed = checked.iter().any(|(failure, _)| failure.is_some());
    let stamps = if stamp {
        let files: Vec<FileStamp> = checked.into_iter().filter_map(|(_, s)| s).collect();
        let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        let dirs = stamp_dirs(parent_dirs(&paths), outputs.clone()).await?;
        Some(
            BuildInputs {
                files,
                dirs,
                outputs,
            }
            .to_record(),
        )
    } else {
        None
    };
    if !failed {
        return Ok(ProjectCheck {
            failures: "[]".to_string(),
            stamps,
        });
    }
    let records = read_and_scan(root).await?;
    let failures = reachable_errors(&Resolver::new(&records, None), &records, &entries).to_string();
    Ok(ProjectCheck { failures, stamps })
}

async fn stamp_dirs(dirs: Vec<String>, outputs: Vec<String>) -> Result<Vec<DirStamp>> {
    let work = dirs.into_iter().map(|d| (d, outputs.clone())).collect();
    par_map(work, |(d, outputs)| DirStamp {
        path: d.clone(),
        hash: dir_listing_hash(d, outputs),
    })
    .await
}

/// Runs `work` over `items` on Tokio's blocking pool, one batch per core, keeping their order.
async fn par_map<T, R, F>(items: Vec<T>, work: F) -> Result<Vec<R>>
where
    T: Send + Sync + 'static,
    R: Send + 'static,
    F: Fn(&T) -> R + Send + Sync + Copy + 'static,
{
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let batch = items.len().div_ceil(workers).max(1);
    let items = std::sync::Arc::new(items);
    let mut tasks = Vec::new();
    for start in (0..items.len()).step_by(batch) {
        let items = items.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            items[start..(start + batch).min(items.len())]
                .iter()
                .map(work)
                .collect::<Vec<R>>()
        }));
    }
    let mut out = Vec::with_capacity(items.len());
    for task in tasks {
        out.extend(task.await.map_err(|e| Error::from_reason(e.to_string()))?);
    }
    Ok(out)
}

/// Stamps of the files a build read and of their directories (see nexxo_core::stamp). Those in
/// `prior` (a `checkProject` record, taken before the build) are reused; the rest are stamped now.
/// With `root`, the record's paths under it are relative (`BuildInputs::relative_to`).
#[napi]
pub async fn stamp_inputs(
    paths: Vec<String>,
    prior: Option<String>,
    root: Option<String>,
) -> Result<String> {
    let prior = prior
        .and_then(|p| BuildInputs::parse(&p))
        .unwrap_or_default();
    let (mut inputs, files_left, dirs_left) = prior.reuse(&paths);
    let fresh = par_map(files_left, |p| stamp_file(p).ok()).await?;
    inputs.files.extend(fresh.into_iter().flatten());
    let outputs = inputs.outputs.clone();
    inputs.dirs.extend(stamp_dirs(dirs_left, outputs).await?);
    Ok(match root {
        Some(root) => inputs.relative_to(&root).to_record(),
        None => inputs.to_record(),
    })
}

/// Whether every file and directory stamped by `stampInputs` is as it was (relative paths in the
/// record are under `root`).
#[napi]
pub async fn inputs_unchanged(inputs: String, root: Option<String>) -> Result<bool> {
    let inputs = match (BuildInputs::parse(&inputs), root) {
        (Some(parsed), Some(root)) => parsed.resolved_from(&root),
        (Some(parsed), None) => parsed,
        (None, _) => return Ok(false),
    };
    let files_ok = par_map(inputs.files, unchanged)
        .await?
        .into_iter()
        .all(|ok| ok);
    let dirs = inputs
        .dirs
        .into_iter()
        .map(|d| (d, inputs.outputs.clone()))
        .collect();
    let dirs_ok = par_map(dirs, |(d, outputs)| {
        dir_listing_hash(&d.path, outputs) == d.hash
    })
    .await?
    .into_iter()
    .all(|ok| ok);
    Ok(files_ok && dirs_ok)
}

#[cfg(test)]
mod tests {
    use super::simd_hash;
    use nexxo_core::hash::portable_hash;

    /// Lengths around every boundary BLAKE3 has: a block (64), a chunk (1024), SIMD batches of 4,
    /// 8 and 16 chunks, and a tree several levels deep.
    #[test]
    fn simd_hash_has_the_core_bits() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        for len in [
            0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 4095, 4096, 4097, 8192, 16384, 16385, 31744,
            65536, 102_400, 299_999,
        ] {
            assert_eq!(
                simd_hash(&data[..len]),
                portable_hash(&data[..len]),
                "length {len}"
            );
        }
    }
}
