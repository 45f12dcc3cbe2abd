//! Printing for people (labels and values in the chosen language) and for scripts (`--json`).

use korpus_domain::messages::tr;
use korpus_domain::validation::{field_label, format_date};
use korpus_domain::{Lang, Rulebook};
use serde::Serialize;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// The user's language.
    pub lang: Lang,
    /// Machine-readable JSON instead of text.
    pub json: bool,
}

impl Out {
    /// A message of the catalogue in the user's language.
    pub fn tr(&self, key: &str, args: &[(&'static str, String)]) -> String {
        tr(self.lang, key, args)
    }

    /// Prints `value` as JSON, or `text()` for people.
    pub fn print<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("{e}"),
            }
        } else {
            println!("{}", text());
        }
    }

    /// "Label: value" lines, labels in the user's language, empty values left out.
    pub fn fields(&self, rows: &[(&str, String)]) -> String {
        let labelled: Vec<(String, &String)> =
            rows.iter().filter(|(_, v)| !v.is_empty()).map(|(f, v)| (field_label(self.lang, f), v)).collect();
        let width = labelled.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
        labelled
            .iter()
            .map(|(l, v)| format!("{l}:{} {v}", " ".repeat(width - l.chars().count())))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A table: a header of field labels and one line per row, columns padded to their widest cell.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) -> String {
        self.table_with(header.iter().map(|f| field_label(self.lang, f)).collect(), rows)
    }

    /// A table whose header is given as shown (day numbers, say).
    pub fn table_with(&self, header: Vec<String>, rows: Vec<Vec<String>>) -> String {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        };
        let mut out = vec![line(&header)];
        out.extend(rows.iter().map(|r| line(r)));
        out.push(self.tr("cli-found", &[("count", rows.len().to_string())]));
        out.join("\n")
    }

    /// The name of region `kato` in the user's language, or the code if unknown.
    pub fn region(&self, rulebook: &Rulebook, kato: &str) -> String {
        rulebook.region(kato).map_or_else(|| kato.to_owned(), |r| r.name.get(self.lang).to_owned())
    }

    /// The name of direction `code` in the user's language.
    pub fn direction(&self, rulebook: &Rulebook, code: &str) -> String {
        rulebook.direction(code).map_or_else(|| code.to_owned(), |d| d.name.get(self.lang).to_owned())
    }

    /// yes / no in the user's language.
    pub fn yes_no(&self, value: bool) -> String {
        self.tr(if value { "yes" } else { "no" }, &[])
    }

    /// An optional date as DD.MM.YYYY.
    pub fn date(&self, date: Option<chrono::NaiveDate>) -> String {
        date.map(format_date).unwrap_or_default()
    }
}
