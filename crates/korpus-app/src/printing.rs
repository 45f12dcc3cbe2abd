//! Documents printed from the case database: what the command line and the desk print, named
//! the same way in both. The store gathers each document's facts (`korpus_store::*View`); this
//! module puts them into the printer's sheets (`korpus-print`, which knows no database) and
//! saves them.

use crate::error::{AppError, Result};
use korpus_domain::closing::certification::{Certificate, Holder};
use korpus_domain::lang::Text;
use korpus_domain::messages::tr;
use korpus_domain::validation::FieldError;
use korpus_domain::{Lang, ValidationErrors};
use korpus_print::{
    ApplicationListSheet, AttendanceSheet, CertificateSheet, Expected, ListedApplication, LotterySheet,
    MonthlySummarySheet, Printed, ProtocolSheet,
};
use korpus_store::{ApplicationStanding, Record, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use korpus_print::{PrintError, PrintLang, Printer};

mod papers;

/// A document to print, as the command line and the desk ask for it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Document {
    /// The issued certificate of a beneficiary or a mentor (id or IIN).
    Certificate {
        /// A beneficiary or a mentor.
        holder: Holder,
        /// Their id or IIN.
        id: String,
    },
    /// A mentor session's protocol.
    Protocol {
        /// The session's id.
        session: String,
    },
    /// A mentor's monthly summary.
    Summary {
        /// The mentor: id or IIN.
        mentor: String,
        /// The month, `2017-08` or `08.2017`.
        month: String,
    },
    /// A training day's attendance sheet.
    Attendance {
        /// The event's id.
        event: String,
        /// The day, 1 for the first.
        day: String,
    },
    /// A host organisation's applications.
    Applications {
        /// The organisation: id or BIN.
        host_org: String,
    },
    /// A region's lottery in force.
    Lottery {
        /// The region's KATO code.
        region: String,
    },
    /// A selected host organisation's memorandum of cooperation.
    Memorandum {
        /// The organisation: id or BIN.
        host_org: String,
    },
    /// A sub-project's grant contract.
    GrantContract {
        /// The application: id.
        application: String,
    },
    /// The evaluation commission's protocol of a region's decision in force.
    CommissionProtocol {
        /// The region's KATO code.
        region: String,
    },
    /// A region's scholarship payment roll for a month.
    ScholarshipRoll {
        /// The region's KATO code.
        region: String,
        /// The month, `2017-07` or `07.2017`.
        month: String,
    },
}

/// A document made from the database, and the file name it is saved under.
pub struct Rendered<'p> {
    /// A file name for it: what it is and whose, `.pdf`.
    pub file_name: String,
    /// The document.
    pub printed: Printed<'p>,
}

/// Reads a document language as typed (`kk`, `ru`, `en`, `kk+ru`), naming the field
/// `document_lang`.
pub fn print_lang(typed: &str) -> Result<PrintLang> {
    PrintLang::parse(typed).ok_or_else(|| {
        ValidationErrors::one(FieldError::unknown_value("document_lang", typed, &["kk", "ru", "en", "kk+ru"]))
            .into()
    })
}

fn region(store: &Store, kato: &str) -> Result<Text> {
    store
        .rulebook()
        .region(kato)
        .map(|r| r.name.clone())
        .ok_or_else(|| StoreError::Corrupt(format!("no region {kato} in the rulebook")).into())
}

/// Letters, digits and dashes of `text`, for a file name.
fn file_part(text: &str) -> String {
    let kept: String = text.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '-' }).collect();
    kept.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// An issued certificate.
pub fn certificate<'p>(
    printer: &'p Printer,
    store: &Store,
    c: &Certificate,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let region = region(store, &c.region)?;
    let printed = printer.certificate(&CertificateSheet { certificate: c, region: &region, lang })?;
    Ok(Rendered { file_name: format!("{}.pdf", c.number), printed })
}

