//! Secrets at rest: the keys and the sealed-value format.
//!
//! Every credential Grove keeps (connector tokens, channel webhook URLs,
//! webhook signing secrets) is written as a *sealed* string,
//! `sealed:v1:<key id>:<base64 of nonce ‖ ciphertext>`, encrypted with
//! XChaCha20-Poly1305 under a random 256-bit *data key*. Data keys live in
//! the database wrapped (sealed the same way) by the *master key*, which
//! comes from `GROVE_MASTER_KEY` (base64 of 32 bytes) or, by default, from
//! `master.key` in the data directory (created with mode 0600 on first
//! start). A copy of the database alone therefore holds no credential.
//!
//! Because each value names its data key, `grove secrets rotate` can re-wrap
//! the data keys under a new master key, or seal everything again under a
//! new data key (`--reencrypt`), while servers run: a server that meets a
//! key id it does not hold reloads the keys from the database (see
//! `sqlite::secrets`). This module is only the cryptography and the key
//! material; which fields are credentials is `grove_core::credentials`.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use serde_json::Value;

use crate::StoreResult;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every sealed value starts with.
pub const SEALED_PREFIX: &str = "sealed:v1:";
/// The environment variable holding the master key (base64, 32 bytes).
pub const MASTER_KEY_ENV: &str = "GROVE_MASTER_KEY";
/// The master key file's name in the data directory.
pub const MASTER_KEY_FILE: &str = "master.key";
const NONCE_LEN: usize = 24;

/// Why a secret could not be sealed or opened, or a key not loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The master key's text is not base64 of 32 bytes.
    #[error("the master key {origin} is not valid: {reason} (expected base64 of 32 random bytes, e.g. from `openssl rand -base64 32`)")]
    BadMasterKey { origin: String, reason: String },
    /// The master key does not open the data keys of this database.
    #[error("the master key {origin} (id {given}) does not open this database's data keys, which were wrapped by master key {expected}: start with the master key this data directory was created with")]
    WrongMasterKey {
        origin: String,
        given: String,
        expected: String,
    },
    /// A sealed value names a data key that no longer exists.
    #[error("a credential is sealed with data key {0}, which this database does not hold")]
    UnknownKey(String),
    /// A sealed value was changed or cut short.
    #[error("a sealed credential could not be opened: {0}")]
    Corrupt(String),
    /// The master key file could not be read or written.
    #[error("master key file {path}: {reason}")]
    File { path: String, reason: String },
}

/// The key that wraps the data keys.
#[derive(Clone)]
pub struct MasterKey {
    cipher: XChaCha20Poly1305,
    bytes: [u8; 32],
    id: String,
    /// Where it came from, for messages: `from GROVE_MASTER_KEY` or `in <path>`.
    origin: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl MasterKey {
    /// A new random master key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self::from_bytes(bytes, "generated")
    }

    /// Reads base64 text (surrounding whitespace ignored).
    pub fn from_base64(text: &str, origin: &str) -> Result<Self, SecretError> {
        let bad = |reason: String| SecretError::BadMasterKey {
            origin: origin.to_owned(),
            reason,
        };
        let raw = BASE64
            .decode(text.trim())
            .map_err(|e| bad(format!("not base64 ({e})")))?;
        let bytes: [u8; 32] = raw
            .try_into()
            .map_err(|raw: Vec<u8>| bad(format!("{} bytes instead of 32", raw.len())))?;
        Ok(Self::from_bytes(bytes, origin))
    }

    fn from_bytes(bytes: [u8; 32], origin: &str) -> Self {
        let digest = Sha256::new()
            .chain_update(b"grove master key id\0")
            .chain_update(bytes)
            .finalize();
        Self {
            cipher: XChaCha20Poly1305::new(&bytes.into()),
            bytes,
            id: hex::encode(&digest[..6]),
            origin: origin.to_owned(),
        }
    }

