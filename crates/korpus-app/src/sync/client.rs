//! The desk's HTTP client for HQ's API: zstd-compressed pushes, compressed answers, coded errors,
//! and retries with exponential backoff and full jitter for what is worth retrying.

use korpus_sync::protocol::{
    API_PREFIX, ApiError, BlobStatus, BlockRequest, Capabilities, CertificateCheck, EnrolRequest, Enrolment,
    NumberBlockGrant, OwnChanges, PublishedRulebooks, PullPage, PushRequest, PushResponse, ReplayRequest,
    ReplayResponse, VerifyRequest,
};
use rand::RngExt;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::time::Duration;

/// The most bytes an answer may unpack to.
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;

/// What a call to HQ can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer: the network, a cut connection, a timeout.
    #[error("no answer from HQ: {0}")]
    Transport(String),
    /// HQ answered with an error.
    #[error("HQ refused ({status}): {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// HQ's code.
        code: String,
        /// HQ's message.
        message: String,
    },
    /// HQ's answer is not what the protocol says.
    #[error("HQ's answer is not understood: {0}")]
    Protocol(String),
    /// The answer does not verify with HQ's key: changed on its way, or not from HQ.
    #[error("the answer does not carry HQ's signature")]
    NotFromHq,
    /// HQ's TLS certificate is not one this desk trusts (not the one pinned at enrolment, not
    /// issued by a root the system trusts, or for another name): nothing was sent.
    #[error("HQ's certificate is not trusted: {0}")]
    Certificate(String),
}

/// A failure to reach HQ: a certificate refused is told apart from no answer (it is no network
/// trouble, and trying again will not help); the causes are kept, as reqwest's own text names
/// only the request.
fn transport(e: reqwest::Error) -> ClientError {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    if chain.to_ascii_lowercase().contains("certificate") {
        ClientError::Certificate(chain)
    } else {
        ClientError::Transport(chain)
    }
}

