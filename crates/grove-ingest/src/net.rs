//! Outbound HTTP for crawlers and connectors, guarded against SSRF: loopback,
//! private, link-local, shared, multicast and cloud-metadata addresses are
//! refused unless configuration opens them. Names are checked after DNS by a
//! resolver that drops refused addresses (so every connection, including
//! every redirect hop, is checked), and IP-literal URLs are checked before
//! the request. Bodies are read up to a size limit.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use grove_core::config::Config;
use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

/// Which addresses outbound requests may reach.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    /// Everything is reachable (tests and closed networks).
    pub allow_private: bool,
    /// Private networks reachable anyway.
    pub allowed: Vec<IpNet>,
}

impl NetworkPolicy {
    /// The policy of a configuration; a malformed CIDR names itself.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let allowed = config
            .ingest
            .allowed_cidrs
            .iter()
            .map(|c| {
                c.parse::<IpNet>()
                    .map_err(|e| format!("ingest.allowed_cidrs: `{c}` is not a CIDR: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            allow_private: config.allow_private_networks,
            allowed,
        })
    }

    /// Why `ip` may not be reached, or `None` if it may.
    pub fn refusal(&self, ip: IpAddr) -> Option<&'static str> {
        if self.allow_private || self.allowed.iter().any(|net| net.contains(&ip)) {
            return None;
        }
        restricted(ip)
    }

    /// Why `url` may not be reached when its host is an IP literal, or
    /// `None`. Names are checked by [`guarded_client`]'s resolver when it
    /// connects.
    pub fn literal_host_refusal(&self, url: &Url) -> Option<&'static str> {
        let ip = match url.host()? {
            url::Host::Ipv4(ip) => IpAddr::V4(ip),
            url::Host::Ipv6(ip) => IpAddr::V6(ip),
            url::Host::Domain(_) => return None,
        };
        self.refusal(ip)
    }
}

/// A client builder whose connections reach only the addresses `policy`
/// allows, checked after DNS. IP-literal URLs skip DNS: check their host
/// with [`NetworkPolicy::refusal`] before sending.
pub fn guarded_client(policy: Arc<NetworkPolicy>) -> reqwest::ClientBuilder {
    reqwest::Client::builder().dns_resolver(Arc::new(GuardedResolver { policy }))
}

/// The kind of restricted address `ip` is, if any.
fn restricted(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                Some("loopback")
            } else if o == [169, 254, 169, 254] || o == [100, 100, 100, 200] {
                Some("cloud metadata")
            } else if v4.is_private() {
                Some("private")
            } else if v4.is_link_local() {
                Some("link-local")
            } else if o[0] == 100 && (64..128).contains(&o[1]) {
                Some("shared (carrier-grade NAT)")
            } else if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() || o[0] == 0 {
                Some("non-routable")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return restricted(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() || v6.is_multicast() {
                Some("non-routable")
            } else if first & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if v6.segments()[..3] == [0xfd00, 0x0ec2, 0] {
                Some("cloud metadata")
            } else {
                None
            }
        }
    }
}

