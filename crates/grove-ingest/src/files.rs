//! Uploaded files of `file` data sources, kept under
//! `<data dir>/files/<data source id>/` so a sync (a durable queue item) can
//! read them again after a restart; and the connector that streams them.
//!
//! An upload is staged first: every part is size-checked while it is
//! written, zip archives are expanded with their entries checked (no path
//! leaving the archive, no entry over the file limit, the expanded total
//! under the zip limit whatever the headers claim). Only when every part
//! passed are the staged files moved into place, so a refused upload stores
//! nothing.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use grove_core::config::IngestConfig;
use grove_core::ids::DataSourceId;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::source::{Connector, SourceDocument, SourceItem};

/// Entries read from one archive at most.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// Size limits of one upload.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_zip_bytes: u64,
}

impl From<&IngestConfig> for UploadLimits {
    fn from(c: &IngestConfig) -> Self {
        Self {
            max_file_bytes: c.max_file_bytes,
            max_zip_bytes: c.max_zip_bytes,
        }
    }
}

/// Why an upload was refused. Nothing of it is stored.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("`{name}` is larger than the limit of {limit} bytes")]
    TooLarge { name: String, limit: u64 },
    #[error("`{name}`: {reason}")]
    Invalid { name: String, reason: String },
    #[error("upload could not be stored: {0}")]
    Io(#[from] std::io::Error),
}

fn invalid(name: &str, reason: impl Into<String>) -> UploadError {
    UploadError::Invalid {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// A stored file, as listed and as an upload reports it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StoredFile {
    /// Path inside the data source, e.g. `guide.pdf` or `docs/intro.md`.
    pub name: String,
    pub bytes: u64,
}

/// An archive entry that was not kept, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SkippedFile {
    pub name: String,
    pub reason: String,
}

/// The files of every `file` data source.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("files"),
        }
    }

    pub fn source_dir(&self, ds: &DataSourceId) -> PathBuf {
        self.root.join(ds.as_str())
    }

    /// Starts an upload into a fresh staging directory.
    pub fn begin(&self, limits: UploadLimits) -> Result<Upload, UploadError> {
        let staging = self.root.join(".staging");
        std::fs::create_dir_all(&staging)?;
        Ok(Upload {
            dir: tempfile::Builder::new()
                .prefix("upload-")
                .tempdir_in(staging)?,
            limits,
            files: Vec::new(),
            skipped: Vec::new(),
            expanded_total: 0,
            parts: 0,
        })
    }

    /// The files of a data source, by name.
    pub fn list(&self, ds: &DataSourceId) -> std::io::Result<Vec<StoredFile>> {
        let dir = self.source_dir(ds);
        let mut files = Vec::new();
        if dir.exists() {
            walk(&dir, &dir, &mut files)?;
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }

    /// Removes one file; false when there was none of that name.
    pub fn delete(&self, ds: &DataSourceId, name: &str) -> Result<bool, UploadError> {
        let path = self.source_dir(ds).join(relative_path(name)?);
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every file of a data source.
    pub fn delete_source(&self, ds: &DataSourceId) -> std::io::Result<()> {
        match std::fs::remove_dir_all(self.source_dir(ds)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<StoredFile>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = entry.metadata()?;
        if meta.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(StoredFile {
                name: rel.to_string_lossy().replace('\\', "/"),
                bytes: meta.len(),
            });
        }
    }
    Ok(())
}

/// A name as a path that stays inside its directory: plain components only.
fn relative_path(name: &str) -> Result<PathBuf, UploadError> {
    let path = Path::new(name);
    let plain = path.components().all(|c| matches!(c, Component::Normal(_)));
    if name.is_empty() || !plain || name.contains('\\') || name.len() > 1024 {
        return Err(invalid(
            name,
            "file names must be relative paths without `..`, `\\` or a leading `/`",
        ));
    }
    Ok(path.to_path_buf())
}

fn is_zip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// One upload in progress: parts are staged, then committed all at once.
pub struct Upload {
    dir: tempfile::TempDir,
    limits: UploadLimits,
    files: Vec<StoredFile>,
    skipped: Vec<SkippedFile>,
    expanded_total: u64,
    parts: usize,
}

/// A part being written; finish it with [`Upload::finish_part`].
pub struct Part {
    name: String,
    path: PathBuf,
    file: std::fs::File,
    written: u64,
    limit: u64,
}

impl Part {
    /// Appends bytes; refuses the part as soon as it passes its limit.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), UploadError> {
        self.written += bytes.len() as u64;
        if self.written > self.limit {
            return Err(UploadError::TooLarge {
                name: self.name.clone(),
                limit: self.limit,
            });
        }
        self.file.write_all(bytes)?;
        Ok(())
    }
}

impl Upload {
    /// Opens a part named by its file name (the last path segment a client
    /// sent). Unsupported types are refused before any byte is stored.
    pub fn part(&mut self, file_name: &str) -> Result<Part, UploadError> {
        let name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        relative_path(&name)?;
        let zip = is_zip(&name);
        if !zip && !crate::parse::supported("", &name) {
            return Err(invalid(
                &name,
                format!(
                    "unsupported file type; Grove reads {} files and zip archives of them",
                    crate::parse::SUPPORTED
                ),
            ));
        }
        let limit = if zip {
            self.limits.max_zip_bytes
        } else {
            self.limits.max_file_bytes
        };
        self.parts += 1;
        let path = self.dir.path().join(format!("part-{}", self.parts));
        Ok(Part {
            file: std::fs::File::create(&path)?,
            name,
            path,
            written: 0,
            limit,
        })
    }