impl ClientError {
    /// Worth trying again later: no answer, an overloaded or restarting server.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport(_) => true,
            ClientError::Api { status, .. } => *status == 429 || *status >= 500,
            ClientError::Protocol(_) | ClientError::NotFromHq | ClientError::Certificate(_) => false,
        }
    }
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first wait; each next one doubles, up to `max_delay`, and a random part of it is taken.
    pub base_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt` (1 = the first retry): "full jitter", a uniform draw
    /// from zero to the capped exponential, so that many desks coming back online at once do not
    /// retry in step.
    pub fn delay(&self, attempt: u32) -> Duration {
        let cap = self.base_delay.saturating_mul(1u32 << attempt.min(16)).min(self.max_delay);
        let millis = cap.as_millis() as u64;
        Duration::from_millis(if millis == 0 { 0 } else { rand::rng().random_range(0..=millis) })
    }
}

/// A client of one HQ, with or without a device token.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    /// HQ's public key (hex): when known, push receipts and pull pages are believed only with
    /// HQ's signature of their bytes.
    hq_key: Option<String>,
}

/// Bytes a call sent and received on the wire (bodies, compressed as they travelled).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Sent.
    pub up: u64,
    /// Received.
    pub down: u64,
}

impl Client {
    /// A client of the HQ at `base_url` (`https://hq.example.kz`), sending `token` if given,
    /// trusting the system's roots for HQ's certificate.
    pub fn new(base_url: &str, token: Option<String>) -> Result<Client, ClientError> {
        Client::pinned(base_url, token, None)
    }

    /// As [`Client::new`]; with `certificate` (PEM), only that certificate is trusted for HQ:
    /// an HQ with a certificate of its own, pinned at enrolment.
    pub fn pinned(
        base_url: &str,
        token: Option<String>,
        certificate: Option<&str>,
    ) -> Result<Client, ClientError> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Protocol(format!(
                "server URL: {base_url:?} does not start with http:// or https://"
            )));
        }
        // Answers are unpacked here, not by reqwest, so that the bytes counted are the bytes that
        // crossed the link (the sync panel shows them), not the bytes they unpacked to.
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("zstd"));
        let mut builder = reqwest::Client::builder()
            .no_zstd()
            .no_gzip()
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(120));
        if let Some(pem) = certificate {
            let pinned = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| ClientError::Certificate(format!("the certificate given: {e}")))?;
            builder = builder.tls_certs_only([pinned]);
        }
        let http = builder.build().map_err(transport)?;
        Ok(Client { http, base, token, hq_key: None })
    }

    /// This client, checking HQ's signature of receipts and pages with `key` (hex) when given.
    pub fn with_hq_key(mut self, key: Option<String>) -> Client {
        self.hq_key = key;
        self
    }

    /// As [`Client::answer`], and, when HQ's key is known, only with HQ's signature of the bytes:
    /// a receipt or a page that does not verify is not believed (nothing of it is kept).
    async fn signed_answer<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<(T, u64), ClientError> {
        let Some(key) = &self.hq_key else { return Self::answer(response).await };
        if !response.status().is_success() {
            return Self::answer(response).await;
        }
        let signature = response
            .headers()
            .get(korpus_sync::file::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default();
        let (bytes, size) = Self::body(response).await?;
        if !korpus_sync::file::verifies(key, &bytes, &signature) {
            return Err(ClientError::NotFromHq);
        }
        serde_json::from_slice(&bytes).map(|v| (v, size)).map_err(|e| ClientError::Protocol(e.to_string()))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.base)
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => request.bearer_auth(t),
            None => request,
        }
    }

    /// The body of `response`, unpacked, and its size as it travelled.
    async fn body(response: reqwest::Response) -> Result<(Vec<u8>, u64), ClientError> {
        let encoding = response
            .headers()
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase());
        let raw = response.bytes().await.map_err(transport)?;
        let size = raw.len() as u64;
        let body = match encoding.as_deref() {
            None | Some("identity") => raw.to_vec(),
            Some("zstd") => {
                let decoder = zstd::stream::read::Decoder::new(&raw[..])
                    .map_err(|e| ClientError::Protocol(format!("answer: {e}")))?;
                // An answer is at most a page or a chunk; more than this is a broken server.
                let mut body = Vec::new();
                decoder
                    .take(MAX_ANSWER_BYTES + 1)
                    .read_to_end(&mut body)
                    .map_err(|e| ClientError::Protocol(format!("answer: {e}")))?;
                if body.len() as u64 > MAX_ANSWER_BYTES {
                    return Err(ClientError::Protocol(format!(
                        "answer: larger than {MAX_ANSWER_BYTES} bytes"
                    )));
                }
                body
            }
            Some(other) => return Err(ClientError::Protocol(format!("answer: content-encoding {other}"))),
        };
        Ok((body, size))
    }

    async fn answer<T: DeserializeOwned>(response: reqwest::Response) -> Result<(T, u64), ClientError> {
        let status = response.status();
        let (bytes, size) = Self::body(response).await?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map(|v| (v, size))
                .map_err(|e| ClientError::Protocol(e.to_string()));
        }
        let error: ApiError = serde_json::from_slice(&bytes).unwrap_or_else(|_| ApiError {
            code: if status == StatusCode::SERVICE_UNAVAILABLE {
                "UNAVAILABLE".into()
            } else {
                "HTTP".into()
            },
            message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        });
        Err(ClientError::Api { status: status.as_u16(), code: error.code, message: error.message })
    }

    /// What the server speaks and accepts.
    pub async fn capabilities(&self) -> Result<Capabilities, ClientError> {
        let response = self.http.get(self.url("/capabilities")).send().await.map_err(transport)?;
        Ok(Self::answer(response).await?.0)
    }

    /// Enrols this device with a one-time code.
    pub async fn enrol(&self, request: &EnrolRequest) -> Result<Enrolment, ClientError> {
        let response = self.http.post(self.url("/enrol")).json(request).send().await.map_err(transport)?;
        Ok(Self::answer(response).await?.0)
    }

    /// Pushes one batch; the body travels zstd-compressed.
    pub async fn push(&self, batch: &PushRequest) -> Result<(PushResponse, Traffic), ClientError> {
        self.post_compressed("/push", batch).await
    }

    /// Replays a lost desk's envelopes (from its last backup) as that device's own; the body
    /// travels zstd-compressed, and the answer is believed only with HQ's signature.
    pub async fn replay(&self, request: &ReplayRequest) -> Result<ReplayResponse, ClientError> {
        Ok(self.post_compressed("/replay", request).await?.0)
    }

    /// POSTs `body` as zstd-compressed JSON (envelopes compress about fivefold: on a rural link
    /// that is the sync's time) and reads HQ's signed answer.
    async fn post_compressed<B: Serialize, A: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(A, Traffic), ClientError> {
        let json = serde_json::to_vec(body).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let body = zstd::encode_all(json.as_slice(), 3).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let up = body.len() as u64;
        let response = self
            .authorised(self.http.post(self.url(path)))
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "zstd")
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let (answer, down) = self.signed_answer(response).await?;
        Ok((answer, Traffic { up, down }))
    }

    /// The page of changes after `after`, with this device's own changes as `own` asks.
    pub async fn pull(
        &self,
        after: i64,
        limit: usize,
        own: OwnChanges,
    ) -> Result<(PullPage, Traffic), ClientError> {
        let response = self
            .authorised(self.http.get(self.url("/pull")))
            .query(&[
                ("after", after.to_string()),
                ("limit", limit.to_string()),
                ("own", own.code().to_owned()),
            ])
            .send()
            .await
            .map_err(transport)?;
        let (page, down) = self.signed_answer(response).await?;
        Ok((page, Traffic { up: 0, down }))
    }
}

