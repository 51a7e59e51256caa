//! File stamps for the whole-build cache on disk: what a file was when a build read it (size,
//! modification time, content hash), and whether it still is. A stamp whose size and mtime match is
//! trusted without reading the file; otherwise the content is hashed and compared, so a `touch`
//! costs a read, never a rebuild. Directory stamps (a hash of the sorted listing) catch new files
//! that would change how an import resolves.

use crate::hash::{hash_hex, Hasher};
use crate::json::Json;
use std::path::Path;
use std::time::UNIX_EPOCH;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub path: String,
    pub size: u64,
    /// Nanoseconds since the epoch, as text: JSON numbers cannot hold them exactly.
    pub mtime_ns: String,
    pub hash: String,
}

fn size_and_mtime(path: &str) -> std::io::Result<(u64, String)> {
    let meta = std::fs::metadata(path)?;
    let mtime = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok((meta.len(), mtime.to_string()))
}

pub fn stamp_file(path: &str) -> std::io::Result<FileStamp> {
    let (size, mtime_ns) = size_and_mtime(path)?;
    let hash = hash_hex(&std::fs::read(path)?);
    Ok(FileStamp {
        path: path.to_string(),
        size,
        mtime_ns,
        hash,
    })
}

/// Whether the file is still what `stamp` recorded (a missing file has changed).
pub fn unchanged(stamp: &FileStamp) -> bool {
    match size_and_mtime(&stamp.path) {
        Ok((size, mtime)) if size == stamp.size && mtime == stamp.mtime_ns => true,
        Ok((size, _)) if size != stamp.size => false,
        Ok(_) => std::fs::read(&stamp.path)
            .map(|b| hash_hex(&b) == stamp.hash)
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// A hash of a directory's sorted entry names (empty string for a missing directory).
pub fn dir_listing_hash(dir: &str) -> String {
    let mut names: Vec<String> = match std::fs::read_dir(Path::new(dir)) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => return String::new(),
    };
    names.sort();
    let mut h = Hasher::new();
    for name in &names {
        h.update(name.as_bytes()).update(b"\0");
    }
    crate::hash::to_hex(&h.finalize())
}

/// The directories holding `paths`, sorted and without repeats: their listings decide resolution.
pub fn parent_dirs(paths: &[String]) -> Vec<String> {
    let mut dirs: Vec<String> = paths
        .iter()
        .filter_map(|p| {
            Path::new(p)
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirStamp {
    pub path: String,
    pub hash: String,
}

/// Everything a build read, as stored in the cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildInputs {
    pub files: Vec<FileStamp>,
    pub dirs: Vec<DirStamp>,
}

impl BuildInputs {
    /// `{"files":[stamp...],"dirs":[{"path","hash"}...]}`
    pub fn to_json(&self) -> Json {
        Json::obj([
            (
                "files",
                Json::Arr(self.files.iter().map(FileStamp::to_json).collect()),
            ),
            (
                "dirs",
                Json::Arr(
                    self.dirs
                        .iter()
                        .map(|d| {
                            Json::obj([("path", Json::str(&d.path)), ("hash", Json::str(&d.hash))])
                        })
                        .collect(),
                ),
            ),
        ])
    }

    /// The inverse of `to_json`; None when the text is not such a record.
    pub fn parse(text: &str) -> Option<BuildInputs> {
        let j = Json::parse(text).ok()?;
        let files = j
            .get("files")?
            .as_array()?
            .iter()
            .map(FileStamp::from_json)
            .collect::<Option<Vec<_>>>()?;
        let dirs = j
            .get("dirs")?
            .as_array()?
            .iter()
            .map(|d| {
                Some(DirStamp {
                    path: d.get("path")?.as_str()?.to_string(),
                    hash: d.get("hash")?.as_str()?.to_string(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(BuildInputs { files, dirs })
    }
}

impl FileStamp {
    pub fn to_json(&self) -> Json {
        Json::obj([
            ("path", Json::str(&self.path)),
            ("size", Json::Num(self.size as f64)),
            ("mtimeNs", Json::str(&self.mtime_ns)),
            ("hash", Json::str(&self.hash)),
        ])
    }

    pub fn from_json(j: &Json) -> Option<FileStamp> {
        Some(FileStamp {
            path: j.get("path")?.as_str()?.to_string(),
            size: match j.get("size")? {
                Json::Num(n) => *n as u64,
                _ => return None,
            },
            mtime_ns: j.get("mtimeNs")?.as_str()?.to_string(),
            hash: j.get("hash")?.as_str()?.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_see_edits_and_forgive_touches() {
        let dir = std::env::temp_dir().join(format!("nexxo-stamp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.js");
        std::fs::write(&file, "export const a = 1").unwrap();
        let path = file.to_str().unwrap();
        let stamp = stamp_file(path).unwrap();
        assert!(unchanged(&stamp));
        assert_eq!(FileStamp::from_json(&stamp.to_json()), Some(stamp.clone()));
        // Same content, new mtime: still unchanged (the hash decides).
        let touched = FileStamp {
            mtime_ns: "1".into(),
            ..stamp.clone()
        };
        assert!(unchanged(&touched));
        // Same size, different content: changed.
        std::fs::write(&file, "export const a = 2").unwrap();
        assert!(!unchanged(&FileStamp {
            mtime_ns: "1".into(),
            ..stamp.clone()
        }));
        std::fs::remove_file(&file).unwrap();
        assert!(!unchanged(&stamp));

        let listing = dir_listing_hash(dir.to_str().unwrap());
        std::fs::write(dir.join("index.ts"), "").unwrap();
        assert_ne!(dir_listing_hash(dir.to_str().unwrap()), listing);
        assert_eq!(dir_listing_hash("/nonexistent/dir"), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