    /// Takes a written part in: a file is staged under its name, an archive
    /// is expanded. Blocking (archive expansion): call off the async threads.
    pub fn finish_part(&mut self, part: Part) -> Result<(), UploadError> {
        drop(part.file);
        if is_zip(&part.name) {
            let result = self.expand(&part.name, &part.path);
            std::fs::remove_file(&part.path)?;
            return result;
        }
        self.stage(&part.name, &part.path, part.written)
    }

    fn stage(&mut self, name: &str, from: &Path, bytes: u64) -> Result<(), UploadError> {
        let to = self.dir.path().join("files").join(relative_path(name)?);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(from, to)?;
        self.files.retain(|f| f.name != name);
        self.files.push(StoredFile {
            name: name.to_owned(),
            bytes,
        });
        Ok(())
    }

    fn expand(&mut self, archive_name: &str, path: &Path) -> Result<(), UploadError> {
        let bad = |e: zip::result::ZipError| {
            invalid(archive_name, format!("not a readable zip archive: {e}"))
        };
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path)?).map_err(bad)?;
        if archive.len() > MAX_ZIP_ENTRIES {
            return Err(invalid(
                archive_name,
                format!("more than {MAX_ZIP_ENTRIES} entries"),
            ));
        }
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(bad)?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().to_owned();
            if entry.enclosed_name().is_none() || relative_path(&name).is_err() {
                return Err(invalid(
                    archive_name,
                    format!("entry `{name}` would be written outside the archive"),
                ));
            }
            if !crate::parse::supported("", &name) {
                self.skipped.push(SkippedFile {
                    name,
                    reason: format!("unsupported type; Grove reads {}", crate::parse::SUPPORTED),
                });
                continue;
            }
            let staged = self.dir.path().join(format!("entry-{i}"));
            let bytes = self.copy_limited(&mut entry, &staged, archive_name, &name)?;
            self.stage(&name, &staged, bytes)?;
        }
        Ok(())
    }

    /// Copies an entry's expanded bytes, counting them against both limits
    /// as they come (the sizes an archive declares can lie).
    fn copy_limited(
        &mut self,
        entry: &mut impl Read,
        to: &Path,
        archive_name: &str,
        name: &str,
    ) -> Result<u64, UploadError> {
        let mut out = std::fs::File::create(to)?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| invalid(archive_name, format!("entry `{name}` is corrupt: {e}")))?;
            if n == 0 {
                return Ok(written);
            }
            written += n as u64;
            self.expanded_total += n as u64;
            if written > self.limits.max_file_bytes {
                return Err(UploadError::TooLarge {
                    name: format!("{archive_name}: {name}"),
                    limit: self.limits.max_file_bytes,
                });
            }
            if self.expanded_total > self.limits.max_zip_bytes {
                return Err(UploadError::TooLarge {
                    name: format!("{archive_name} (expanded)"),
                    limit: self.limits.max_zip_bytes,
                });
            }
            out.write_all(&buf[..n])?;
        }
    }

    /// Moves every staged file into the data source's directory (replacing
    /// files of the same name). Returns what was stored and what was skipped.
    pub fn commit(
        self,
        store: &FileStore,
        ds: &DataSourceId,
    ) -> Result<(Vec<StoredFile>, Vec<SkippedFile>), UploadError> {
        if self.files.is_empty() {
            return Err(invalid(
                "files",
                "no file to store: send multipart/form-data parts with a filename",
            ));
        }
        let target = store.source_dir(ds);
        for file in &self.files {
            let to = target.join(&file.name);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(self.dir.path().join("files").join(&file.name), to)?;
        }
        Ok((self.files, self.skipped))
    }
}

/// Streams a `file` data source's stored files as raw documents.
pub struct FileConnector {
    dir: PathBuf,
}

impl FileConnector {
    pub fn new(store: &FileStore, ds: &DataSourceId) -> Self {
        Self {
            dir: store.source_dir(ds),
        }
    }
}

#[async_trait]
impl Connector for FileConnector {
    async fn run(&self, out: mpsc::Sender<SourceItem>) -> Result<(), String> {
        let dir = self.dir.clone();
        let mut files = Vec::new();
        if dir.exists() {
            let root = dir.clone();
            files = tokio::task::spawn_blocking(move || {
                let mut files = Vec::new();
                walk(&root, &root, &mut files).map(|()| files)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("the uploaded files could not be listed: {e}"))?;
        }
        let _ = out.send(SourceItem::Discovered(files.len() as u64)).await;
        for file in files {
            let item = match tokio::fs::read(dir.join(&file.name)).await {
                Ok(bytes) => SourceItem::Document(SourceDocument::raw(
                    file.name.clone(),
                    None,
                    file.name,
                    bytes,
                )),
                Err(e) => SourceItem::Failed {
                    key: file.name,
                    message: format!("could not be read: {e}"),
                },
            };
            if out.send(item).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