/// Makes `document` from the database of `store`.
pub fn render<'p>(
    printer: &'p Printer,
    store: &Store,
    document: &Document,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    match document {
        Document::Certificate { holder, id } => {
            let line = store.certificate_line(*holder, id)?;
            let Some(c) = line.certificate else {
                return Err(ValidationErrors::one(
                    FieldError::new("holder_id", "error-certificate-not-issued").arg("name", &line.full_name),
                )
                .into());
            };
            certificate(printer, store, &c.data, lang)
        }
        Document::Protocol { session } => protocol(printer, store, session, lang),
        Document::Summary { mentor, month } => summary(printer, store, mentor, month, lang),
        Document::Attendance { event, day } => attendance(printer, store, event, day, lang),
        Document::Applications { host_org } => applications(printer, store, host_org, lang),
        Document::Lottery { region } => lottery(printer, store, region, lang),
        Document::Memorandum { host_org } => papers::memorandum(printer, store, host_org, lang),
        Document::GrantContract { application } => papers::grant_contract(printer, store, application, lang),
        Document::CommissionProtocol { region } => papers::commission_protocol(printer, store, region, lang),
        Document::ScholarshipRoll { region, month } => {
            papers::scholarship_roll(printer, store, region, month, lang)
        }
    }
}

/// A mentor session's protocol.
fn protocol<'p>(printer: &'p Printer, store: &Store, session: &str, lang: PrintLang) -> Result<Rendered<'p>> {
    let v = store.protocol_view(session)?;
    let region = region(store, &v.session.data.region)?;
    let printed = printer.protocol(&ProtocolSheet {
        session: &v.session.data,
        mentor: &v.mentor,
        subproject: &v.subproject,
        region: &region,
        attendees: &v.attendees,
        lang,
    })?;
    let name = format!("protocol-{}-{}.pdf", v.session.data.held_on, file_part(&v.mentor));
    Ok(Rendered { file_name: name, printed })
}

/// A mentor's monthly summary.
fn summary<'p>(
    printer: &'p Printer,
    store: &Store,
    mentor: &str,
    month: &str,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let v = store.summary_view(mentor, month)?;
    let region = region(store, &v.region)?;
    let printed = printer.monthly_summary(&MonthlySummarySheet {
        mentor: &v.mentor,
        region: &region,
        month: &v.month,
        sessions: &v.sessions,
        lang,
    })?;
    Ok(Rendered { file_name: format!("summary-{}-{}.pdf", v.month.month, file_part(&v.mentor)), printed })
}

/// A training day's attendance sheet.
fn attendance<'p>(
    printer: &'p Printer,
    store: &Store,
    event: &str,
    day: &str,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let v = store.attendance_view(event, day)?;
    let region = region(store, &v.event.data.region)?;
    let people: Vec<Expected> = v
        .people
        .iter()
        .map(|p| Expected { name: p.name.clone(), iin: p.iin.clone(), group: p.group.clone() })
        .collect();
    let printed = printer.attendance_sheet(&AttendanceSheet {
        event: &v.event.data,
        region: &region,
        day: v.day,
        people: &people,
        lang,
    })?;
    let date = v.event.data.date_of(v.day).map(|d| d.to_string()).unwrap_or_default();
    Ok(Rendered { file_name: format!("attendance-{}-{date}.pdf", v.event.data.stage.code()), printed })
}