/// Resolves names with the system resolver and keeps only allowed addresses.
struct GuardedResolver {
    policy: Arc<NetworkPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| policy.refusal(a.ip()).is_none())
                .collect();
            if allowed.is_empty() {
                let why = addrs
                    .first()
                    .and_then(|a| policy.refusal(a.ip()))
                    .unwrap_or("unresolvable");
                return Err(Box::new(Refused(format!(
                    "{host} resolves to a {why} address, which is not allowed"
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Why a fetch failed, in words a data source's error list can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("HTTP {status}")]
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    #[error("response is larger than {0} bytes")]
    TooLarge(u64),
    #[error("{0}")]
    Transport(String),
}

/// A fetched response: final URL, status, content type and body.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: Url,
    pub status: u16,
    pub content_type: String,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// The guarded HTTP client. Redirects are not followed here: callers follow
/// them hop by hop so each hop is checked and the final URL is known.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    policy: Arc<NetworkPolicy>,
    max_bytes: u64,
}

impl HttpClient {
    pub fn new(config: &Config) -> Result<Self, String> {
        let policy = Arc::new(NetworkPolicy::from_config(config)?);
        let ingest = &config.ingest;
        let client = guarded_client(Arc::clone(&policy))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(ingest.request_timeout_seconds.max(1)))
            .connect_timeout(Duration::from_secs(
                ingest.request_timeout_seconds.clamp(1, 10),
            ))
            .user_agent(ingest.user_agent.clone())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            policy,
            max_bytes: ingest.max_response_bytes,
        })
    }

    /// The underlying client, for connectors that build their own requests;
    /// send them with [`Self::send`].
    pub fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Refuses URLs that are not http(s) or whose literal IP is restricted.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Refused(format!(
                "{url}: only http and https URLs are fetched"
            )));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(FetchError::Refused(format!("{url}: no host"))),
        };
        match self.policy.refusal(ip) {
            Some(why) => Err(FetchError::Refused(format!(
                "{url} is a {why} address, which is not allowed"
            ))),
            None => Ok(()),
        }
    }

    /// GETs `url` without following redirects.
    pub async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        self.send(self.client.get(url.clone())).await
    }

    /// GETs `url`, following up to `max_redirects` redirects; every hop is
    /// checked like the first.
    pub async fn get_following(
        &self,
        url: &Url,
        max_redirects: u32,
    ) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        for _ in 0..=max_redirects {
            let resp = self.get(&current).await?;
            if !(300..400).contains(&resp.status) {
                return Ok(resp);
            }
            current = resp
                .location
                .as_deref()
                .and_then(|l| current.join(l).ok())
                .ok_or_else(|| {
                    FetchError::Transport(format!("{current}: redirect without a Location"))
                })?;
        }
        Err(FetchError::Transport(format!(
            "{url}: more than {max_redirects} redirects"
        )))
    }

    /// Sends a request built with [`Self::request`], checking its URL and
    /// limiting the body; a 4xx or 5xx answer is an error.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Result<Fetched, FetchError> {
        let (fetched, retry_after) = self.exchange(req).await?;
        if fetched.status >= 400 {
            return Err(FetchError::Status {
                status: fetched.status,
                retry_after,
            });
        }
        Ok(fetched)
    }

    /// As [`Self::send`], but any answer comes back with its body (for
    /// APIs whose error bodies say what went wrong, such as OAuth's).
    pub async fn send_any(&self, req: reqwest::RequestBuilder) -> Result<Fetched, FetchError> {
        Ok(self.exchange(req).await?.0)
    }

    /// The answer and its `Retry-After` seconds.
    async fn exchange(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<(Fetched, Option<u64>), FetchError> {
        let req = req
            .build()
            .map_err(|e| FetchError::Transport(e.to_string()))?;
        self.check_url(req.url())?;
        let mut resp = self.client.execute(req).await.map_err(describe)?;
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
        let location = header(reqwest::header::LOCATION);
        let retry_after = header(reqwest::header::RETRY_AFTER).and_then(|v| v.trim().parse().ok());
        let (url, status) = (resp.url().clone(), resp.status().as_u16());
        if resp.content_length().is_some_and(|n| n > self.max_bytes) {
            return Err(FetchError::TooLarge(self.max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(describe)? {
            if body.len() as u64 + chunk.len() as u64 > self.max_bytes {
                return Err(FetchError::TooLarge(self.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        let fetched = Fetched {
            url,
            status,
            content_type,
            location,
            body,
        };
        Ok((fetched, retry_after))
    }
}

/// An error with its sources joined by `: ` (reqwest's own message hides
/// the cause, such as "connection refused").
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A transport error with its cause chain (where a refusal from the
/// resolver ends up).
fn describe(e: reqwest::Error) -> FetchError {
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    let mut text = String::new();
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<Refused>() {
            return FetchError::Refused(refused.0.clone());
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&err.to_string());
        source = err.source();
    }
    if e.is_timeout() {
        return FetchError::Transport(format!("timed out: {text}"));
    }
    FetchError::Transport(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_addresses_are_named() {
        let policy = NetworkPolicy::default();
        for (ip, kind) in [
            ("127.0.0.1", "loopback"),
            ("10.0.0.8", "private"),
            ("192.168.1.1", "private"),
            ("172.16.5.4", "private"),
            ("169.254.169.254", "cloud metadata"),
            ("169.254.1.1", "link-local"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("0.0.0.0", "non-routable"),
            ("::1", "loopback"),
            ("fd00::1", "private (unique local)"),
            ("fe80::1", "link-local"),
            ("::ffff:127.0.0.1", "loopback"),
        ] {
            assert_eq!(policy.refusal(ip.parse().unwrap()), Some(kind), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert_eq!(policy.refusal(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[test]
    fn allowlists_open_what_they_name() {
        let policy = NetworkPolicy {
            allow_private: false,
            allowed: vec!["10.1.0.0/16".parse().unwrap()],
        };
        assert_eq!(policy.refusal("10.1.2.3".parse().unwrap()), None);
        assert_eq!(policy.refusal("10.2.0.1".parse().unwrap()), Some("private"));
        let open = NetworkPolicy {
            allow_private: true,
            allowed: vec![],
        };
        assert_eq!(open.refusal("127.0.0.1".parse().unwrap()), None);
    }
}
