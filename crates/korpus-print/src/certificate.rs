//! The certificate: A4 landscape, one page. The programme's name, the title, the holder's name
//! fitted to its box, what was completed and when, the region, the number and the date, places for
//! the signature and the stamp, and the QR code of the signed certificate code.

use crate::canvas::{Align, Area, Canvas, Sheet, Style};
use crate::{PrintError, PrintLang, Printed, Printer};
use korpus_domain::closing::certificate_code::CertificateCode;
use korpus_domain::closing::certification::{Certificate, Holder};
use korpus_domain::lang::Text;
use korpus_domain::messages::tr;
use korpus_domain::selection::lottery::Arm;
use korpus_domain::validation::format_date;

/// The document subject of a certificate's PDF: this prefix, then its code in hex (the code may
/// hold any letter; the PDF's Info strings are safest in ASCII).
pub const CERTIFICATE_SUBJECT: &str = "korpus-certificate:";

/// A certificate to print.
#[derive(Debug, Clone, Copy)]
pub struct CertificateSheet<'a> {
    /// The record.
    pub certificate: &'a Certificate,
    /// The name of its region.
    pub region: &'a Text,
    /// The language.
    pub lang: PrintLang,
}

const WIDTH: f32 = 297.0;
const HEIGHT: f32 = 210.0;
/// Where the holder's name goes: the widest box inside the frame, two lines of the largest size.
pub(crate) const NAME_AREA: Area = Area { x: 28.0, y: 76.0, w: 241.0, h: 26.0 };