    /// A short fingerprint that names this key without revealing it.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The key as base64, for writing it to a file.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.bytes)
    }

    /// Loads the master key: `GROVE_MASTER_KEY` when `env_value` is given,
    /// else `master.key` in `data_dir`, created (mode 0600) if missing.
    pub fn load(env_value: Option<&str>, data_dir: &Path) -> Result<Self, SecretError> {
        match env_value {
            Some(text) => Self::from_base64(text, &format!("from {MASTER_KEY_ENV}")),
            None => Self::from_file(&data_dir.join(MASTER_KEY_FILE), true),
        }
    }

    /// Reads the key in `path`, creating a new one there when it is missing
    /// and `create` is set.
    pub fn from_file(path: &Path, create: bool) -> Result<Self, SecretError> {
        let origin = format!("in {}", path.display());
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text, &origin),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let key = Self::generate();
                write_key_file(path, &key)?;
                Ok(Self { origin, ..key })
            }
            Err(e) => Err(file_error(path, e)),
        }
    }

    fn wrap_data_key(&self, key_id: &str, raw: &[u8; 32]) -> String {
        seal_bytes(&self.cipher, &wrap_aad(key_id), raw)
    }

    fn unwrap_data_key(&self, key_id: &str, wrapped: &str) -> Option<[u8; 32]> {
        let raw = open_bytes(&self.cipher, &wrap_aad(key_id), wrapped).ok()?;
        raw.try_into().ok()
    }
}

/// Writes `key` to `path` with mode 0600, replacing it atomically.
pub fn write_key_file(path: &Path, key: &MasterKey) -> Result<(), SecretError> {
    let tmp = path.with_extension("key.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| file_error(&tmp, e))?;
    writeln!(file, "{}", key.to_base64()).map_err(|e| file_error(&tmp, e))?;
    file.sync_all().map_err(|e| file_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| file_error(path, e))
}

fn file_error(path: &Path, e: std::io::Error) -> SecretError {
    SecretError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn wrap_aad(key_id: &str) -> Vec<u8> {
    format!("grove data key {key_id}").into_bytes()
}

fn value_aad(key_id: &str) -> Vec<u8> {
    format!("{SEALED_PREFIX}{key_id}").into_bytes()
}

/// base64(nonce ‖ ciphertext) of `plain` with a fresh random nonce.
fn seal_bytes(cipher: &XChaCha20Poly1305, aad: &[u8], plain: &[u8]) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        // Encryption fails only for inputs over 256 GiB.
        .expect("XChaCha20-Poly1305 encrypts any credential-sized input");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    BASE64.encode(out)
}

fn open_bytes(cipher: &XChaCha20Poly1305, aad: &[u8], body: &str) -> Result<Vec<u8>, String> {
    let raw = BASE64
        .decode(body)
        .map_err(|e| format!("not base64 ({e})"))?;
    if raw.len() < NONCE_LEN {
        return Err("too short".to_owned());
    }
    let (nonce, sealed) = raw.split_at(NONCE_LEN);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
        .map_err(|_| "authentication failed (changed, or sealed with another key)".to_owned())
}

/// Splits a sealed value into its key id and body.
pub fn parse_sealed(value: &str) -> Option<(&str, &str)> {
    value.strip_prefix(SEALED_PREFIX)?.split_once(':')
}

/// Whether `value` has the sealed form (it may still fail to open).
pub fn is_sealed(value: &str) -> bool {
    parse_sealed(value).is_some()
}

/// Opening stored credentials, for the connector, notifier or deliverer
/// that uses them. Writes seal credentials inside the store itself.
#[async_trait]
pub trait SecretStore {
    /// `config` with its sealed credential fields opened.
    async fn reveal_config(&self, config: &Value) -> StoreResult<Value>;
    /// One stored credential opened (a value in the clear comes back as it is).
    async fn reveal(&self, stored: &str) -> StoreResult<String>;
}

/// One data key, unwrapped.
pub struct DataKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl DataKey {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Seals `plain` under this key.
    pub fn seal(&self, plain: &str) -> String {
        let body = seal_bytes(&self.cipher, &value_aad(&self.id), plain.as_bytes());
        format!("{SEALED_PREFIX}{}:{body}", self.id)
    }

    fn open_body(&self, body: &str) -> Result<String, SecretError> {
        let plain =
            open_bytes(&self.cipher, &value_aad(&self.id), body).map_err(SecretError::Corrupt)?;
        String::from_utf8(plain).map_err(|_| SecretError::Corrupt("not UTF-8".to_owned()))
    }
}

/// A new data key: its unwrapped form and its wrapped text under `master`.
pub fn new_data_key(master: &MasterKey) -> (Arc<DataKey>, String) {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let mut id_bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut id_bytes);
    let id = format!("dk_{}", hex::encode(id_bytes));
    let wrapped = master.wrap_data_key(&id, &raw);
    let key = DataKey {
        cipher: XChaCha20Poly1305::new(&raw.into()),
        id,
    };
    (Arc::new(key), wrapped)
}

