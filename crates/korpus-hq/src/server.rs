//! The HTTP API, version 1 (`korpus_sync::protocol`): JSON bodies, zstd or gzip in both
//! directions, a bearer token on every endpoint but capabilities, enrolment and certificate
//! verification, and a code on every refusal.

use crate::accounts::{self, DeviceAuth};
use crate::error::HqError;
use crate::{blobs, certificates, pull, push};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use deadpool_postgres::Pool;
use korpus_sync::file;
use korpus_sync::protocol::{
    API_VERSION, BlobStatus, BlockRequest, Capabilities, CertificateCheck, EnrolRequest, Enrolment,
    NumberBlockGrant, OwnChanges, PushRequest, PushResponse, ReplayRequest, ReplayResponse, VerifyRequest,
    codes,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

/// Most envelopes in one push.
pub const MAX_PUSH_ENVELOPES: usize = 1_000;
/// Most bytes of a request body, decompressed.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Most changes in one pull page.
pub const MAX_PULL_PAGE: i64 = 1_000;
/// Size of the chunks scanned documents are uploaded in.
pub const BLOB_CHUNK_BYTES: usize = 256 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub pool: Pool,
    /// HQ's signing key ([`crate::db::signing_key`]): it signs pull pages and push receipts.
    pub key: std::sync::Arc<ed25519_dalek::SigningKey>,
}

impl AppState {
    /// HQ's public key, hex.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }
}

/// `value` as JSON, with HQ's signature of its bytes in [`file::SIGNATURE_HEADER`]: the desk
/// believes receipts and pages only when they verify with the key it got at enrolment.
fn signed_json<T: serde::Serialize>(
    state: &AppState,
    value: &T,
) -> Result<axum::response::Response, HqError> {
    use axum::response::IntoResponse;
    let bytes = serde_json::to_vec(value).map_err(|e| HqError::Config(format!("answer: {e}")))?;
    let signature = file::sign(&state.key, &bytes);
    let headers = [
        (header::CONTENT_TYPE, "application/json".to_owned()),
        (header::HeaderName::from_static(file::SIGNATURE_HEADER), signature),
    ];
    Ok((headers, bytes).into_response())
}

/// The API's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/capabilities", get(capabilities))
        .route("/v1/enrol", post(enrol))
        .route("/v1/push", post(push_batch))
        .route("/v1/replay", post(replay_batch))
        .route("/v1/pull", get(pull_page))
        .route("/v1/rulebooks", get(published_rulebooks))
        .route("/v1/blobs/{sha256}", get(blob_status).put(blob_upload))
        .route("/v1/blobs/{sha256}/data", get(blob_data))
        .route("/v1/certificate-blocks", post(reserve_block))
        .route("/v1/certificates/verify", post(verify_certificate))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// A JSON body whose refusal is a coded API error (axum's own is plain text).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = HqError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(json_refusal(rejection)),
        }
    }
}

fn json_refusal(rejection: JsonRejection) -> HqError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return HqError::api(status, codes::TOO_LARGE, format!("body: larger than {MAX_BODY_BYTES} bytes"));
    }
    let status = if status.is_client_error() { status } else { StatusCode::BAD_REQUEST };
    HqError::api(status, codes::MALFORMED, format!("body: {}", rejection.body_text()))
}

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = HqError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                HqError::api(StatusCode::UNAUTHORIZED, codes::UNAUTHORISED, "Authorization: no bearer token")
            })?;
        accounts::authenticate(&state.pool, token).await
    }
}

async fn capabilities(State(state): State<AppState>) -> Json<Capabilities> {
    Json(Capabilities {
        hq_public_key: Some(state.public_key()),
        api_versions: vec![API_VERSION],
        server_version: env!("CARGO_PKG_VERSION").to_owned(),
        max_push_envelopes: MAX_PUSH_ENVELOPES,
        max_body_bytes: MAX_BODY_BYTES,
        max_pull_page: MAX_PULL_PAGE as usize,
        blob_chunk_bytes: BLOB_CHUNK_BYTES,
    })
}

async fn enrol(
    State(state): State<AppState>,
    Body(request): Body<EnrolRequest>,
) -> Result<Json<Enrolment>, HqError> {
    let enrolment = accounts::enrol(&state.pool, &request, chrono::Utc::now()).await?;
    Ok(Json(Enrolment { hq_public_key: Some(state.public_key()), ..enrolment }))
}

async fn reserve_block(
    State(state): State<AppState>,
    device: DeviceAuth,
    Body(request): Body<BlockRequest>,
) -> Result<Json<NumberBlockGrant>, HqError> {
    Ok(Json(certificates::reserve(&state.pool, &device, &request).await?))
}

/// Open to anyone holding a certificate's code: it tells only whether the code is genuine.
async fn verify_certificate(
    State(state): State<AppState>,
    Body(request): Body<VerifyRequest>,
) -> Result<Json<CertificateCheck>, HqError> {
    Ok(Json(certificates::verify(&state.pool, &request.code).await?))
}

async fn push_batch(
    State(state): State<AppState>,
    device: DeviceAuth,
    Body(request): Body<PushRequest>,
) -> Result<axum::response::Response, HqError> {
    if request.envelopes.len() > MAX_PUSH_ENVELOPES {
        return Err(HqError::api(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_MANY_ENVELOPES,
            format!("envelopes: at most {MAX_PUSH_ENVELOPES} per push"),
        ));
    }
    let (receipts, device_seq) =
        push::apply(&state.pool, &device, &request.envelopes, push::Via::Online).await?;
    signed_json(&state, &PushResponse { receipts, device_seq })
}

