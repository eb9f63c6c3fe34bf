//! Organisations, users and keys against a real SQLite file.

use grove_core::apikey::{self, KeyEnvironment};
use grove_core::model::LinkPurpose;
use grove_core::model::Role;
use grove_core::page::Page;
use grove_core::scope::Scope;
use grove_store::console::{ConsoleStore, SessionLimits};
use std::time::Duration;

mod backends;
use backends::provision;

on_each_backend!(
    provisioning_creates_org_admin_and_key_together,
    users_of_one_org_are_invisible_to_another,
    emails_are_unique_per_org_ignoring_case,
    deleting_a_user_revokes_their_keys,
    creating_a_user_announces_it_in_the_outbox,
    the_console_sweep_deletes_only_what_has_expired,
    passwords_are_found_by_email_whatever_its_case_and_links_work_once,
);
use grove_store::{KeyStore, NewApiKey, NewUser, StoreError, SyncStore, TenancyStore, UserPatch};

async fn provisioning_creates_org_admin_and_key_together<S: TenancyStore + KeyStore>(store: &S) {
    assert_eq!(store.count_orgs().await.unwrap(), 0);
    let p = provision(store, "acme").await;
    assert_eq!(store.count_orgs().await.unwrap(), 1);
    assert_eq!(p.admin.org_id, p.org.id);
    assert_eq!(p.admin_key.org_id, p.org.id);
    assert_eq!(p.admin_key.user_id.as_ref(), Some(&p.admin.id));
    let users = store.list_users(&p.org.id, Page::default()).await.unwrap();
    assert_eq!(users.total, 1);
    assert_eq!(users.items[0].role, Role::Admin);
}

