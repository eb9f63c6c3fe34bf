//! Commands for the server host, run against the data directory itself:
//! `grove secrets rotate` (new master key, optionally a new data key),
//! `grove users promote` (the recovery when an organisation has no admin)
//! and `grove users passwd` (a one-time link to set a console password).

use anyhow::{bail, Context};
use grove_core::config::Config;
use grove_core::model::{LinkPurpose, Org, Role, User};
use grove_core::page::Page;
use grove_server::{open_embedded_store, open_store};
use grove_store::secrets::{write_key_file, MasterKey, MASTER_KEY_FILE};
use grove_store::{Store, UserPatch};

/// Re-wraps the data keys under a new master key and, with `reencrypt`,
/// seals every credential again under a new data key. The new master key
/// is `new_master_key` (base64) or, when the master key lives in the data
/// directory's `master.key`, a new random one written there.
pub async fn rotate_secrets(
    config: &Config,
    new_master_key: Option<&str>,
    reencrypt: bool,
) -> anyhow::Result<String> {
    if config.store.postgres_url().is_some() {
        bail!("`grove secrets rotate` works on the embedded store only; unset GROVE_DATABASE_URL");
    }
    let store = open_embedded_store(config)?;
    let key_file = config.data_dir.join(MASTER_KEY_FILE);
    let from_env = config.master_key.is_some();
    let new = match new_master_key {
        Some(text) => MasterKey::from_base64(text, "from GROVE_NEW_MASTER_KEY")?,
        None if from_env => bail!(
            "the master key comes from GROVE_MASTER_KEY, so the new one must be given: set \
             GROVE_NEW_MASTER_KEY (base64 of 32 bytes, e.g. `openssl rand -base64 32`)"
        ),
        None => MasterKey::generate(),
    };
    // The new key is on disk before the database depends on it, so a crash
    // between the two leaves it in `master.key.new`.
    let pending = key_file.with_extension("key.new");
    if !from_env {
        write_key_file(&pending, &new)?;
    }
    let rotation = store
        .rotate_secrets(Some(new.clone()), reencrypt)
        .await
        .context("rotation failed; nothing was changed")?;
    let mut report = format!(
        "Rotated: {} data key(s) now wrapped by master key {}",
        rotation.rewrapped_keys,
        new.id()
    );
    if reencrypt {
        report.push_str(&format!(
            "; {} credential(s) sealed again under data key {}",
            rotation.resealed_values, rotation.current_key
        ));
    }
    if from_env {
        report.push_str(
            ".\nSet GROVE_MASTER_KEY to the new key on every server before it next starts.",
        );
    } else {
        std::fs::rename(&pending, &key_file).with_context(|| {
            format!(
                "the new master key is in {}; move it to {}",
                pending.display(),
                key_file.display()
            )
        })?;
        report.push_str(&format!(
            ".\nThe new master key is in {}.",
            key_file.display()
        ));
    }
    Ok(report)
}

/// Makes the user with `email` an admin of their organisation (of `org`
/// when the email is in several).
/// The one user with `email`, in `org` (id or name) when given.
async fn find_user(
    store: &dyn Store,
    email: &str,
    org: Option<&str>,
) -> anyhow::Result<(Org, User)> {
    let mut found = Vec::new();
    for o in store.list_orgs().await? {
        if org.is_some_and(|wanted| wanted != o.id.as_str() && wanted != o.name) {
            continue;
        }
        let mut page = Page {
            limit: 100,
            offset: 0,
        };
        loop {
            let listed = store.list_users(&o.id, page).await?;
            let n = listed.items.len() as u32;
            found.extend(
                listed
                    .items
                    .into_iter()
                    .filter(|u| u.email.eq_ignore_ascii_case(email))
                    .map(|u| (o.clone(), u)),
            );
            if n < page.limit {
                break;
            }
            page.offset += u64::from(n);
        }
    }
    match found.len() {
        0 => bail!(
            "no user with email {email}{}",
            org.map(|o| format!(" in organisation {o}"))
                .unwrap_or_default()
        ),
        1 => Ok(found.remove(0)),
        _ => bail!(
            "{email} is a user of several organisations ({}): name one with --org",
            found
                .iter()
                .map(|(o, _)| format!("{} ({})", o.name, o.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub async fn promote_user(
    config: &Config,
    email: &str,
    org: Option<&str>,
) -> anyhow::Result<String> {
    let store = open_store(config).await?;
    let (o, user) = find_user(store.as_ref(), email, org).await?;
    let patch = UserPatch {
        role: Some(Role::Admin),
        ..UserPatch::default()
    };
    store.update_user(&o.id, &user.id, patch).await?;
    Ok(format!(
        "{} ({}) is now an admin of {} ({}).",
        user.email, user.id, o.name, o.id
    ))
}

/// A one-time link (valid 24 hours) where the user sets a new console
/// password; their sessions end when they use it.
pub async fn password_link(
    config: &Config,
    email: &str,
    org: Option<&str>,
) -> anyhow::Result<String> {
    let store = open_store(config).await?;
    let (_, user) = find_user(store.as_ref(), email, org).await?;
    let link = grove_console::setup_link(
        store.as_ref(),
        &user,
        LinkPurpose::Reset,
        &console_base(config),
    )
    .await?;
    Ok(format!(
        "Open this link within 24 hours to set a password for {}:\n  {link}",
        user.email
    ))
}

/// The console's address as this host reaches it.
pub fn console_base(config: &Config) -> String {
    let addr = config.addr.replace("0.0.0.0", "127.0.0.1");
    format!("http://{addr}")
}