/// The envelopes a lost desk never sent, from its last backup, sent by the desk of the same
/// account that replaces it; then, when asked, the lost desk revoked and its unused certificate
/// numbers retired.
async fn replay_batch(
    State(state): State<AppState>,
    caller: DeviceAuth,
    Body(request): Body<ReplayRequest>,
) -> Result<axum::response::Response, HqError> {
    if request.envelopes.len() > MAX_PUSH_ENVELOPES {
        return Err(HqError::api(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_MANY_ENVELOPES,
            format!("envelopes: at most {MAX_PUSH_ENVELOPES} per replay"),
        ));
    }
    let lost = accounts::replayed_device(&state.pool, &caller, request.device).await?;
    let (receipts, _) = push::apply(&state.pool, &lost, &request.envelopes, push::Via::Replay).await?;
    let retired = if request.revoke {
        let retired = accounts::revoke(&state.pool, lost.id, chrono::Utc::now()).await?;
        tracing::info!(device = %lost.id, by = %caller.id, "revoked after a replay");
        retired
    } else {
        Vec::new()
    };
    signed_json(&state, &ReplayResponse { receipts, revoked: request.revoke, retired })
}

#[derive(Debug, Deserialize)]
struct PullQuery {
    after: Option<String>,
    limit: Option<String>,
    own: Option<String>,
}

fn parameter(
    name: &str,
    value: Option<&str>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, HqError> {
    let Some(text) = value else { return Ok(default) };
    text.parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
        HqError::bad(
            codes::BAD_PARAMETER,
            format!("{name}: {text:?} is not a number from {} to {}", range.start(), range.end()),
        )
    })
}

async fn pull_page(
    State(state): State<AppState>,
    device: DeviceAuth,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, HqError> {
    let Query(q) = query.map_err(|e| HqError::bad(codes::BAD_PARAMETER, e.body_text()))?;
    let after = parameter("after", q.after.as_deref(), 0, 0..=i64::MAX)?;
    let limit = parameter("limit", q.limit.as_deref(), 500, 1..=MAX_PULL_PAGE)?;
    let own = match q.own.as_deref() {
        None => OwnChanges::Full,
        Some(text) => OwnChanges::parse(text).ok_or_else(|| {
            HqError::bad(codes::BAD_PARAMETER, format!("own: {text:?} is neither \"full\" nor \"brief\""))
        })?,
    };
    signed_json(&state, &pull::page(&state.pool, &device, after, limit, own).await?)
}

#[derive(Debug, Deserialize)]
struct RulebooksQuery {
    after: Option<String>,
}

/// The rulebooks published after `after`, signed: every desk may read them (they are the
/// programme's, not a region's).
async fn published_rulebooks(
    State(state): State<AppState>,
    _device: DeviceAuth,
    query: Result<Query<RulebooksQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, HqError> {
    let Query(q) = query.map_err(|e| HqError::bad(codes::BAD_PARAMETER, e.body_text()))?;
    let after = parameter("after", q.after.as_deref(), 0, 0..=i64::MAX)?;
    signed_json(&state, &crate::rulebooks::since(&state.pool, after).await?)
}

#[derive(Debug, Deserialize)]
struct BlobQuery {
    offset: Option<String>,
    length: Option<String>,
}

async fn blob_status(
    State(state): State<AppState>,
    device: DeviceAuth,
    Path(sha256): Path<String>,
) -> Result<Json<BlobStatus>, HqError> {
    Ok(Json(blobs::status(&state.pool, &device, &sha256).await?))
}

async fn blob_upload(
    State(state): State<AppState>,
    device: DeviceAuth,
    Path(sha256): Path<String>,
    query: Result<Query<BlobQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BlobStatus>, HqError> {
    let Query(q) = query.map_err(|e| HqError::bad(codes::BAD_PARAMETER, e.body_text()))?;
    let offset = parameter("offset", q.offset.as_deref(), 0, 0..=i64::from(i32::MAX))?;
    let chunk = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HqError::api(e.status(), codes::TOO_LARGE, format!("body: larger than {MAX_BODY_BYTES} bytes"))
        } else {
            HqError::bad(codes::MALFORMED, e.body_text())
        }
    })?;
    Ok(Json(blobs::upload(&state.pool, &device, &sha256, offset, &chunk).await?))
}

async fn blob_data(
    State(state): State<AppState>,
    device: DeviceAuth,
    Path(sha256): Path<String>,
    query: Result<Query<BlobQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Vec<u8>, HqError> {
    let Query(q) = query.map_err(|e| HqError::bad(codes::BAD_PARAMETER, e.body_text()))?;
    let offset = parameter("offset", q.offset.as_deref(), 0, 0..=i64::from(i32::MAX))?;
    let length =
        parameter("length", q.length.as_deref(), BLOB_CHUNK_BYTES as i64, 1..=MAX_BODY_BYTES as i64)?;
    blobs::read(&state.pool, &device, &sha256, offset, length).await
}

async fn not_found(uri: Uri) -> HqError {
    if !uri.path().starts_with("/v1/") && uri.path().starts_with("/v") {
        return HqError::api(
            StatusCode::NOT_FOUND,
            codes::UNSUPPORTED_VERSION,
            format!("{}: this server speaks /v1", uri.path()),
        );
    }
    HqError::api(StatusCode::NOT_FOUND, "NOT_FOUND", format!("{}: no such endpoint", uri.path()))
}