/// Re-wraps a wrapped data key from `old` master to `new` master.
pub fn rewrap(
    key_id: &str,
    wrapped: &str,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<String, SecretError> {
    let raw = old
        .unwrap_data_key(key_id, wrapped)
        .ok_or_else(|| SecretError::Corrupt(format!("data key {key_id} does not unwrap")))?;
    Ok(new.wrap_data_key(key_id, &raw))
}

/// The master key and the data keys unwrapped so far.
pub struct Keyring {
    master: RwLock<MasterKey>,
    /// The master key's file, re-read when the database's keys were
    /// wrapped by another master key (after `grove secrets rotate`).
    master_file: Option<PathBuf>,
    keys: RwLock<HashMap<String, Arc<DataKey>>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("master", &self.master().id)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// A keyring on `master`; `master_file` is where it was read from, if
    /// from a file.
    pub fn new(master: MasterKey, master_file: Option<PathBuf>) -> Self {
        Self {
            master: RwLock::new(master),
            master_file,
            keys: RwLock::new(HashMap::new()),
        }
    }

    pub fn master(&self) -> MasterKey {
        self.master
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Holds `master` from now on (after a rotation made it the master key).
    pub fn set_master(&self, master: MasterKey) {
        *self.master.write().unwrap_or_else(|p| p.into_inner()) = master;
    }

    /// The data key `id`, if unwrapped already.
    pub fn key(&self, id: &str) -> Option<Arc<DataKey>> {
        self.keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    /// Unwraps and keeps data key `id`, wrapped by the master key
    /// `master_id`. When that is not the master key held, the master key
    /// file (if any) is read again first: a rotation may have replaced it.
    pub fn unwrap_key(
        &self,
        id: &str,
        wrapped: &str,
        master_id: &str,
    ) -> Result<Arc<DataKey>, SecretError> {
        if let Some(key) = self.key(id) {
            return Ok(key);
        }
        let mut master = self.master();
        if master.id != master_id {
            if let Some(path) = &self.master_file {
                let reread = MasterKey::from_file(path, false)?;
                if reread.id == master_id {
                    *self.master.write().unwrap_or_else(|p| p.into_inner()) = reread.clone();
                    master = reread;
                }
            }
        }
        let wrong = || SecretError::WrongMasterKey {
            origin: master.origin.clone(),
            given: master.id.clone(),
            expected: master_id.to_owned(),
        };
        if master.id != master_id {
            return Err(wrong());
        }
        let raw = master.unwrap_data_key(id, wrapped).ok_or_else(wrong)?;
        let key = Arc::new(DataKey {
            id: id.to_owned(),
            cipher: XChaCha20Poly1305::new(&raw.into()),
        });
        self.keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), key.clone());
        Ok(key)
    }

    /// Keeps a data key made here.
    pub fn insert(&self, key: Arc<DataKey>) {
        self.keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.id.clone(), key);
    }

    /// Opens a sealed value with a key already held: `Ok(None)` when the
    /// value names a key not held (the caller reloads and asks again).
    pub fn open_held(&self, sealed: &str) -> Result<Option<String>, SecretError> {
        let (id, body) = parse_sealed(sealed)
            .ok_or_else(|| SecretError::Corrupt("not a sealed value".to_owned()))?;
        match self.key(id) {
            Some(key) => key.open_body(body).map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> (Keyring, Arc<DataKey>) {
        let master = MasterKey::generate();
        let (key, _) = new_data_key(&master);
        let ring = Keyring::new(master, None);
        ring.insert(key.clone());
        (ring, key)
    }

    #[test]
    fn sealed_values_open_to_what_was_sealed_and_differ_each_time() {
        let (ring, key) = ring();
        let a = key.seal("xoxb-secret-token");
        let b = key.seal("xoxb-secret-token");
        assert_ne!(a, b, "a fresh nonce per seal");
        assert!(a.starts_with(&format!("{SEALED_PREFIX}{}:", key.id())));
        assert!(!a.contains("xoxb"));
        assert_eq!(
            ring.open_held(&a).unwrap().as_deref(),
            Some("xoxb-secret-token")
        );
        assert_eq!(
            ring.open_held(&b).unwrap().as_deref(),
            Some("xoxb-secret-token")
        );
    }

    #[test]
    fn a_changed_value_or_a_moved_key_id_does_not_open() {
        let (ring, key) = ring();
        let sealed = key.seal("hunter2");
        let (id, body) = parse_sealed(&sealed).unwrap();
        let mut raw = BASE64.decode(body).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let flipped = format!("{SEALED_PREFIX}{id}:{}", BASE64.encode(raw));
        assert!(matches!(
            ring.open_held(&flipped),
            Err(SecretError::Corrupt(_))
        ));
        // Unknown key: not an error here, the caller reloads.
        let other = format!("{SEALED_PREFIX}dk_0000:{body}");
        assert_eq!(ring.open_held(&other), Ok(None));
        assert!(ring.open_held("plain text").is_err());
    }

    #[test]
    fn data_keys_unwrap_only_with_their_master_key() {
        let master = MasterKey::generate();
        let (key, wrapped) = new_data_key(&master);
        let sealed = key.seal("s3cret");

        let same = Keyring::new(
            MasterKey::from_base64(&master.to_base64(), "test").unwrap(),
            None,
        );
        same.unwrap_key(key.id(), &wrapped, master.id()).unwrap();
        assert_eq!(same.open_held(&sealed).unwrap().as_deref(), Some("s3cret"));

        let other = Keyring::new(MasterKey::generate(), None);
        let err = other
            .unwrap_key(key.id(), &wrapped, master.id())
            .unwrap_err();
        assert!(matches!(err, SecretError::WrongMasterKey { .. }), "{err}");
        assert!(err.to_string().contains(master.id()));
    }

    #[test]
    fn rewrapped_keys_open_with_the_new_master_key_only() {
        let old = MasterKey::generate();
        let new = MasterKey::generate();
        let (key, wrapped) = new_data_key(&old);
        let rewrapped = rewrap(key.id(), &wrapped, &old, &new).unwrap();
        let ring = Keyring::new(new.clone(), None);
        ring.unwrap_key(key.id(), &rewrapped, new.id()).unwrap();
        assert_eq!(
            ring.open_held(&key.seal("x")).unwrap().as_deref(),
            Some("x")
        );
        assert!(rewrap(key.id(), &rewrapped, &old, &new).is_err());
    }

    #[test]
    fn master_keys_must_be_32_bytes_of_base64() {
        let err = MasterKey::from_base64("bm90IDMyIGJ5dGVz", "from GROVE_MASTER_KEY").unwrap_err();
        assert!(err.to_string().contains("GROVE_MASTER_KEY"), "{err}");
        assert!(err.to_string().contains("12 bytes instead of 32"), "{err}");
        assert!(MasterKey::from_base64("***", "x").is_err());
        let key = MasterKey::generate();
        let again = MasterKey::from_base64(&format!("  {}\n", key.to_base64()), "x").unwrap();
        assert_eq!(again.id(), key.id());
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = MasterKey::load(None, dir.path()).unwrap();
        let second = MasterKey::load(None, dir.path()).unwrap();
        assert_eq!(first.id(), second.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(MASTER_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let from_env =
            MasterKey::load(Some(&first.to_base64()), Path::new("/nonexistent")).unwrap();
        assert_eq!(from_env.id(), first.id());
    }
}
