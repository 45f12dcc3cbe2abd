//! `korpus print …` and `korpus verify-certificate`: documents as PDF files, and telling a genuine
//! certificate from an edited or forged one.

use crate::App;
use crate::closing::Who;
use clap::{Args, Subcommand};
use korpus_domain::certificate_code::CertificateCode;
use korpus_domain::validation::FieldError;
use korpus_domain::{Lang, ValidationErrors};
use korpus_print::from_store::{self, Document, print_error, print_lang};
use korpus_print::{Printer, read_certificate_pdf};
use korpus_store::{Record, Result, Store, StoreError};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Documents to print.
#[derive(Debug, Subcommand)]
pub enum PrintCommand {
    /// One issued certificate as a PDF.
    Certificate {
        /// Whose certificate.
        #[command(flatten)]
        who: Who,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The document's language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
    /// Every issued certificate of a cohort (or of one region), one PDF each, named by number.
    Certificates {
        /// The cohort (programme year).
        #[arg(long)]
        cohort: i32,
        /// Only this region (KATO code or name).
        #[arg(long)]
        region: Option<String>,
        /// The folder to write them to; made if missing.
        #[arg(long)]
        out: PathBuf,
        /// The documents' language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
    /// A mentor session's protocol, with a signature line for each attendee.
    Protocol {
        /// The session's id.
        #[arg(long)]
        session: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The document's language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
    /// A mentor's monthly summary with the month's compliance status.
    Summary {
        /// The mentor: id or IIN.
        #[arg(long)]
        mentor: String,
        /// The month, YYYY-MM or MM.YYYY.
        #[arg(long)]
        month: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The document's language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
    /// The attendance sheet of one day of a training event, with a column to sign.
    Attendance {
        /// The event's id.
        #[arg(long)]
        event: String,
        /// The day, 1 for the first.
        #[arg(long)]
        day: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The document's language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
    /// The list of a host organisation's applications.
    Applications {
        /// The host organisation: id or BIN.
        #[arg(long)]
        host_org: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The document's language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
    /// A region's lottery result with its seed and hashes (the one in force).
    Lottery {
        /// The region (KATO code or name).
        #[arg(long)]
        region: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The document's language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
}

/// `korpus verify-certificate`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A certificate's PDF, or the code its QR holds.
    pub certificate: String,
}

fn printer() -> Result<Printer> {
    Printer::new().map_err(print_error)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

/// What a print wrote.
#[derive(Debug, Serialize)]
struct Printed {
    files: Vec<PathBuf>,
    bytes: u64,
}

/// Runs `korpus print`.
pub fn run(app: &App, command: PrintCommand) -> Result<()> {
    let store = app.store()?;
    let out = app.out;
    let (document, file, doc_lang) = match command {
        PrintCommand::Certificates { cohort, region, out: dir, doc_lang } => {
            let lang = print_lang(&doc_lang)?;
            let region = region.map(|r| crate::inputs::region_code(store.rulebook(), &r));
            let certificates = store.certificates(cohort, region.as_deref())?;
            std::fs::create_dir_all(&dir)?;
            let printer = printer()?;
            let bar = progress(certificates.len() as u64, out.lang);
            let mut printed = Printed { files: Vec::new(), bytes: 0 };
            for Record { data: c, .. } in &certificates {
                let rendered = from_store::certificate(&printer, &store, c, lang)?;
                let bytes = rendered.printed.pdf();
                let file = dir.join(rendered.file_name);
                write(&file, &bytes)?;
                printed.bytes += bytes.len() as u64;
                printed.files.push(file);
                bar.inc(1);
            }
            bar.finish_and_clear();
            out.print(&printed, || {
                out.tr(
                    "cli-printed",
                    &[("count", printed.files.len().to_string()), ("path", dir.display().to_string())],
                )
            });
            return Ok(());
        }
        PrintCommand::Certificate { who, out, doc_lang } => {
            let (holder, id) = who.holder();
            (Document::Certificate { holder, id }, out, doc_lang)
        }
        PrintCommand::Protocol { session, out, doc_lang } => (Document::Protocol { session }, out, doc_lang),
        PrintCommand::Summary { mentor, month, out, doc_lang } => {
            (Document::Summary { mentor, month }, out, doc_lang)
        }
        PrintCommand::Attendance { event, day, out, doc_lang } => {
            (Document::Attendance { event, day }, out, doc_lang)
        }
        PrintCommand::Applications { host_org, out, doc_lang } => {
            (Document::Applications { host_org }, out, doc_lang)
        }
        PrintCommand::Lottery { region, out, doc_lang } => {
            let region = crate::inputs::region_code(store.rulebook(), &region);
            (Document::Lottery { region }, out, doc_lang)
        }
    };
    let lang = print_lang(&doc_lang)?;
    let bytes = from_store::render(&printer()?, &store, &document, lang)?.printed.pdf();
    one_file(app, &file, &bytes)
}

fn one_file(app: &App, file: &Path, bytes: &[u8]) -> Result<()> {
    write(file, bytes)?;
    let out = app.out;
    let printed = Printed { files: vec![file.to_owned()], bytes: bytes.len() as u64 };
    out.print(&printed, || {
        out.tr("cli-printed", &[("count", "1".into()), ("path", file.display().to_string())])
    });
    Ok(())
}

/// A progress bar on standard error; drawn only when that is a terminal.
fn progress(total: u64, lang: Lang) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    let label = korpus_domain::messages::tr(lang, "cli-printing", &[]);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template(&format!("{label} {{bar:40}} {{pos}}/{{len}} {{eta}}"))
    {
        bar.set_style(style);
    }
    bar
}

/// What `verify-certificate` found.
#[derive(Debug, Serialize)]
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

/// Runs `korpus verify-certificate`: 0 when genuine, 1 when not (or when it cannot tell).
pub fn verify(app: &App, args: VerifyArgs) -> Result<bool> {
    let out = app.out;
    let path = Path::new(&args.certificate);
    let (text, printed) = if path.is_file() {
        let bytes = std::fs::read(path)?;
        let pdf = read_certificate_pdf(&bytes).ok_or_else(|| {
            ValidationErrors::one(FieldError::new("certificate_code", "error-not-a-certificate-pdf"))
        })?;
        (pdf.code, Some(pdf.text))
    } else {
        (args.certificate.clone(), None)
    };
    let code = CertificateCode::parse(&text).map_err(ValidationErrors::one)?;
    let store = app.store()?;
    let mut problem = if code.device_id == store.device_id() {
        // This desk's own certificate: its own key says.
        let key = crate::closing::signing_key(&store)?.verifying_key();
        code.verify(&key).err().map(|e| e.message(out.lang))
    } else {
        // Another desk's: HQ holds every enrolled device's key.
        hq_problem(&store, &code, out.lang)?
    };
    if problem.is_none()
        && let Some(text) = &printed
        && !squeezed(text).contains(&squeezed(&code.full_name))
    {
        problem = Some(FieldError::new("full_name", "error-certificate-name-printed").message(out.lang));
    }
    let on_record = store.certificate(&code.number).ok().map(|r| CertificateCode::of(&r.data) == code);
    let verification = Verification { genuine: problem.is_none(), code, problem, on_record };
    out.print(&verification, || verification_text(app, &verification));
    Ok(verification.genuine)
}

/// HQ's word on a code of another desk, as this desk's problem with it (none when genuine).
fn hq_problem(store: &Store, code: &CertificateCode, lang: Lang) -> Result<Option<String>> {
    let other_device = || {
        ValidationErrors::one(
            FieldError::new("certificate_code", "error-certificate-other-device")
                .arg("device", code.device_id),
        )
    };
    let client = match korpus_sync::client_for(store) {
        Ok(client) => client,
        Err(korpus_sync::SyncError::NotEnrolled) => return Err(other_device().into()),
        Err(e) => return Err(StoreError::Io(std::io::Error::other(e.message(lang)))),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let check = runtime
        .block_on(client.verify_certificate(&code.text()))
        .map_err(|e| StoreError::Io(std::io::Error::other(korpus_sync::SyncError::from(e).message(lang))))?;
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

fn verification_text(app: &App, v: &Verification) -> String {
    let out = app.out;
    let verdict = match &v.problem {
        None => out.tr("cli-certificate-genuine", &[("number", v.code.number.clone())]),
        Some(problem) => format!(
            "{}\n{problem}",
            out.tr("cli-certificate-not-genuine", &[("number", v.code.number.clone())])
        ),
    };
    let record = match v.on_record {
        Some(true) => out.tr("cli-certificate-on-record", &[]),
        Some(false) => out.tr("cli-certificate-record-differs", &[]),
        None => out.tr("cli-certificate-not-on-record", &[]),
    };
    let fields = out.fields(&[
        ("full_name", v.code.full_name.clone()),
        ("number", v.code.number.clone()),
        ("completed_on", korpus_domain::validation::format_date(v.code.completed_on)),
        ("issued_on", korpus_domain::validation::format_date(v.code.issued_on)),
        ("region", v.code.region.clone()),
        ("device_id", v.code.device_id.to_string()),
    ]);
    format!("{verdict}\n{fields}\n{record}")
}