impl Client {
    /// The rulebooks HQ published after `after` (signed as every answer).
    pub async fn rulebooks(&self, after: i64) -> Result<(PublishedRulebooks, Traffic), ClientError> {
        let response = self
            .authorised(self.http.get(self.url("/rulebooks")))
            .query(&[("after", after.to_string())])
            .send()
            .await
            .map_err(transport)?;
        let (published, down) = self.signed_answer(response).await?;
        Ok((published, Traffic { up: 0, down }))
    }

    /// Reserves a block of certificate numbers for this device.
    pub async fn reserve_block(&self, request: &BlockRequest) -> Result<NumberBlockGrant, ClientError> {
        let response = self
            .authorised(self.http.post(self.url("/certificate-blocks")))
            .json(request)
            .send()
            .await
            .map_err(transport)?;
        Ok(Self::answer(response).await?.0)
    }

    /// HQ's word on a certificate's code.
    pub async fn verify_certificate(&self, code: &str) -> Result<CertificateCheck, ClientError> {
        let response = self
            .http
            .post(self.url("/certificates/verify"))
            .json(&VerifyRequest { code: code.to_owned() })
            .send()
            .await
            .map_err(transport)?;
        Ok(Self::answer(response).await?.0)
    }
}

impl Client {
    /// Where a scanned file stands at HQ.
    pub async fn blob_status(&self, sha256: &str) -> Result<BlobStatus, ClientError> {
        let response = self
            .authorised(self.http.get(self.url(&format!("/blobs/{sha256}"))))
            .send()
            .await
            .map_err(transport)?;
        Ok(Self::answer(response).await?.0)
    }

    /// Sends `chunk` of a scanned file, starting at `offset`.
    pub async fn upload_chunk(
        &self,
        sha256: &str,
        offset: i64,
        chunk: Vec<u8>,
    ) -> Result<(BlobStatus, Traffic), ClientError> {
        let up = chunk.len() as u64;
        let response = self
            .authorised(self.http.put(self.url(&format!("/blobs/{sha256}"))))
            .query(&[("offset", offset.to_string())])
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(chunk)
            .send()
            .await
            .map_err(transport)?;
        let (status, down) = Self::answer(response).await?;
        Ok((status, Traffic { up, down }))
    }

