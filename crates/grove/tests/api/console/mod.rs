//! The web console over real HTTP: signed out, every page sends the browser
//! to sign in; a one-time setup link works once; sign-in refuses forms from
//! other sites, wrong passwords (then too many of them) and expired forms;
//! sessions end on sign-out, on a password change and when the user is
//! deleted; pages show what a data source indexed and why documents failed,
//! never another organisation's; every response carries the strict CSP.

use grove_core::ids::{DataSourceId, DocumentId, OrgId, UserId};
use grove_core::model::{LinkPurpose, User};
use grove_core::sources::{Document, DocumentStatus};
use reqwest::header::{HeaderMap, CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::{redirect, StatusCode};

use crate::common::{greenhouse_source, TestServer};

mod agent_settings;
mod answers;
mod channels;
mod connectors;
mod evals;
mod jobs;
mod kb;
mod settings;
mod sources;
mod webhooks;

const PASSWORD: &str = "a long enough password";

/// A browser: no redirects followed, cookies kept by hand, and the
/// `Origin` header a same-site form would send.
struct Browser<'a> {
    t: &'a TestServer,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    html: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the first `<input name="NAME" value="…">`.
    fn input(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self
            .html
            .find(&marker)
            .unwrap_or_else(|| panic!("no input {name}: {}", self.html));
        let rest = &self.html[at + marker.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

impl<'a> Browser<'a> {
    fn new(t: &'a TestServer) -> Self {
        Browser {
            t,
            client: reqwest::Client::builder()
                .redirect(redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !text.contains("Max-Age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            html: response.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(self.t.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// A form post; `origin` is what the browser says it came from.
    async fn post_from(&mut self, origin: Option<&str>, path: &str, form: &[(&str, &str)]) -> Page {
        let mut request = self
            .client
            .post(self.t.url(path))
            .header("cookie", self.cookie_header())
            .form(form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.unwrap();
        self.read(response).await
    }

    /// A `multipart/form-data` post from this site (a file upload).
    async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let response = self
            .client
            .post(self.t.url(path))
            .header("cookie", self.cookie_header())
            .header("origin", self.t.base.clone())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let origin = self.t.base.clone();
        self.post_from(Some(&origin), path, form).await
    }

    /// Signs in through the form.
    async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let token = form.input("csrf");
        self.post(
            "/login",
            &[
                ("csrf", &token),
                ("next", "/"),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }
}

async fn admin_of_a(t: &TestServer) -> User {
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let user = UserId::parse(&t.org_a.user_id).unwrap();
    t.store.get_user(&org, &user).await.unwrap().unwrap()
}

async fn with_password(t: &TestServer, user: &User) {
    let hash = grove_console::session::hash_password(PASSWORD).unwrap();
    assert!(t
        .store
        .set_password(&user.org_id, &user.id, &hash)
        .await
        .unwrap());
}

/// An agent of org A over the greenhouse page that answers whatever it
/// retrieves (threshold 0); its id.
async fn gardener(t: &TestServer) -> String {
    let source = greenhouse_source(t, &t.org_a.api_key).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &t.org_a.api_key,
            serde_json::json!({"name": "Gardener", "data_source_ids": [source], "similarity_threshold": 0.0}),
        )
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    agent.body["id"].as_str().unwrap().to_owned()
}

/// A user of org A with `role`, created through the API, with a password,
/// signed in in a browser of their own.
async fn member<'a>(t: &'a TestServer, email: &str, role: &str) -> (User, Browser<'a>) {
    let created = t
        .post(
            "/api/v1/users",
            &t.org_a.api_key,
            serde_json::json!({"email": email, "name": "Member", "role": role}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let org = OrgId::parse(&t.org_a.org_id).unwrap();
    let id = UserId::parse(created.body["id"].as_str().unwrap()).unwrap();
    let user = t.store.get_user(&org, &id).await.unwrap().unwrap();
    with_password(t, &user).await;
    let mut browser = Browser::new(t);
    browser.sign_in(email, PASSWORD).await;
    (user, browser)
}

#[tokio::test]
async fn signed_out_every_page_goes_to_sign_in_and_every_answer_has_the_csp() {
    let t = TestServer::start().await;
    let mut browser = Browser::new(&t);
    for path in [
        "/",
        "/sources",
        "/sources/ds_x",
        "/sources/new",
        "/sources/ds_x/settings",
        "/sources/ds_x/progress/stream",
        "/documents/doc_x?offset=50",
        "/search?q=vents",
        "/agents",
        "/agents/agent_x/chat",
        "/jobs",
        "/jobs/new",
        "/jobs/job_x",
        "/jobs/job_x/settings",
        "/chats/chat_x",
        "/interactions",
        "/interactions/int_x",
        "/review",
        "/kb",
        "/kb/new",
        "/kb/kb_x",
        "/kb/kb_x/versions/1",
        "/keys",
        "/users",
        "/channels",
        "/channels/chan_x",
        "/connectors",
        "/connectors/dc_x",
        "/evals/new",
        "/evals/evs_x/edit",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            page.location().starts_with("/login?next=/"),
            "{}",
            page.location()
        );
    }
    let login = browser.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let csp = login.headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!login.html.contains("<script>"), "no inline script");
    // The stylesheet is served under its content hash, cached for a year.
    let at = login.html.find("/assets/").unwrap();
    let css = &login.html[at..at + login.html[at..].find('"').unwrap()];
    let asset = browser.get(css).await;
    assert_eq!(asset.status, StatusCode::OK, "{css}");
    assert!(asset.headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert!(asset.html.contains("--accent"));
    assert_eq!(
        browser
            .get("/assets/0000000000000000/console.css")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_setup_link_sets_the_first_password_once_and_signs_in() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    let link = grove_console::setup_link(t.store.as_ref(), &admin, LinkPurpose::Setup, &t.base)
        .await
        .unwrap();
    let path = link.strip_prefix(&t.base).unwrap().to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let mut browser = Browser::new(&t);
    let form = browser.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("admin@a.example") && form.html.contains("first administrator"));

    let short = browser
        .post(
            "/setup",
            &[("token", &token), ("password", "short"), ("again", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.html.contains("at least 10 characters"),
        "{}",
        short.html
    );
    let differ = browser
        .post(
            "/setup",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("again", "another long password"),
            ],
        )
        .await;
    assert!(differ.html.contains("The two passwords differ."));
    let cross_site = browser
        .post_from(
            Some("http://evil.example"),
            "/setup",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);

    let done = browser
        .post(
            "/setup",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location(), "/");
    let set_cookie = done.headers[SET_COOKIE].to_str().unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.html.contains("admin@a.example (admin)"),
        "{}",
        home.html
    );

    // Once only.
    let again = Browser::new(&t).get(&path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.html.contains("used already"));
    // And the password now signs in.
    let mut other = Browser::new(&t);
    assert_eq!(
        other.sign_in("admin@a.example", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sign_in_refuses_forged_expired_and_repeated_wrong_attempts() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    let form = browser.get("/login").await;
    let token = form.input("csrf");
    // Another site's form, and a form without the browser's own token.
    let forged = [
        ("csrf", token.as_str()),
        ("email", "admin@a.example"),
        ("password", PASSWORD),
    ];
    assert_eq!(
        browser
            .post_from(Some("http://evil.example"), "/login", &forged)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser.post_from(None, "/login", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    let stale = browser
        .post(
            "/login",
            &[
                ("csrf", "not-the-token"),
                ("email", "admin@a.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(stale.html.contains("expired"));

    for _ in 0..5 {
        let wrong = browser.sign_in("admin@a.example", "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.html.contains("The email or the password is wrong."));
    }
    let blocked = browser.sign_in("admin@a.example", PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        blocked.html.contains("Too many failed sign-ins"),
        "{}",
        blocked.html
    );
    assert!(
        browser.get("/").await.status == StatusCode::SEE_OTHER,
        "still signed out"
    );
}

#[tokio::test]
async fn sessions_end_on_sign_out_password_change_and_user_deletion() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;

    let mut browser = Browser::new(&t);
    let signed_in = browser.sign_in("ADMIN@a.example", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let csrf = home.input("csrf");
    assert_eq!(
        browser.post("/logout", &[("csrf", "wrong")]).await.status,
        StatusCode::FORBIDDEN
    );
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login");
    assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);

    // A new password ends every session of the user.
    let mut kept = Browser::new(&t);
    kept.sign_in("admin@a.example", PASSWORD).await;
    assert_eq!(kept.get("/").await.status, StatusCode::OK);
    with_password(&t, &admin).await;
    assert_eq!(kept.get("/").await.status, StatusCode::SEE_OTHER);

    // So does deleting the user (an admin of org A creates and deletes one).
    let (reader, mut readers) = member(&t, "reader@a.example", "readonly").await;
    let reader_id = reader.id.to_string();
    let page = readers.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("reader@a.example (readonly)"));
    let deleted = t
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/users/{reader_id}"),
            Some(&t.org_a.api_key),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(readers.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn pages_show_what_a_source_indexed_and_why_documents_failed() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let source = greenhouse_source(&t, &t.org_a.api_key).await;
    let source_id = DataSourceId::parse(&source).unwrap();
    for (key, error) in [
        ("scan-1.pdf", "the PDF has no text layer"),
        ("scan-2.pdf", "the PDF has no text layer"),
        ("huge.docx", "larger than max_file_bytes"),
    ] {
        let doc = Document {
            id: DocumentId::generate(),
            data_source_id: source_id.clone(),
            source_key: key.into(),
            title: key.into(),
            url: None,
            content_hash: None,
            chunks: 0,
            bytes: None,
            status: DocumentStatus::Failed,
            error: Some(error.into()),
            indexed_at: None,
        };
        t.store
            .put_failed_document(&admin.org_id, doc, None)
            .await
            .unwrap();
    }
    let other_org_source = greenhouse_source(&t, &t.org_b.api_key).await;

    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let list = browser.get("/sources").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.html.contains(&format!("href=\"/sources/{source}\"")),
        "{}",
        list.html
    );
    assert!(
        !list.html.contains(&other_org_source),
        "another organisation's source"
    );

    let detail = browser.get(&format!("/sources/{source}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.html.contains(">Greenhouse</a>"), "{}", detail.html);
    // Failures grouped by message, most frequent first, each a link.
    let first = detail.html.find("the PDF has no text layer").unwrap();
    let second = detail.html.find("larger than max_file_bytes").unwrap();
    assert!(first < second);
    assert!(
        detail.html.contains(&format!(
        "href=\"/sources/{source}?status=failed&#38;error=the%20PDF%20has%20no%20text%20layer\">2</a>"
    )),
        "{}",
        detail.html
    );
    let failed = browser
        .get(&format!(
            "/sources/{source}?status=failed&error=the%20PDF%20has%20no%20text%20layer"
        ))
        .await;
    assert!(failed.html.contains("scan-1.pdf") && failed.html.contains("scan-2.pdf"));
    assert!(!failed.html.contains("huge.docx"), "{}", failed.html);
    assert!(!failed.html.contains(">Greenhouse</a>"), "{}", failed.html);
    let searched = browser.get(&format!("/sources/{source}?q=SCAN-2")).await;
    assert!(
        searched.html.contains(">scan-2.pdf</a>") && !searched.html.contains(">scan-1.pdf</a>")
    );

    // The last sync's progress, a fragment of its own that stops asking
    // for itself once the sync is over; "Sync now" queues another.
    assert!(
        detail
            .html
            .contains("Last sync: <span class=\"badge succeeded\">succeeded</span>"),
        "{}",
        detail.html
    );
    let fragment = browser.get(&format!("/sources/{source}/progress")).await;
    assert!(
        fragment.html.starts_with("<div id=\"progress\""),
        "{}",
        fragment.html
    );
    assert!(
        !fragment.html.contains("data-stream") && !fragment.html.contains("data-poll"),
        "a finished sync is neither streamed nor polled"
    );
    let before = t
        .get(
            &format!("/api/v1/data-sources/{source}/status"),
            &t.org_a.api_key,
        )
        .await;
    let csrf = detail.input("csrf");
    let queued = browser
        .post(&format!("/sources/{source}/sync"), &[("csrf", &csrf)])
        .await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER);
    let after = t
        .get(
            &format!("/api/v1/data-sources/{source}/status"),
            &t.org_a.api_key,
        )
        .await;
    assert_ne!(
        before.body["sync_id"], after.body["sync_id"],
        "{}",
        after.body
    );

    // One document with its chunks.
    let at = detail.html.find("href=\"/documents/").unwrap() + "href=\"".len();
    let doc_path = &detail.html[at..at + detail.html[at..].find('"').unwrap()];
    let doc = browser.get(doc_path).await;
    assert_eq!(doc.status, StatusCode::OK, "{doc_path}");
    assert!(
        doc.html
            .contains("vents open automatically when the temperature rises above 28 degrees"),
        "{}",
        doc.html
    );

    // Another organisation's source is not found.
    let hidden = browser.get(&format!("/sources/{other_org_source}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    // The home page counts what the organisation has.
    let home = browser.get("/").await;
    assert!(
        home.html.contains("<dt>Data sources</dt><dd>1</dd>"),
        "{}",
        home.html
    );
}

#[tokio::test]
async fn the_chat_answers_with_links_to_its_sources_streamed_or_not() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let agent = gardener(&t).await;

    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let agents = browser.get("/agents").await;
    assert!(
        agents
            .html
            .contains(&format!("href=\"/agents/{agent}/chat\">Gardener</a>")),
        "{}",
        agents.html
    );
    let chat_path = format!("/agents/{agent}/chat");
    let empty = browser.get(&chat_path).await;
    let csrf = empty.input("csrf");
    assert_eq!(
        browser
            .post(
                &chat_path,
                &[("csrf", "wrong"), ("question", "When do the vents open?")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Without JavaScript: the answer comes with the next page.
    let asked = browser
        .post(
            &chat_path,
            &[
                ("csrf", &csrf),
                ("session", ""),
                ("question", "When do the vents open?"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);
    let next = asked.location().to_owned();
    assert!(
        next.starts_with(&format!("{chat_path}?session=sess_")),
        "{next}"
    );
    let page = browser.get(&next).await;
    assert!(page.html.contains("28 degrees"), "{}", page.html);
    assert!(
        page.html.contains("\">[1]</a>"),
        "a marker links to its source: {}",
        page.html
    );
    assert!(
        page.html.contains("href=\"/documents/doc_"),
        "{}",
        page.html
    );
    let session = page.input("session");
    assert!(session.starts_with("sess_"));

    // With JavaScript: the same form, answered as a stream in the session.
    let streamed = browser
        .post(
            &format!("{chat_path}/stream"),
            &[
                ("csrf", &csrf),
                ("session", &session),
                ("question", "Do they close at night?"),
            ],
        )
        .await;
    assert_eq!(streamed.status, StatusCode::OK);
    assert!(streamed.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    assert!(streamed.html.contains("event: delta"), "{}", streamed.html);
    let done = streamed.html.split("event: done\ndata: ").nth(1).unwrap();
    let done: serde_json::Value = serde_json::from_str(done.lines().next().unwrap()).unwrap();
    assert_eq!(done["session"], session.as_str());
    assert!(done["html"]
        .as_str()
        .unwrap()
        .contains("Do they close at night?"));
    // Both turns are in the session's page now, each with feedback buttons.
    let both = browser.get(&next).await;
    let at = both.html.find("action=\"/interactions/").unwrap() + "action=\"".len();
    let feedback = both.html[at..at + both.html[at..].find('"').unwrap()].to_owned();
    let back = both.input("back");
    let given = browser
        .post(
            &feedback,
            &[("csrf", &csrf), ("feedback", "positive"), ("back", &back)],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    assert_eq!(given.location(), back);
    let id = feedback
        .trim_start_matches("/interactions/")
        .trim_end_matches("/feedback");
    let stored = t.get(&format!("/api/v1/interactions/{id}"), &key).await;
    assert_eq!(stored.body["feedback"], "positive");
    let elsewhere = browser
        .post(
            &feedback,
            &[
                ("csrf", &csrf),
                ("feedback", "negative"),
                ("back", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(elsewhere.location(), "/", "never another site");
    assert!(
        both.html.contains("When do the vents open?")
            && both.html.contains("Do they close at night?")
    );
    // Questions asked in the console count their user among the askers.
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let analytics = t
        .get(
            &format!("/api/v1/analytics?start_date={today}&end_date={today}"),
            &key,
        )
        .await;
    assert_eq!(
        analytics.body["metrics"]["total_queries"], 2,
        "{}",
        analytics.body
    );
    assert_eq!(
        analytics.body["metrics"]["unique_users"], 1,
        "{}",
        analytics.body
    );
}

#[tokio::test]
async fn admins_create_keys_shown_once_and_revoke_them_others_may_not() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let page = browser.get("/keys").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.input("csrf");

    let none = browser
        .post("/keys", &[("csrf", &csrf), ("name", "no scopes")])
        .await;
    assert!(
        none.html.contains("Tick at least one scope."),
        "{}",
        none.html
    );
    let past = browser
        .post(
            "/keys",
            &[
                ("csrf", &csrf),
                ("name", "old"),
                ("scope", "read"),
                ("expires_on", "2020-01-01"),
            ],
        )
        .await;
    assert!(past.html.contains("The expiry date must be in the future."));

    let created = browser
        .post(
            "/keys",
            &[
                ("csrf", &csrf),
                ("name", "dashboard"),
                ("scope", "read"),
                ("scope", "execute"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let at =
        created.html.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let secret = created.html[at..at + created.html[at..].find('<').unwrap()].to_owned();
    assert!(secret.starts_with("grove_live_"), "{secret}");
    // The secret works against the API, and is not shown again.
    assert_eq!(
        t.get("/api/v1/agents", &secret).await.status,
        StatusCode::OK
    );
    assert!(!browser.get("/keys").await.html.contains(&secret));

    // Revoked from the console, it stops working at once.
    let listed = t.get("/api/v1/api-keys", &t.org_a.api_key).await;
    let id = listed.body["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "dashboard")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        listed.body["api_keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == "dashboard")
            .unwrap()["user_id"],
        admin.id.as_str()
    );
    let revoked = browser
        .post(&format!("/keys/{id}/revoke"), &[("csrf", &csrf)])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get("/api/v1/agents", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(browser.get("/keys").await.html.contains("revoked"));

    // A user below admin sees no keys page and cannot post to it.
    let (_, mut other) = member(&t, "cfg@a.example", "configure").await;
    let home = other.get("/").await;
    assert!(
        !home.html.contains("href=\"/keys\""),
        "the navigation hides it"
    );
    let refused = other.get("/keys").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.html.contains("needs admin"), "{}", refused.html);
    let csrf = home.input("csrf");
    assert_eq!(
        other
            .post(
                "/keys",
                &[("csrf", &csrf), ("name", "sneaky"), ("scope", "admin")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn admins_invite_users_who_set_their_own_password_and_manage_their_roles() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let csrf = browser.get("/users").await.input("csrf");

    let invited = browser
        .post(
            "/users",
            &[
                ("csrf", &csrf),
                ("email", "ann@a.example"),
                ("name", "Ann"),
                ("role", "train"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK);
    assert!(
        invited
            .html
            .contains("Give this link to <strong>ann@a.example</strong>"),
        "{}",
        invited.html
    );
    let at = invited.html.find("/setup?token=").unwrap();
    let link = invited.html[at..at + invited.html[at..].find('<').unwrap()].to_owned();
    let bad = browser
        .post(
            "/users",
            &[
                ("csrf", &csrf),
                ("email", "not an email"),
                ("name", "X"),
                ("role", "train"),
            ],
        )
        .await;
    assert!(
        bad.html.contains("must be an email address"),
        "{}",
        bad.html
    );

    // Ann accepts the invitation and is signed in with her role.
    let mut ann = Browser::new(&t);
    let form = ann.get(&link).await;
    assert!(form.html.contains("Welcome to Grove"), "{}", form.html);
    let token = form.input("token");
    let accepted = ann
        .post(
            "/setup",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    let home = ann.get("/").await;
    assert!(home.html.contains("ann@a.example (train)"));
    assert!(!home.html.contains("href=\"/users\""));
    assert_eq!(ann.get("/users").await.status, StatusCode::FORBIDDEN);

    // Roles change through the API's checks: the last admin stays an admin.
    let users = browser.get("/users").await;
    assert!(users.html.contains("ann@a.example"));
    let ann_id = t.get("/api/v1/users", &t.org_a.api_key).await.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "ann@a.example")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let demoted = browser
        .post(
            &format!("/users/{}/role", admin.id),
            &[("csrf", &csrf), ("role", "readonly")],
        )
        .await;
    assert!(
        demoted.html.contains("without an admin"),
        "{}",
        demoted.html
    );
    let promoted = browser
        .post(
            &format!("/users/{ann_id}/role"),
            &[("csrf", &csrf), ("role", "configure")],
        )
        .await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    assert!(ann
        .get("/")
        .await
        .html
        .contains("ann@a.example (configure)"));

    // A new password link for a user with a password is a reset.
    let reset = browser
        .post(&format!("/users/{ann_id}/link"), &[("csrf", &csrf)])
        .await;
    let at = reset.html.find("/setup?token=").unwrap();
    let link = reset.html[at..at + reset.html[at..].find('<').unwrap()].to_owned();
    assert!(Browser::new(&t)
        .get(&link)
        .await
        .html
        .contains("Choose a new password"));
    // Using a newer link voids the older one.
    let newer = browser
        .post(&format!("/users/{ann_id}/link"), &[("csrf", &csrf)])
        .await;
    let at = newer.html.find("/setup?token=").unwrap();
    let newer = newer.html[at..at + newer.html[at..].find('<').unwrap()].to_owned();
    let mut someone = Browser::new(&t);
    let token = someone.get(&newer).await.input("token");
    someone
        .post(
            "/setup",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        Browser::new(&t).get(&link).await.status,
        StatusCode::NOT_FOUND
    );

    // Deleting Ann ends her session.
    let deleted = browser
        .post(&format!("/users/{ann_id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(ann.get("/").await.status, StatusCode::SEE_OTHER);
    assert!(!browser.get("/users").await.html.contains("ann@a.example"));
}

#[tokio::test]
async fn a_job_runs_from_the_console_and_its_chat_shows_table_chart_report_and_pdf() {
    let t = TestServer::start_with(|c| c.queue.poll_interval_ms = 20).await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let path = crate::scopes::shop_database(&t, 1);
    let connector = t
        .post(
            "/api/v1/data-connectors",
            &key,
            serde_json::json!({"name": "Shop", "type": "sqlite", "config": {"path": path}}),
        )
        .await;
    let source = greenhouse_source(&t, &key).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            serde_json::json!({"name": "Analyst", "data_source_ids": [source]}),
        )
        .await;
    let agent = agent.body["id"].as_str().unwrap().to_owned();
    let job = t
        .post(&format!("/api/v1/agents/{agent}/jobs"), &key, serde_json::json!({
            "name": "Regional revenue", "prompt": "Revenue above {{min_total}}",
            "parameters": [{"name": "min_total", "type": "number", "default": 0}],
            "queries": [{"name": "Revenue by region", "connector_id": connector.body["id"],
                         "sql": "SELECT region, sum(total) AS total FROM orders WHERE total >= {{min_total}} GROUP BY region ORDER BY region"}]
        }))
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
    let job = job.body["id"].as_str().unwrap().to_owned();

    let weekly = t
        .post(
            &format!("/api/v1/agents/{agent}/jobs"),
            &key,
            serde_json::json!({
                "name": "Weekly digest", "prompt": "What changed?",
                "schedule": "0 8 * * 1", "timezone": "Europe/Berlin"
            }),
        )
        .await;
    assert_eq!(weekly.status, StatusCode::CREATED, "{}", weekly.body);

    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let jobs = browser.get("/jobs").await;
    assert!(
        jobs.html
            .contains(&format!("href=\"/jobs/{job}\">Regional revenue</a>")),
        "{}",
        jobs.html
    );
    // Schedules in words, with the zone and the cron they come from.
    assert!(
        jobs.html
            .contains("At 08:00, only on Monday (Europe/Berlin; cron 0 8 * * 1)"),
        "{}",
        jobs.html
    );
    let page = browser.get(&format!("/jobs/{job}")).await;
    assert!(
        page.html.contains("name=\"param.min_total\" value=\"0\""),
        "{}",
        page.html
    );
    let csrf = page.input("csrf");
    let refused = browser
        .post(
            &format!("/jobs/{job}/run"),
            &[("csrf", &csrf), ("param.min_total", "many")],
        )
        .await;
    assert!(
        refused.html.contains("min_total"),
        "a wrong type is named: {}",
        refused.html
    );
    let started = browser
        .post(
            &format!("/jobs/{job}/run"),
            &[("csrf", &csrf), ("param.min_total", "5")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let chat = loop {
        let page = browser.get(&format!("/jobs/{job}")).await;
        if page.html.contains("badge succeeded") {
            let at = page.html.find("href=\"/chats/").unwrap() + "href=\"".len();
            break page.html[at..at + page.html[at..].find('"').unwrap()].to_owned();
        }
        assert!(!page.html.contains("badge failed"), "{}", page.html);
        assert!(std::time::Instant::now() < deadline, "{}", page.html);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let shown = browser.get(&chat).await;
    assert_eq!(shown.status, StatusCode::OK);
    // min_total 5 drops the EU order of 4.5: EU 10.5, US 20.
    assert!(
        shown.html.contains("<td>EU</td><td>10.5</td>"),
        "{}",
        shown.html
    );
    assert!(
        shown.html.contains("<td>US</td><td>20.0</td>")
            || shown.html.contains("<td>US</td><td>20</td>"),
        "{}",
        shown.html
    );
    assert!(
        shown.html.contains("src=\"data:image/svg+xml;base64,"),
        "the chart as an image"
    );
    assert!(shown.html.contains("Revenue above 5"), "the question");
    let at = shown.html.find("/documents/").unwrap();
    let pdf_path = format!(
        "{chat}{}",
        &shown.html[at..at + shown.html[at..].find('"').unwrap()]
    );
    let pdf = browser.get(&pdf_path).await;
    assert_eq!(pdf.status, StatusCode::OK, "{pdf_path}");
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.html.starts_with("%PDF"));
}

#[tokio::test]
async fn reviewers_mark_and_correct_answers_in_the_inbox_and_readers_only_look() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let agent = gardener(&t).await;
    for question in ["When do the vents open?", "Do the vents close at night?"] {
        let asked = t
            .post(
                "/api/v1/query",
                &key,
                serde_json::json!({"agent_id": agent, "query": question}),
            )
            .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    }

    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let inbox = browser.get("/review").await;
    assert!(
        inbox.html.contains("When do the vents open?")
            && inbox.html.contains("Do the vents close at night?")
    );
    let at = inbox.html.find("href=\"/interactions/").unwrap() + "href=\"".len();
    let first = inbox.html[at..at + inbox.html[at..].find('"').unwrap()].to_owned();
    let page = browser.get(&first).await;
    assert!(
        page.html.contains("28 degrees") || page.html.contains("night"),
        "{}",
        page.html
    );
    let csrf = page.input("csrf");
    let marked = browser
        .post(
            &format!("{first}/review"),
            &[("csrf", &csrf), ("verdict", "accurate")],
        )
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER);
    let rest = browser.get("/review").await;
    assert_eq!(
        rest.html.matches("href=\"/interactions/").count(),
        1,
        "{}",
        rest.html
    );
    let accurate = browser.get("/review?status=accurate").await;
    assert!(accurate.html.contains(&format!("href=\"{first}\"")));

    // An empty correction is refused with the API's reason; a real one is kept.
    let empty = browser
        .post(
            &format!("{first}/review"),
            &[
                ("csrf", &csrf),
                ("verdict", "edited"),
                ("edited_answer", "  "),
            ],
        )
        .await;
    assert!(
        empty.html.contains("must be 1 to 20000 characters"),
        "{}",
        empty.html
    );
    browser
        .post(
            &format!("{first}/review"),
            &[
                ("csrf", &csrf),
                ("verdict", "edited"),
                ("edited_answer", "Above 28 °C; they close at night."),
            ],
        )
        .await;
    let edited = browser.get("/review?status=edited").await;
    assert!(edited.html.contains(&format!("href=\"{first}\"")));
    let id = first.trim_start_matches("/interactions/");
    let stored = t.get(&format!("/api/v1/interactions/{id}"), &key).await;
    assert_eq!(
        stored.body["edited_answer"],
        "Above 28 °C; they close at night."
    );

    // A read-only user sees the answer but has no verdict to give.
    let (_, mut ro) = member(&t, "ro@a.example", "readonly").await;
    let looked = ro.get(&first).await;
    assert_eq!(looked.status, StatusCode::OK);
    assert!(!looked.html.contains("value=\"accurate\""));
    let csrf = looked.input("csrf");
    let refused = ro
        .post(
            &format!("{first}/review"),
            &[("csrf", &csrf), ("verdict", "inaccurate")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.html.contains("needs train"), "{}", refused.html);
}

#[tokio::test]
async fn console_work_spends_the_same_quota_as_the_api() {
    let t = TestServer::start_with(|c| {
        c.rate_limits.execute.per_minute = 1;
        c.rate_limits.execute.burst = 2;
    })
    .await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let source = greenhouse_source(&t, &key).await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            serde_json::json!({"name": "Gardener", "data_source_ids": [source]}),
        )
        .await;
    let chat = format!("/agents/{}/chat", agent.body["id"].as_str().unwrap());
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let page = browser.get(&chat).await; // one of two
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.input("csrf");
    let ask = [
        ("csrf", csrf.as_str()),
        ("question", "When do the vents open?"),
    ];
    assert_eq!(
        browser.post(&chat, &ask).await.status,
        StatusCode::SEE_OTHER
    ); // two of two
    let refused = browser.post(&chat, &ask).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.html
    );
    assert!(refused.headers.contains_key("retry-after"));
    assert!(refused.html.contains("try again in"));
    // Reading pages is another scope's quota.
    assert_eq!(browser.get("/sources").await.status, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_tls_proxy_the_session_cookie_is_secure_and_host_only() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let client = reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(t.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let login_cookie = form.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        login_cookie.starts_with("__Host-grove_login=") && login_cookie.contains("; Secure"),
        "{login_cookie}"
    );
    let token = login_cookie["__Host-grove_login=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let signed_in = client
        .post(t.url("/login"))
        .header("x-forwarded-proto", "https")
        .header("origin", &t.base)
        .header("cookie", format!("__Host-grove_login={token}"))
        .form(&[
            ("csrf", token.as_str()),
            ("email", "admin@a.example"),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let session = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-grove_session="))
        .expect("a host-only session cookie");
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly"),
        "{session}"
    );
    let pair = session.split(';').next().unwrap().to_owned();
    let home = client
        .get(t.url("/"))
        .header("x-forwarded-proto", "https")
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), StatusCode::OK);
}

#[tokio::test]
async fn home_lists_failed_runs_and_failing_webhooks() {
    let t = TestServer::start_with(|c| c.queue.poll_interval_ms = 20).await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let key = t.org_a.api_key.clone();
    let path = crate::scopes::shop_database(&t, 2);
    let connector = t
        .post(
            "/api/v1/data-connectors",
            &key,
            serde_json::json!({"name": "Shop", "type": "sqlite", "config": {"path": path}}),
        )
        .await;
    let agent = t
        .post(
            "/api/v1/agents",
            &key,
            serde_json::json!({"name": "Analyst", "data_connector_ids": [connector.body["id"]]}),
        )
        .await;
    // A saved query the guard refuses: the run fails, with no retry.
    let job = t
        .post(
            &format!("/api/v1/agents/{}/jobs", agent.body["id"].as_str().unwrap()),
            &key,
            serde_json::json!({"name": "Cleanup", "prompt": "Clean up",
                "retry": {"max_retries": 0, "delay_seconds": 0},
                "queries": [{"name": "Delete", "connector_id": connector.body["id"], "sql": "DELETE FROM orders"}]}),
        )
        .await;
    assert_eq!(job.status, StatusCode::CREATED, "{}", job.body);
    let job = job.body["id"].as_str().unwrap().to_owned();
    let started = t
        .post(
            &format!("/api/v1/jobs/{job}/runs"),
            &key,
            serde_json::json!({}),
        )
        .await;
    let run = started.body["runs"][0]["id"].as_str().unwrap().to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while t.get(&format!("/api/v1/runs/{run}"), &key).await.body["status"] != "failed" {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    // An endpoint switched off after failing, as the dispatcher leaves it.
    let hook = t
        .store
        .create_webhook(
            &admin.org_id,
            grove_store::webhooks::NewWebhook {
                url: "https://hooks.example.com/broken".into(),
                events: vec!["*".into()],
                enabled: true,
            },
            "whsec_home_test".into(),
        )
        .await
        .unwrap();
    t.execute_sql(
        "UPDATE webhooks SET enabled = false, consecutive_failures = 10,
                disabled_reason = 'gave up after 10 failed attempts' WHERE id = $1",
        &[hook.id.as_str()],
    )
    .await;

    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let home = browser.get("/").await;
    assert!(
        home.html
            .contains(&format!("href=\"/jobs/{job}\">Cleanup</a>")),
        "{}",
        home.html
    );
    assert!(home.html.contains("run failed"), "{}", home.html);
    assert!(
        home.html.contains("https://hooks.example.com/broken"),
        "{}",
        home.html
    );
    assert!(
        home.html.contains("gave up after 10 failed attempts"),
        "{}",
        home.html
    );
}

#[tokio::test]
async fn the_retrieval_tester_shows_scored_hits_of_the_organisation_only() {
    let t = TestServer::start().await;
    let admin = admin_of_a(&t).await;
    with_password(&t, &admin).await;
    let mine = greenhouse_source(&t, &t.org_a.api_key).await;
    let theirs = greenhouse_source(&t, &t.org_b.api_key).await;
    let mut browser = Browser::new(&t);
    browser.sign_in("admin@a.example", PASSWORD).await;
    let empty = browser.get("/search").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.html.contains(&format!("value=\"{mine}\"")) && !empty.html.contains(&theirs));

    let found = browser
        .get(&format!(
            "/search?q=when+do+the+vents+open&mode=lexical&source={mine}"
        ))
        .await;
    assert!(found.html.contains("Results (lexical)"), "{}", found.html);
    assert!(found.html.contains(">Greenhouse</a>"), "{}", found.html);
    assert!(
        found.html.contains("href=\"/documents/doc_"),
        "{}",
        found.html
    );
    // Another organisation's source cannot be chosen: the search covers
    // only this organisation's, and finds one hit, never theirs.
    let other = browser
        .get(&format!(
            "/search?q=when+do+the+vents+open&mode=lexical&source={theirs}"
        ))
        .await;
    assert_eq!(
        other.html.matches("href=\"/documents/").count(),
        1,
        "{}",
        other.html
    );
    let shown_doc = t
        .get(
            &format!("/api/v1/data-sources/{mine}/documents"),
            &t.org_a.api_key,
        )
        .await;
    let doc_id = shown_doc.body["documents"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(other.html.contains(&doc_id), "{}", other.html);
}
