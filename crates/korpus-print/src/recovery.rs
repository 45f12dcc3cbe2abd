//! The recovery sheet: a desk's recovery code on paper (korpus-store keys.rs, RecoveryCode), with
//! what it opens and how to use it. The code is printed only when it is made; nothing keeps it.

use crate::canvas::{Align, Style};
use crate::flow::{Flow, PORTRAIT};
use crate::{PrintError, PrintLang, Printed, Printer};
use chrono::NaiveDate;
use korpus_domain::validation::format_date;

/// A recovery code to print.
#[derive(Debug, Clone, Copy)]
pub struct RecoverySheet<'a> {
    /// The code in its groups (`7K3QD-M9XA2-…`).
    pub code: &'a str,
    /// The device the database belongs to.
    pub device: &'a str,
    /// Where the database is on this computer.
    pub database: &'a str,
    /// The day the code was made.
    pub made_on: NaiveDate,
    /// The language.
    pub lang: PrintLang,
}

impl Printer {
    /// The recovery sheet: one A4 page.
    pub fn recovery_sheet(&self, sheet: &RecoverySheet<'_>) -> Result<Printed<'_>, PrintError> {
        let lang = sheet.lang;
        let title = lang.label("print-recovery-title", &[]);
        let mut flow = Flow::new(&self.fonts, &title, PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(4.0);
        flow.field(&lang.label("print-date", &[]), &format_date(sheet.made_on));
        flow.field(&lang.label("print-recovery-device", &[]), sheet.device);
        flow.field(&lang.label("print-recovery-database", &[]), sheet.database);
        flow.gap(6.0);
        flow.line(&lang.label("field-recovery_code", &[]), Style::caption(10.0), Align::Centre);
        flow.gap(1.0);
        flow.line(sheet.code, Style::bold(22.0), Align::Centre);
        flow.gap(6.0);
        for key in ["print-recovery-keep", "print-recovery-use", "print-recovery-replaced"] {
            flow.line(&lang.label(key, &[]), Style::regular(10.0), Align::Left);
            flow.gap(1.5);
        }
        Ok(flow.finish())
    }
}