async fn users_of_one_org_are_invisible_to_another<S: TenancyStore + KeyStore>(store: &S) {
    let a = provision(store, "a").await;
    let b = provision(store, "b").await;
    assert!(store
        .get_user(&b.org.id, &a.admin.id)
        .await
        .unwrap()
        .is_none());
    let patch = UserPatch {
        name: Some("hijacked".into()),
        ..UserPatch::default()
    };
    assert!(store
        .update_user(&b.org.id, &a.admin.id, patch)
        .await
        .unwrap()
        .is_none());
    assert!(!store.delete_user(&b.org.id, &a.admin.id).await.unwrap());
    assert!(store
        .get_key(&b.org.id, &a.admin_key.id)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .revoke_key(&b.org.id, &a.admin_key.id)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .get_user(&a.org.id, &a.admin.id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Admin"
    );
}

async fn emails_are_unique_per_org_ignoring_case<S: TenancyStore + KeyStore>(store: &S) {
    let a = provision(store, "a").await;
    let b = provision(store, "b").await;
    let dup = NewUser {
        email: "ADMIN@a.example".into(),
        name: "Other".into(),
        role: Role::Readonly,
    };
    let err = store.create_user(&a.org.id, dup.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    // The same address in another org is fine.
    store.create_user(&b.org.id, dup).await.unwrap();
}

async fn deleting_a_user_revokes_their_keys<S: TenancyStore + KeyStore>(store: &S) {
    let a = provision(store, "a").await;
    // The only admin, owning the only admin key, cannot be deleted.
    let err = store.delete_user(&a.org.id, &a.admin.id).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    // With another admin holding an admin key, they can.
    let other = NewUser {
        email: "second@a.example".into(),
        name: "Second".into(),
        role: Role::Admin,
    };
    let second = store.create_user(&a.org.id, other).await.unwrap();
    let key = apikey::generate(KeyEnvironment::Live);
    store
        .create_key(NewApiKey {
            org_id: a.org.id.clone(),
            user_id: Some(second.id),
            name: "second".into(),
            prefix: key.prefix,
            hash: key.hash,
            environment: KeyEnvironment::Live,
            scopes: vec![Scope::Admin],
            permissions: vec![],
            expires_at: None,
        })
        .await
        .unwrap();
    assert!(store.delete_user(&a.org.id, &a.admin.id).await.unwrap());
    let key = store
        .get_key(&a.org.id, &a.admin_key.id)
        .await
        .unwrap()
        .unwrap();
    assert!(key.revoked_at.is_some());
    assert!(key.user_id.is_none());
}

async fn creating_a_user_announces_it_in_the_outbox<S: TenancyStore + SyncStore>(store: &S) {
    let a = provision(store, "a").await;
    let user = store
        .create_user(
            &a.org.id,
            NewUser {
                email: "new@a.example".into(),
                name: "New".into(),
                role: Role::Train,
            },
        )
        .await
        .unwrap();
    let events = store.pending_events(10).await.unwrap();
    let created: Vec<_> = events
        .iter()
        .filter(|e| e.event == "user.created")
        .collect();
    assert_eq!(created.len(), 1, "{events:?}");
    assert_eq!(created[0].org_id, a.org.id);
    assert_eq!(created[0].data["id"], user.id.as_str());
    assert_eq!(created[0].data["email"], "new@a.example");
    assert_eq!(created[0].data["role"], "train");
}

/// The hourly sweep deletes console sessions past their limits and links
/// past their expiry, and nothing that is still live.
async fn the_console_sweep_deletes_only_what_has_expired<S: TenancyStore + ConsoleStore>(
    store: &S,
) {
    let p = provision(store, "acme").await;
    store
        .create_console_session(&p.admin, "session-hash", "csrf")
        .await
        .unwrap();
    store
        .create_link(
            &p.admin,
            LinkPurpose::Invite,
            "live-link",
            Duration::from_secs(3600),
        )
        .await
        .unwrap();
    store
        .create_link(&p.admin, LinkPurpose::Reset, "dead-link", Duration::ZERO)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;

    // Live sessions and links stay; the expired link goes.
    assert_eq!(
        store.purge_console(SessionLimits::CONSOLE).await.unwrap(),
        1
    );
    assert!(store.peek_link("live-link").await.unwrap().is_some());
    assert!(store
        .console_session("session-hash", SessionLimits::CONSOLE)
        .await
        .unwrap()
        .is_some());

    // With limits of a millisecond, the session has expired too.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let tight = SessionLimits {
        idle: Duration::from_millis(1),
        lifetime: Duration::from_millis(1),
    };
    assert_eq!(store.purge_console(tight).await.unwrap(), 1);
    assert!(store
        .console_session("session-hash", SessionLimits::CONSOLE)
        .await
        .unwrap()
        .is_none());
    assert!(store.peek_link("live-link").await.unwrap().is_some());
}

/// Sign-in finds a user's password whatever the case of the email typed; a
/// one-time link sets a password once, ends the user's sessions, and is
/// used up.
async fn passwords_are_found_by_email_whatever_its_case_and_links_work_once<
    S: TenancyStore + ConsoleStore,
>(
    store: &S,
) {
    let p = provision(store, "acme").await;
    assert!(!store.has_password(&p.admin.id).await.unwrap());
    store
        .create_link(
            &p.admin,
            LinkPurpose::Setup,
            "link",
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    store
        .create_console_session(&p.admin, "old-session", "csrf")
        .await
        .unwrap();
    let (user, purpose) = store.peek_link("link").await.unwrap().unwrap();
    assert_eq!(
        (user.id.clone(), purpose),
        (p.admin.id.clone(), LinkPurpose::Setup)
    );
    let used = store.use_link("link", "hash-1").await.unwrap().unwrap();
    assert_eq!(used.id, p.admin.id);
    assert!(
        store.use_link("link", "hash-2").await.unwrap().is_none(),
        "used up"
    );
    assert!(store.peek_link("link").await.unwrap().is_none());
    assert!(store
        .console_session("old-session", SessionLimits::CONSOLE)
        .await
        .unwrap()
        .is_none());
    let logins = store.password_logins("ADMIN@Acme.Example").await.unwrap();
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!(
        (logins[0].0.id.clone(), logins[0].1.as_str()),
        (p.admin.id.clone(), "hash-1")
    );
    assert!(store.has_password(&p.admin.id).await.unwrap());
}

/// Two replicas using one link at the same moment: one sets the password,
/// the other is told the link is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_used_on_two_replicas_at_once_works_once() {
    let db = backends::TestDb::new().await;
    let (a, b) = (db.replica().await, db.replica().await);
    let p = provision(&a, "acme").await;
    for round in 0..10 {
        let token = format!("link-{round}");
        a.create_link(
            &p.admin,
            LinkPurpose::Reset,
            &token,
            Duration::from_secs(60),
        )
        .await
        .unwrap();
        let (first, second) =
            tokio::join!(a.use_link(&token, "from-a"), b.use_link(&token, "from-b"));
        let winners = [first.unwrap(), second.unwrap()]
            .iter()
            .filter(|u| u.is_some())
            .count();
        assert_eq!(winners, 1, "round {round}");
    }
}
