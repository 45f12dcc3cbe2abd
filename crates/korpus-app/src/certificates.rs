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
    let (text, printed) = if path.is_file() {
        let bytes = std::fs::read(path).map_err(|e| AppError::file(path, e))?;
        let pdf = read_certificate_pdf(&bytes).ok_or_else(|| {
            ValidationErrors::one(FieldError::new("certificate_code", "error-not-a-certificate-pdf"))
        })?;
        (pdf.code, Some(pdf.text))
    } else {
        (given.to_owned(), None)
    };
    let code = CertificateCode::parse(&text).map_err(ValidationErrors::one)?;
    Ok(GivenCertificate { code, printed })
}

/// Verifies a certificate read by [`read_certificate`]. This desk's own certificates are checked
/// with its key; another desk's are checked by asking HQ, which holds every enrolled device's key.
pub async fn verify_certificate(store: &Store, given: GivenCertificate, lang: Lang) -> Result<Verification> {
    let GivenCertificate { code, printed } = given;
    let mut problem = if code.device_id == store.device_id() {
        let key = secrets::device_signing_key(store.device_id())?.verifying_key();
        code.verify(&key).err().map(|e| e.message(lang))
    } else {
        hq_problem(store, &code, lang).await?
    };
    if problem.is_none()
        && let Some(text) = &printed
        && !squeezed(text).contains(&squeezed(&code.full_name))
    {
        problem = Some(FieldError::new("full_name", "error-certificate-name-printed").message(lang));
    }
    let on_record = store.certificate(&code.number).ok().map(|r| CertificateCode::of(&r.data) == code);
    Ok(Verification { genuine: problem.is_none(), code, problem, on_record })
}

/// HQ's word on a code of another desk, as this desk's problem with it (none when genuine).
async fn hq_problem(store: &Store, code: &CertificateCode, lang: Lang) -> Result<Option<String>> {
    let client = match sync::client_for(store) {
        Ok(client) => client,
        Err(AppError::Sync(SyncError::NotEnrolled)) => {
            return Err(ValidationErrors::one(
                FieldError::new("certificate_code", "error-certificate-other-device")
                    .arg("device", code.device_id),
            )
            .into());
        }
        Err(e) => return Err(e),
    };
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