impl Printer {
    /// One certificate, one page.
    pub fn certificate(&self, sheet: &CertificateSheet<'_>) -> Result<Printed<'_>, PrintError> {
        let c = sheet.certificate;
        let lang = sheet.lang;
        let code = CertificateCode::of(c).text();
        let mut doc =
            Sheet::new(&self.fonts, &format!("{} {}", lang.label("print-certificate-title", &[]), c.number));
        doc.set_subject(format!("{CERTIFICATE_SUBJECT}{}", hex::encode(&code)));
        let mut page = doc.page(WIDTH, HEIGHT);
        page.frame(Area { x: 10.0, y: 10.0, w: WIDTH - 20.0, h: HEIGHT - 20.0 }, 2.0);
        page.frame(Area { x: 13.0, y: 13.0, w: WIDTH - 26.0, h: HEIGHT - 26.0 }, 0.6);

        heading(&mut page, lang);
        holder(&mut page, sheet);
        footer(&mut page, sheet, &code)?;
        doc.push(page);
        Ok(Printed(doc))
    }
}

/// The programme's name in each printed language, the title, and "certifies that".
fn heading(page: &mut Canvas<'_>, lang: PrintLang) {
    let centre = WIDTH / 2.0;
    let programme = lang.langs().iter().map(|&l| tr(l, "print-programme", &[]));
    let mut y = 22.0;
    for line in programme {
        page.fit(Area { x: 24.0, y, w: WIDTH - 48.0, h: 8.0 }, Align::Centre, Style::bold(13.0), 9.0, &line);
        y += 7.5;
    }
    page.fit(
        Area { x: 24.0, y: 40.0, w: WIDTH - 48.0, h: 18.0 },
        Align::Centre,
        Style::bold(34.0),
        20.0,
        &lang.label("print-certificate-title", &[]),
    );
    page.text(
        centre,
        70.0,
        Align::Centre,
        Style::regular(13.0),
        &lang.label("print-certificate-certifies", &[]),
    );
}

/// The holder's name fitted to its box, what they completed and when, and the region.
fn holder(page: &mut Canvas<'_>, sheet: &CertificateSheet<'_>) {
    let (c, lang) = (sheet.certificate, sheet.lang);
    page.fit_shrinking(NAME_AREA, Align::Centre, Style::bold(30.0), (18.0, 11.0), &c.full_name);

    let completed = format_date(c.completed_on);
    let mut y = 106.0;
    let per_lang = 24.0 / lang.langs().len() as f32;
    for &l in lang.langs() {
        let text = match (c.holder, c.arm) {
            (Holder::Mentor, _) => tr(l, "print-certificate-mentor", &[("date", completed.clone())]),
            // What the arm gave its groups (P:67-71): A training, a mentor and a grant; B a grant
            // only; C training and a mentor without a grant.
            (Holder::Person, arm) => {
                let key = match arm {
                    Some(Arm::A) => "print-certificate-beneficiary-a",
                    Some(Arm::B) => "print-certificate-beneficiary-b",
                    Some(Arm::C) => "print-certificate-beneficiary-c",
                    None => "print-certificate-beneficiary",
                };
                tr(l, key, &[("date", completed.clone())])
            }
        };
        page.fit(
            Area { x: 30.0, y, w: WIDTH - 60.0, h: per_lang },
            Align::Centre,
            Style::regular(13.0),
            8.0,
            &text,
        );
        y += per_lang;
    }
    page.fit(
        Area { x: 30.0, y: 132.0, w: WIDTH - 60.0, h: 8.0 },
        Align::Centre,
        Style::regular(13.0),
        8.0,
        &lang.each(|l| tr(l, "print-certificate-region", &[("region", sheet.region.get(l).to_owned())])),
    );
}

/// The number and date, left; signature and stamp, middle; the QR of the signed code, right.
fn footer(page: &mut Canvas<'_>, sheet: &CertificateSheet<'_>, code: &str) -> Result<(), PrintError> {
    let (c, lang) = (sheet.certificate, sheet.lang);
    page.fit(
        Area { x: 24.0, y: 150.0, w: 100.0, h: 7.0 },
        Align::Left,
        Style::bold(12.0),
        6.0,
        &lang.label("print-certificate-number", &[("number", c.number.clone())]),
    );
    page.fit(
        Area { x: 24.0, y: 158.0, w: 100.0, h: 7.0 },
        Align::Left,
        Style::regular(11.0),
        6.0,
        &lang.label("print-certificate-issued", &[("date", format_date(c.issued_on))]),
    );
    page.line((24.0, 182.0), (110.0, 182.0), 0.6);
    page.fit(
        Area { x: 24.0, y: 183.5, w: 86.0, h: 5.0 },
        Align::Left,
        Style::caption(8.5),
        5.0,
        &lang.label("print-signature-coordinator", &[]),
    );
    page.frame(Area { x: 128.0, y: 150.0, w: 48.0, h: 36.0 }, 0.4);
    page.text(152.0, 190.5, Align::Centre, Style::caption(8.5), &lang.label("print-stamp", &[]));

    let qr_side = 38.0;
    let qr_x = WIDTH - 24.0 - qr_side;
    page.qr(qr_x, 146.0, qr_side, code)?;
    page.fit(
        Area { x: qr_x - 12.0, y: 185.0, w: qr_side + 12.0, h: 6.0 },
        Align::Centre,
        Style::caption(8.0),
        5.0,
        &lang.label("print-scan-to-verify", &[]),
    );
    Ok(())
}

/// What a certificate's PDF holds: the code in its subject, and the text of its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatePdf {
    /// The code the certificate was printed with.
    pub code: String,
    /// The text of its pages, as a reader extracts it.
    pub text: String,
}

/// Reads a certificate's PDF back: its code and its text. `None` when the file is not a PDF
/// Korpus printed as a certificate.
pub fn read_certificate_pdf(bytes: &[u8]) -> Option<CertificatePdf> {
    let doc =
        printpdf::PdfDocument::parse(bytes, &printpdf::PdfParseOptions::default(), &mut Vec::new()).ok()?;
    let hex = doc.metadata.info.subject.strip_prefix(CERTIFICATE_SUBJECT)?;
    let code = String::from_utf8(hex::decode(hex).ok()?).ok()?;
    let text = doc.extract_text().into_iter().flatten().collect::<Vec<_>>().join("\n");
    Some(CertificatePdf { code, text })
}