    /// `length` bytes of a scanned file from `offset`.
    pub async fn download_chunk(
        &self,
        sha256: &str,
        offset: i64,
        length: i64,
    ) -> Result<Vec<u8>, ClientError> {
        let response = self
            .authorised(self.http.get(self.url(&format!("/blobs/{sha256}/data"))))
            .query(&[("offset", offset.to_string()), ("length", length.to_string())])
            .send()
            .await
            .map_err(transport)?;
        if !response.status().is_success() {
            return Err(Self::answer::<ApiError>(response)
                .await
                .err()
                .unwrap_or(ClientError::Protocol("error without body".into())));
        }
        Ok(Self::body(response).await?.0)
    }
}

/// Calls `call` until it succeeds, fails for good, or the attempts run out; `on_retry` hears of
/// each retry (attempt, the error, the wait).
pub async fn with_retry<T, F, Fut>(
    policy: RetryPolicy,
    mut call: F,
    mut on_retry: impl FnMut(u32, &ClientError, Duration),
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_retryable() && attempt + 1 < policy.attempts => {
                attempt += 1;
                let wait = policy.delay(attempt);
                on_retry(attempt, &e, wait);
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for attempt in 1..20 {
            let cap = Duration::from_millis(100 * (1u64 << attempt.min(16))).min(Duration::from_secs(1));
            assert!(p.delay(attempt) <= cap);
        }
        // Jitter: 200 draws of the capped wait are not all the same.
        let draws: std::collections::HashSet<Duration> = (0..200).map(|_| p.delay(10)).collect();
        assert!(draws.len() > 10);
    }

    #[test]
    fn what_is_retried() {
        assert!(ClientError::Transport("reset".into()).is_retryable());
        let api = |status| ClientError::Api { status, code: "X".into(), message: String::new() };
        assert!(api(503).is_retryable());
        assert!(api(429).is_retryable());
        assert!(!api(401).is_retryable());
        assert!(!api(403).is_retryable());
        assert!(!ClientError::Protocol("x".into()).is_retryable());
    }

    fn response(encoding: Option<&str>, body: Vec<u8>) -> reqwest::Response {
        let mut r = http::Response::builder().status(200);
        if let Some(e) = encoding {
            r = r.header("content-encoding", e);
        }
        reqwest::Response::from(r.body(body).unwrap_or_default())
    }

    #[tokio::test]
    async fn answers_are_counted_as_they_travelled_and_unpacked() {
        let json = br#"{"receipts":[]}"#.repeat(1000);
        let packed = zstd::encode_all(&json[..], 3).unwrap_or_default();
        assert!(packed.len() < json.len() / 10);
        let (body, size) = Client::body(response(Some("zstd"), packed.clone()))
            .await
            .map_err(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!((body, size), (json.clone(), packed.len() as u64));
        let (body, size) =
            Client::body(response(None, json.clone())).await.map_err(|e| e.to_string()).unwrap_or_default();
        assert_eq!((body.len(), size), (json.len(), json.len() as u64));
        // An encoding the client did not ask for, and a bomb, are refused.
        assert!(
            matches!(Client::body(response(Some("br"), json)).await, Err(ClientError::Protocol(m)) if m.contains("br"))
        );
        let bomb = zstd::encode_all(&vec![0u8; MAX_ANSWER_BYTES as usize + 1][..], 19).unwrap_or_default();
        assert!(
            matches!(Client::body(response(Some("zstd"), bomb)).await, Err(ClientError::Protocol(m)) if m.contains("larger"))
        );
    }

    #[test]
    fn a_server_url_must_be_http() {
        assert!(Client::new("hq.example.kz", None).is_err());
        assert!(Client::new("https://hq.example.kz/", None).is_ok());
    }
}