/// A host organisation's applications.
fn applications<'p>(
    printer: &'p Printer,
    store: &Store,
    host_org: &str,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let rulebook = store.rulebook();
    let v = store.application_list_view(host_org)?;
    let region = region(store, &v.host_org.data.region)?;
    let each = |text: &dyn Fn(Lang) -> String| lang.each(text);
    let listed: Vec<ListedApplication> = v
        .applications
        .iter()
        .map(|(a, standing)| {
            let app = &a.application.data;
            let direction = rulebook
                .direction(&app.direction)
                .map(|d| each(&|l| d.name.get(l).to_owned()))
                .unwrap_or_else(|| app.direction.clone());
            let status = each(&|l| match standing {
                ApplicationStanding::Registered => tr(l, "print-standing-registered", &[]),
                ApplicationStanding::Screened(v) => {
                    format!("{}: {}", tr(l, "print-standing-screened", &[]), tr(l, v.message_key(), &[]))
                }
                ApplicationStanding::Drawn(arm) => tr(l, arm.message_key(), &[]),
            });
            ListedApplication {
                name: app.name.clone(),
                direction,
                leader: a.members.first().map(|m| m.data.identity.full_name()).unwrap_or_default(),
                members: a.members.len(),
                budget_tenge: app.budget,
                status,
            }
        })
        .collect();
    let bin = v.host_org.data.bin.to_string();
    let printed = printer.application_list(&ApplicationListSheet {
        host_org: &v.host_org.data.name,
        bin: &bin,
        region: &region,
        cohort: rulebook.cohort,
        applications: &listed,
        lang,
    })?;
    Ok(Rendered { file_name: format!("applications-{bin}.pdf"), printed })
}

/// A region's lottery in force.
fn lottery<'p>(printer: &'p Printer, store: &Store, kato: &str, lang: PrintLang) -> Result<Rendered<'p>> {
    let v = store.lottery_view(kato)?;
    let region = region(store, kato)?;
    let printed = printer.lottery_result(&LotterySheet {
        lottery: &v.lottery.data,
        region: &region,
        names: &v.names,
        lang,
    })?;
    Ok(Rendered { file_name: format!("lottery-{}-{kato}.pdf", v.lottery.data.cohort), printed })
}

/// The recovery sheet of the database of `store`, with `code` just made (it is printed only then:
/// nothing keeps it).
pub fn recovery_sheet<'p>(
    printer: &'p Printer,
    store: &Store,
    code: &korpus_store::RecoveryCode,
    today: chrono::NaiveDate,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let (code, device) = (code.to_string(), store.device_id().to_string());
    let database = store.path().display().to_string();
    let sheet = korpus_print::RecoverySheet {
        code: &code,
        device: &device,
        database: &database,
        made_on: today,
        lang,
    };
    let printed = printer.recovery_sheet(&sheet)?;
    Ok(Rendered { file_name: format!("recovery-{}.pdf", &device[..8]), printed })
}

/// Saves `bytes` at `path`, making its folder first.
pub fn save(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| AppError::file(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| AppError::file(path, e))
}

/// Many documents saved at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedFiles {
    /// The files, in the order made.
    pub files: Vec<PathBuf>,
    /// Their size together.
    pub bytes: u64,
}

/// The folder name of a bulk print of a cohort's certificates (of one region, or all).
pub fn certificates_folder(cohort: i32, region: Option<&str>) -> String {
    match region {
        Some(r) => format!("certificates-{cohort}-{r}"),
        None => format!("certificates-{cohort}"),
    }
}

/// Saves every issued certificate of `cohort` (of one region, or all) as a PDF each in `folder`,
/// named by number, telling `progress` (done, total) after each.
pub fn print_certificates(
    printer: &Printer,
    store: &Store,
    cohort: i32,
    region: Option<&str>,
    folder: &Path,
    lang: PrintLang,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SavedFiles> {
    let certificates = store.certificates(cohort, region)?;
    std::fs::create_dir_all(folder).map_err(|e| AppError::file(folder, e))?;
    let total = certificates.len();
    let mut saved = SavedFiles { files: Vec::with_capacity(total), bytes: 0 };
    for (done, Record { data: c, .. }) in certificates.iter().enumerate() {
        let rendered = certificate(printer, store, c, lang)?;
        let pdf = rendered.printed.pdf();
        let file = folder.join(rendered.file_name);
        save(&file, &pdf)?;
        saved.bytes += pdf.len() as u64;
        saved.files.push(file);
        progress(done + 1, total);
    }
    Ok(saved)
}
