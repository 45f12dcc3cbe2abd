//! HQ's errors. An API error answers with its HTTP status and `{code, message}`; a database that
//! cannot be reached answers 503 (try again), never 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use korpus_sync::protocol::{ApiError, codes};

/// Anything HQ can fail with.
#[derive(Debug, thiserror::Error)]
pub enum HqError {
    /// A request HQ refuses, with its status and code.
    #[error("{code}: {message}")]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// Stable code ([`codes`]).
        code: &'static str,
        /// What is wrong, naming the field.
        message: String,
    },
    /// A command-line value or setting that is wrong.
    #[error("{0}")]
    Config(String),
    /// The schema could not be migrated.
    #[error("migration failed: {0}")]
    Migration(String),
    /// PostgreSQL failed.
    #[error("database: {}", db_message(.0))]
    Db(#[from] tokio_postgres::Error),
    /// No connection to PostgreSQL.
    #[error("database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Results of HQ.
pub type Result<T> = std::result::Result<T, HqError>;

impl HqError {
    /// A refusal with `status` and `code`.
    pub fn api(status: StatusCode, code: &'static str, message: impl Into<String>) -> HqError {
        HqError::Api { status, code, message: message.into() }
    }

    /// 400 with `code`.
    pub fn bad(code: &'static str, message: impl Into<String>) -> HqError {
        HqError::api(StatusCode::BAD_REQUEST, code, message)
    }
}

/// PostgreSQL's own words for `e`: its message, SQLSTATE and detail ("db error" alone says
/// nothing in a log).
fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                text.push_str(&format!("; {detail}"));
            }
            if let Some(constraint) = db.constraint() {
                text.push_str(&format!("; constraint {constraint}"));
            }
            text
        }
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

/// Whether PostgreSQL refused the request's data itself, so that sending it again fails again: a
/// data exception (class 22: a value the column cannot hold), an integrity constraint (23) or a
/// program limit (54: a value too large). Those are the request's fault, answered 422.
fn refuses_data(e: &tokio_postgres::Error) -> Option<&str> {
    let db = e.as_db_error()?;
    matches!(&db.code().code()[..2], "22" | "23" | "54").then(|| db.message())
}

impl IntoResponse for HqError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            HqError::Api { status, code, message } => (status, code, message),
            HqError::Db(e) if refuses_data(&e).is_some() => {
                tracing::warn!("request refused by the database: {}", db_message(&e));
                // The message alone: a constraint's detail may quote another region's row.
                let message =
                    format!("the database refuses a value: {}", refuses_data(&e).unwrap_or_default());
                (StatusCode::UNPROCESSABLE_ENTITY, codes::INVALID_FIELD, message)
            }
            other => {
                tracing::error!("{other}");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    codes::UNAVAILABLE,
                    "the server could not finish; try again".into(),
                )
            }
        };
        (status, Json(ApiError { code: code.to_owned(), message })).into_response()
    }
}
