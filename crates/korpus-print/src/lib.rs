//! Korpus's printed documents as PDF: certificates with a verifiable QR code, mentor session
//! protocols and monthly summaries, attendance sheets, lists of applications, lottery results,
//! memoranda with host organisations, grant contracts, the evaluation commission's protocol and
//! scholarship payment rolls.
//!
//! Every document embeds DejaVu Sans (its licence is in `fonts/`), subset to the glyphs it uses,
//! so every Kazakh letter prints and its text can be searched and copied. Documents are made in
//! memory from the domain's records; where they are written is the caller's business.

mod canvas;
mod certificate;
mod documents;
mod flow;
mod papers;
mod recovery;

pub use certificate::{CERTIFICATE_SUBJECT, CertificatePdf, CertificateSheet, read_certificate_pdf};
pub use documents::{
    ApplicationListSheet, AttendanceSheet, Expected, ListedApplication, LotterySheet, MonthlySummarySheet,
    ProtocolSheet,
};
pub use papers::{
    CommissionProtocolSheet, ContractHostOrg, GrantContractSheet, MemberScore, MemorandumSheet,
    ProtocolApplication, RollEntry, ScholarshipRollSheet,
};
pub use recovery::RecoverySheet;

use korpus_domain::Lang;
use korpus_domain::messages::tr;

/// What can go wrong making a document. None comes from the data: every record prints.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// An embedded font could not be read (a broken build).
    #[error("the embedded font {0} cannot be read")]
    Font(String),
    /// The QR code could not hold the data.
    #[error("the QR code: {0}")]
    Qr(String),
}

/// The language a document is printed in: one of the three, or Kazakh and Russian together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintLang {
    /// One language.
    One(Lang),
    /// Kazakh and Russian, every text in both.
    KkRu,
}

impl PrintLang {
    /// Reads `kk`, `ru`, `en` or `kk+ru`.
    pub fn parse(text: &str) -> Option<PrintLang> {
        match text.trim() {
            "kk+ru" | "kk-ru" | "bilingual" => Some(PrintLang::KkRu),
            other => Lang::ALL.into_iter().find(|l| l.code() == other).map(PrintLang::One),
        }
    }

    /// The languages printed, first the main one.
    pub fn langs(self) -> &'static [Lang] {
        match self {
            PrintLang::One(Lang::Kk) => &[Lang::Kk],
            PrintLang::One(Lang::Ru) => &[Lang::Ru],
            PrintLang::One(Lang::En) => &[Lang::En],
            PrintLang::KkRu => &[Lang::Kk, Lang::Ru],
        }
    }

    /// A label in every printed language, joined by " / ".
    pub(crate) fn label(self, key: &str, args: &[korpus_domain::messages::Arg]) -> String {
        self.each(|l| tr(l, key, args))
    }

    /// `text` made in every printed language, joined by " / ", each different text once.
    pub fn each(self, text: impl Fn(Lang) -> String) -> String {
        let mut unique: Vec<String> = Vec::new();
        for t in self.langs().iter().map(|&l| text(l)) {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        unique.join(" / ")
    }
}

/// A document made: its PDF, or its first page as SVG for a preview on screen.
pub struct Printed<'p>(canvas::Sheet<'p>);

impl Printed<'_> {
    /// The PDF: fonts embedded and subset to the glyphs used, streams compressed.
    pub fn pdf(self) -> Vec<u8> {
        self.0.finish()
    }

    /// How many pages it has.
    pub fn pages(&self) -> usize {
        self.0.pages()
    }

    /// The first page as SVG, its fonts embedded, to show before printing.
    pub fn preview_svg(self) -> String {
        self.0.preview()
    }
}

/// Makes documents. Made once (it parses the fonts), then used for any number of them.
pub struct Printer {
    fonts: canvas::Fonts,
}

impl Printer {
    /// A printer with the embedded fonts ready.
    pub fn new() -> Result<Printer, PrintError> {
        Ok(Printer { fonts: canvas::Fonts::load()? })
    }
}
