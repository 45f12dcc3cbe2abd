//! Certificates on a desk: issuing one, signed with the device's key, and telling a genuine
//! certificate (its PDF or the code its QR holds) from an edited or forged one.

use crate::error::{AppError, Result, SyncError};
use crate::secrets;
use crate::sync;
use korpus_domain::Lang;
use korpus_domain::ValidationErrors;
use korpus_domain::closing::certificate_code::CertificateCode;
use korpus_domain::closing::certification::{Certificate, Holder};
use korpus_domain::validation::FieldError;
use korpus_print::read_certificate_pdf;
use korpus_store::{Record, Store};
use serde::Serialize;
use std::path::Path;

/// Issues the certificate of a beneficiary or a mentor (`id`: id or IIN) on `issued_on` as typed,
/// numbered from this desk's blocks and signed with the device's key (the OS keyring).
pub fn issue_certificate(
    store: &mut Store,
    holder: Holder,
    id: &str,
    issued_on: &str,
) -> Result<Record<Certificate>> {
    let key = secrets::device_signing_key(store.device_id())?;
    Ok(store.issue_certificate(holder, id, issued_on, &key)?)
}

/// What a verification found.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The certificate is what its issuing device signed, and (for a file) prints the name signed.
    pub genuine: bool,
    /// The code read.
    pub code: CertificateCode,
    /// Why not, when not genuine, in the user's language.
    pub problem: Option<String>,
    /// The record of this database with that number matches the code.
    pub on_record: Option<bool>,
}

/// A certificate as given to be verified: its code, and the text its PDF prints (when a PDF).
#[derive(Debug, Clone)]
pub struct GivenCertificate {
    code: CertificateCode,
    printed: Option<String>,
}

/// Reads `given`: the path of a certificate's PDF, or the code its QR holds. Refused, naming the
/// field, when it is neither; no database is needed for that.
pub fn read_certificate(given: &str) -> Result<GivenCertificate> {
    let path = Path::new(given);
    if path.is_file() {
        let bytes = std::fs::read(path).map_err(|e| AppError::file(path, e))?;
        read_certificate_file(&bytes)
    } else {
        read_certificate_code(given)
    }
}

/// Reads the code a certificate's QR holds, as pasted or typed.
pub fn read_certificate_code(text: &str) -> Result<GivenCertificate> {
    let code = CertificateCode::parse(text).map_err(ValidationErrors::one)?;
    Ok(GivenCertificate { code, printed: None })
}

/// Reads a certificate's PDF, as opened in the window: its code and the text it prints.
pub fn read_certificate_file(bytes: &[u8]) -> Result<GivenCertificate> {
    let pdf = read_certificate_pdf(bytes).ok_or_else(|| {
        ValidationErrors::one(FieldError::new("certificate_code", "error-not-a-certificate-pdf"))
    })?;
    let code = CertificateCode::parse(&pdf.code).map_err(ValidationErrors::one)?;
    Ok(GivenCertificate { code, printed: Some(pdf.text) })
}

/// Verifies a certificate read by [`read_certificate`]. This desk's own certificates are checked
/// with its key; another desk's are checked by asking HQ, which holds every enrolled device's key.
pub async fn verify_certificate(store: &Store, given: GivenCertificate, lang: Lang) -> Result<Verification> {
    pending_verification(store, given, lang)?.finish(lang).await
}

/// A verification with all this desk knows of it, and HQ still to ask when the certificate is
/// another desk's: what a caller that may not hold the database across the wait (the window's)
/// keeps.
pub struct PendingVerification {
    given: GivenCertificate,
    /// This desk's own finding, or the client to ask HQ with.
    finding: Result<Option<String>, crate::sync::client::Client>,
    on_record: Option<bool>,
}

/// Everything of a verification this desk can do by itself.
pub fn pending_verification(
    store: &Store,
    given: GivenCertificate,
    lang: Lang,
) -> Result<PendingVerification> {
    let code = &given.code;
    let finding = if code.device_id == store.device_id() {
        let key = secrets::device_signing_key(store.device_id())?.verifying_key();
        Ok(code.verify(&key).err().map(|e| e.message(lang)))
    } else {
        Err(hq_client(store, code)?)
    };
    let on_record = store.certificate(&code.number).ok().map(|r| CertificateCode::of(&r.data) == *code);
    Ok(PendingVerification { given, finding, on_record })
}

impl PendingVerification {
    /// Asks HQ where needed, then checks that a PDF prints the name that was signed.
    pub async fn finish(self, lang: Lang) -> Result<Verification> {
        let PendingVerification { given: GivenCertificate { code, printed }, finding, on_record } = self;
        let mut problem = match finding {
            Ok(problem) => problem,
            Err(client) => hq_problem(&client, &code, lang).await?,
        };
        if problem.is_none()
            && let Some(text) = &printed
            && !squeezed(text).contains(&squeezed(&code.full_name))
        {
            problem = Some(FieldError::new("full_name", "error-certificate-name-printed").message(lang));
        }
        Ok(Verification { genuine: problem.is_none(), code, problem, on_record })
    }
}

/// The client to ask HQ about another desk's certificate; refused, naming the device, on a desk
/// that is not enrolled.
fn hq_client(store: &Store, code: &CertificateCode) -> Result<crate::sync::client::Client> {
    match sync::client_for(store) {
        Ok(client) => Ok(client),
        Err(AppError::Sync(SyncError::NotEnrolled)) => Err(ValidationErrors::one(
            FieldError::new("certificate_code", "error-certificate-other-device")
                .arg("device", code.device_id),
        )
        .into()),
        Err(e) => Err(e),
    }
}

/// HQ's word on a code of another desk, as this desk's problem with it (none when genuine).
async fn hq_problem(
    client: &crate::sync::client::Client,
    code: &CertificateCode,
    lang: Lang,
) -> Result<Option<String>> {
    let check = client.verify_certificate(&code.text()).await?;
    Ok(check.problem.map(|p| {
        let key = match p.as_str() {
            "bad_signature" => "error-certificate-signature",
            "unknown_device" => "error-certificate-unknown-device",
            "number_not_reserved" => "error-certificate-number-not-reserved",
            _ => "error-not-a-certificate-code",
        };
        FieldError::new("certificate_code", key).message(lang)
    }))
}

/// Text with its runs of white space as one space: a PDF reader may break a long name over lines.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
