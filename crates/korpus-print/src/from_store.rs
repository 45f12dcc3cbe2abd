//! Documents printed from the case database: what the command line and the desk print, named
//! the same way in both. The store gathers each document's facts (`korpus_store::*View`); this
//! module puts them into the printer's sheets. (Behind the `store` feature, so that the printer
//! itself needs only the domain; see `docs/decisions.md`.)

use crate::{
    ApplicationListSheet, AttendanceSheet, CertificateSheet, Expected, ListedApplication, LotterySheet,
    MonthlySummarySheet, PrintError, PrintLang, Printed, Printer, ProtocolSheet,
};
use korpus_domain::certification::{Certificate, Holder};
use korpus_domain::lang::Text;
use korpus_domain::messages::tr;
use korpus_domain::validation::FieldError;
use korpus_domain::{Lang, ValidationErrors};
use korpus_store::{ApplicationStanding, Result, Store, StoreError};
use serde::Deserialize;

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
}

/// A document made from the database, and the file name it is saved under.
pub struct Rendered<'p> {
    /// A file name for it: what it is and whose, `.pdf`.
    pub file_name: String,
    /// The document.
    pub printed: Printed<'p>,
}

/// A printing failure is a broken build (a font, the QR library), never the data's fault.
pub fn print_error(e: PrintError) -> StoreError {
    StoreError::Corrupt(e.to_string())
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
        .ok_or_else(|| StoreError::Corrupt(format!("no region {kato} in the rulebook")))
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
    let printed = printer
        .certificate(&CertificateSheet { certificate: c, region: &region, lang })
        .map_err(print_error)?;
    Ok(Rendered { file_name: format!("{}.pdf", c.number), printed })
}

/// Makes `document` from the database of `store`.
pub fn render<'p>(
    printer: &'p Printer,
    store: &Store,
    document: &Document,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let rulebook = store.rulebook();
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
        Document::Protocol { session } => {
            let v = store.protocol_view(session)?;
            let region = region(store, &v.session.data.region)?;
            let printed = printer
                .protocol(&ProtocolSheet {
                    session: &v.session.data,
                    mentor: &v.mentor,
                    subproject: &v.subproject,
                    region: &region,
                    attendees: &v.attendees,
                    lang,
                })
                .map_err(print_error)?;
            let name = format!("protocol-{}-{}.pdf", v.session.data.held_on, file_part(&v.mentor));
            Ok(Rendered { file_name: name, printed })
        }
        Document::Summary { mentor, month } => {
            let v = store.summary_view(mentor, month)?;
            let region = region(store, &v.region)?;
            let printed = printer
                .monthly_summary(&MonthlySummarySheet {
                    mentor: &v.mentor,
                    region: &region,
                    month: &v.month,
                    sessions: &v.sessions,
                    lang,
                })
                .map_err(print_error)?;
            Ok(Rendered {
                file_name: format!("summary-{}-{}.pdf", v.month.month, file_part(&v.mentor)),
                printed,
            })
        }
        Document::Attendance { event, day } => {
            let v = store.attendance_view(event, day)?;
            let region = region(store, &v.event.data.region)?;
            let people: Vec<Expected> = v
                .people
                .iter()
                .map(|p| Expected { name: p.name.clone(), iin: p.iin.clone(), group: p.group.clone() })
                .collect();
            let printed = printer
                .attendance_sheet(&AttendanceSheet {
                    event: &v.event.data,
                    region: &region,
                    day: v.day,
                    people: &people,
                    lang,
                })
                .map_err(print_error)?;
            let date = v.event.data.date_of(v.day).map(|d| d.to_string()).unwrap_or_default();
            Ok(Rendered {
                file_name: format!("attendance-{}-{date}.pdf", v.event.data.stage.code()),
                printed,
            })
        }
        Document::Applications { host_org } => {
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
                            format!(
                                "{}: {}",
                                tr(l, "print-standing-screened", &[]),
                                tr(l, v.message_key(), &[])
                            )
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
            let printed = printer
                .application_list(&ApplicationListSheet {
                    host_org: &v.host_org.data.name,
                    bin: &bin,
                    region: &region,
                    cohort: rulebook.cohort,
                    applications: &listed,
                    lang,
                })
                .map_err(print_error)?;
            Ok(Rendered { file_name: format!("applications-{bin}.pdf"), printed })
        }
        Document::Lottery { region: kato } => {
            let v = store.lottery_view(kato)?;
            let region = region(store, kato)?;
            let printed = printer
                .lottery_result(&LotterySheet {
                    lottery: &v.lottery.data,
                    region: &region,
                    names: &v.names,
                    lang,
                })
                .map_err(print_error)?;
            Ok(Rendered { file_name: format!("lottery-{}-{kato}.pdf", v.lottery.data.cohort), printed })
        }
    }
}
