//! `korpus print …` and `korpus verify-certificate`: documents as PDF files, and telling a genuine
//! certificate from an edited or forged one.

use crate::App;
use crate::closing::Who;
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_app::certificates::Verification;
use korpus_app::printing::{self, Document, Printer, print_lang};
use korpus_domain::Lang;
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
    /// A selected host organisation's memorandum of cooperation (once recorded).
    Memorandum {
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
    /// A sub-project's grant contract with the host organisation's overhead, a line for every
    /// member to sign.
    Contract {
        /// The application's id.
        #[arg(long)]
        application: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The document's language: kk, ru, en, or kk+ru for both.
        #[arg(long = "in", default_value = "kk")]
        doc_lang: String,
    },
    /// The evaluation commission's protocol of a region's decision: members, every score, the
    /// means, the ranking, the cut-off and a signature line per member.
    Commission {
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
    /// A region's scholarship payment roll for a month, with a column to sign on receipt.
    Scholarships {
        /// The region (KATO code or name).
        #[arg(long)]
        region: String,
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
}

/// `korpus verify-certificate`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A certificate's PDF, or the code its QR holds.
    pub certificate: String,
}

fn printer() -> Result<Printer> {
    Ok(Printer::new()?)
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
            let bar = progress(out.lang);
            let mut tell = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let saved = printing::print_certificates(
                &printer()?,
                &store,
                cohort,
                region.as_deref(),
                &dir,
                lang,
                &mut tell,
            )?;
            bar.finish_and_clear();
            let printed = Printed { files: saved.files, bytes: saved.bytes };
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
        PrintCommand::Memorandum { host_org, out, doc_lang } => {
            (Document::Memorandum { host_org }, out, doc_lang)
        }
        PrintCommand::Contract { application, out, doc_lang } => {
            (Document::GrantContract { application }, out, doc_lang)
        }
        PrintCommand::Commission { region, out, doc_lang } => {
            let region = crate::inputs::region_code(store.rulebook(), &region);
            (Document::CommissionProtocol { region }, out, doc_lang)
        }
        PrintCommand::Scholarships { region, month, out, doc_lang } => {
            let region = crate::inputs::region_code(store.rulebook(), &region);
            (Document::ScholarshipRoll { region, month }, out, doc_lang)
        }
    };
    let lang = print_lang(&doc_lang)?;
    let bytes = printing::render(&printer()?, &store, &document, lang)?.printed.pdf();
    one_file(app, &file, &bytes)
}

fn one_file(app: &App, file: &Path, bytes: &[u8]) -> Result<()> {
    printing::save(file, bytes)?;
    let out = app.out;
    let printed = Printed { files: vec![file.to_owned()], bytes: bytes.len() as u64 };
    out.print(&printed, || {
        out.tr("cli-printed", &[("count", "1".into()), ("path", file.display().to_string())])
    });
    Ok(())
}

/// A progress bar on standard error; drawn only when that is a terminal.
fn progress(lang: Lang) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    let label = korpus_domain::messages::tr(lang, "cli-printing", &[]);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template(&format!("{label} {{bar:40}} {{pos}}/{{len}} {{eta}}"))
    {
        bar.set_style(style);
    }
    bar
}

/// Runs `korpus verify-certificate`: 0 when genuine, 1 when not (or when it cannot tell).
pub fn verify(app: &App, args: VerifyArgs) -> Result<bool> {
    let out = app.out;
    let given = korpus_app::certificates::read_certificate(&args.certificate)?;
    let store = app.store()?;
    let verification = app.block_on(korpus_app::certificates::verify_certificate(&store, given, out.lang))?;
    out.print(&verification, || verification_text(app, &verification));
    Ok(verification.genuine)
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
