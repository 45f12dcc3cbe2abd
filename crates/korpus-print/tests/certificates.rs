//! Certificates read back with poppler as a reader and a printer see them: the exact name with
//! every Kazakh letter as text, embedded subset fonts, one page, a page that is not blank, a QR
//! code that decodes to a code that verifies, and a name of 120 characters inside its box.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use korpus_domain::closing::certificate_code::{self, CertificateCode};
use korpus_domain::closing::certificate_number::{BlockSource, certificate_number};
use korpus_domain::closing::certification::{Certificate, Holder};
use korpus_domain::lang::{Lang, Text};
use korpus_domain::selection::lottery::Arm;
use korpus_print::{CertificateSheet, PrintLang, Printer, read_certificate_pdf};
use std::path::{Path, PathBuf};
use std::process::Command;
use uuid::Uuid;

const KAZAKH: &str = "Әлібекқызы Ғалия Қуанышқызы Ңөөұүһі ӘҒҚҢӨҰҮҺІ";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn certificate(name: &str, holder: Holder) -> Certificate {
    let device = Uuid::parse_str("0195f3c2-a1b2-7c8e-9d0a-1b2c3d4e5f60").unwrap();
    let mut c = Certificate {
        cohort: 2017,
        region: "551010000".into(),
        holder,
        holder_id: Uuid::nil(),
        full_name: name.into(),
        arm: (holder == Holder::Person).then_some(Arm::A),
        completed_on: NaiveDate::from_ymd_opt(2017, 11, 30).unwrap(),
        number: certificate_number(2017, BlockSource::Hq, device, 501),
        issued_on: NaiveDate::from_ymd_opt(2017, 12, 20).unwrap(),
        device_id: device,
        rulebook_version: "2017.1".into(),
        outcomes: Vec::new(),
        signature: String::new(),
    };
    c.signature = certificate_code::sign(&c, &key());
    c
}

fn region() -> Text {
    Text {
        kk: "Павлодар облысы".into(), ru: "Павлодарская область".into(), en: "Pavlodar Region".into()
    }
}

fn print(dir: &Path, name: &str, c: &Certificate, lang: PrintLang) -> PathBuf {
    let printer = Printer::new().unwrap();
    let bytes =
        printer.certificate(&CertificateSheet { certificate: c, region: &region(), lang }).unwrap().pdf();
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    // Kept for a person to look at, as the window tests keep their screenshots.
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/prints");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::write(kept.join(name), &bytes).unwrap();
    path
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out =
        Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} (poppler-utils): {e}"));
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The page rendered at `dpi` as grey levels (a PGM file): width, height, pixels.
fn render(pdf: &Path, dpi: u32) -> (usize, usize, Vec<u8>) {
    let prefix = pdf.with_extension("");
    poppler(
        "pdftoppm",
        &["-r", &dpi.to_string(), "-gray", "-singlefile", pdf.to_str().unwrap(), prefix.to_str().unwrap()],
    );
    let bytes = std::fs::read(prefix.with_extension("pgm")).unwrap();
    // "P5", width, height, maxval, each followed by one whitespace byte, then the pixels.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let end = at + bytes[at..].iter().position(|b| b.is_ascii_whitespace()).unwrap();
        fields.push(String::from_utf8(bytes[at..end].to_vec()).unwrap());
        at = end + 1;
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P5", "255"));
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    assert_eq!(bytes.len() - at, w * h);
    (w, h, bytes[at..].to_vec())
}

fn decode_qr(pdf: &Path) -> String {
    let (w, h, pixels) = render(pdf, 200);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    grids[0].decode().unwrap().1
}

#[test]
fn the_name_with_every_kazakh_letter_is_text_in_embedded_subset_fonts_on_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let c = certificate(KAZAKH, Holder::Person);
    let pdf = print(dir.path(), "kk.pdf", &c, PrintLang::One(Lang::Kk));
    let file = pdf.to_str().unwrap();

    let text = poppler("pdftotext", &["-layout", file, "-"]);
    assert!(text.contains(KAZAKH), "the name as text:\n{text}");
    for expected in [
        "СЕРТИФИКАТ",
        "Жастар корпусын дамыту жобасы",
        "№ 2017-000501",
        "Берілген күні: 20.12.2017",
        "Павлодар облысы",
        "30.11.2017",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    let info = poppler("pdfinfo", &[file]);
    assert!(info.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Pages:", "1"]), "{info}");
    assert!(info.contains("297 x 210 mm") || info.contains("841.89 x 595.276 pts"), "A4 landscape: {info}");

    // Every font embedded and subset (a six-letter tag before its name), none without Unicode.
    let fonts = poppler("pdffonts", &[file]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+', "subset: {row}");
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "embedded, subset, Unicode: {row}");
    }
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size < 40 * 1024, "a certificate is {size} bytes");

    // Not blank: a fair share of the page is ink.
    let (w, h, pixels) = render(&pdf, 50);
    let ink = pixels.iter().filter(|&&p| p < 128).count();
    assert!(ink * 100 > w * h * 2, "{ink} dark pixels of {}", w * h);
}

#[test]
fn the_qr_decodes_to_a_code_that_verifies_and_an_edited_name_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let c = certificate(KAZAKH, Holder::Person);
    let pdf = print(dir.path(), "qr.pdf", &c, PrintLang::One(Lang::Kk));
    let scanned = decode_qr(&pdf);
    assert_eq!(scanned, CertificateCode::of(&c).text());
    let code = CertificateCode::parse(&scanned).unwrap();
    assert_eq!(code.full_name, KAZAKH);
    assert!(code.verify(&key().verifying_key()).is_ok());
    let edited = CertificateCode::parse(&scanned.replace("Ғалия", "Галия")).unwrap();
    assert!(edited.verify(&key().verifying_key()).is_err());

    // The file holds the same code, and its text the name it was signed with.
    let read = read_certificate_pdf(&std::fs::read(&pdf).unwrap()).unwrap();
    assert_eq!(read.code, scanned);
    assert!(read.text.contains(KAZAKH), "{}", read.text);
}

/// The name's words, as poppler places them: (word, xMin, yMin, xMax, yMax) in mm.
fn words(pdf: &Path) -> Vec<(String, f32, f32, f32, f32)> {
    let html = poppler("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let mm = |v: &str| v.parse::<f32>().unwrap() * 25.4 / 72.0;
    html.lines()
        .filter_map(|l| l.trim().strip_prefix("<word "))
        .map(|l| {
            let attr = |name: &str| {
                l.split(&format!("{name}=\"")).nth(1).unwrap().split('"').next().unwrap().to_owned()
            };
            let word = l.split('>').nth(1).unwrap().split('<').next().unwrap().to_owned();
            (word, mm(&attr("xMin")), mm(&attr("yMin")), mm(&attr("xMax")), mm(&attr("yMax")))
        })
        .collect()
}

#[test]
fn a_name_of_120_characters_stays_inside_its_box_and_a_short_one_is_centred() {
    let dir = tempfile::tempdir().unwrap();
    let long = "Әбдірахманова-Серікбаева Гүлжаһан Нұрсұлтанқызы Қасымжомарт Ұлықбекова Өмірзақова Үмітжан Һәмидолла Ілиясқызы Ғабитқызыы";
    assert_eq!(long.chars().count(), 120);
    let pdf = print(dir.path(), "long.pdf", &certificate(long, Holder::Mentor), PrintLang::KkRu);
    let placed = words(&pdf);
    let name_words: Vec<&str> = long.split(' ').collect();
    let mut found = 0;
    for (word, x0, y0, x1, y1) in &placed {
        if name_words.contains(&word.as_str()) {
            found += 1;
            // The name's box: x 28..269 mm, y 76..102 mm from the top.
            assert!(*x0 >= 28.0 && *x1 <= 269.0, "{word} spans {x0:.1}..{x1:.1} mm");
            assert!(*y0 >= 75.0 && *y1 <= 103.0, "{word} spans {y0:.1}..{y1:.1} mm down");
        }
    }
    assert_eq!(found, name_words.len(), "every word of the name is on the page: {placed:?}");
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("СЕРТИФИКАТ") && text.contains("Регион: Павлодарская область"), "{text}");

    let pdf = print(dir.path(), "short.pdf", &certificate("Ли Ан", Holder::Person), PrintLang::One(Lang::En));
    let placed = words(&pdf);
    let (_, x0, _, _, _) = placed.iter().find(|w| w.0 == "Ли").unwrap();
    let (_, _, _, x1, _) = placed.iter().find(|w| w.0 == "Ан").unwrap();
    let middle = (x0 + x1) / 2.0;
    assert!((middle - 148.5).abs() < 1.0, "centred on the page's middle: {middle:.2} mm");
    assert!(poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]).contains("CERTIFICATE"));
}

#[test]
fn the_preview_is_the_page_as_svg_with_the_name_and_its_font() {
    let printer = Printer::new().unwrap();
    let c = certificate(KAZAKH, Holder::Person);
    let sheet = CertificateSheet { certificate: &c, region: &region(), lang: PrintLang::One(Lang::Kk) };
    let printed = printer.certificate(&sheet).unwrap();
    assert_eq!(printed.pages(), 1);
    let svg = printed.preview_svg();
    assert!(
        svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 841.88983 595.27563\""),
        "{}",
        &svg[..200]
    );
    assert!(svg.contains("@font-face"), "the font travels with the preview");
    assert!(svg.contains("Әлібекқызы"), "the name is text in the preview");
    // The QR code is drawn in page points there too: its modules fill the box at x 235..273 mm.
    let qr_paths = svg
        .split("<path d=\"M")
        .skip(1)
        .filter_map(|p| p.split(',').next()?.parse::<f32>().ok())
        .filter(|x| (235.0 * 72.0 / 25.4..273.0 * 72.0 / 25.4).contains(x))
        .count();
    assert!(qr_paths > 100, "{qr_paths} modules of the QR code in the preview");
}

#[test]
fn a_beneficiarys_certificate_says_what_their_arm_did() {
    let dir = tempfile::tempdir().unwrap();
    let text_of = |arm: Arm, lang: PrintLang| {
        let c = Certificate {
            arm: Some(arm), ..certificate("Сәрсенова Әйгерім", Holder::Person)
        };
        let pdf = print(dir.path(), &format!("arm-{arm}.pdf"), &c, lang);
        // One line per line of text; the wrapped sentence read as one.
        poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let a = text_of(Arm::A, PrintLang::One(Lang::En));
    assert!(
        a.contains("(group A): training in life skills and project management, accompanied by a mentor"),
        "{a}"
    );
    assert!(a.contains("a sub-project carried out with a grant"), "{a}");
    let b = text_of(Arm::B, PrintLang::One(Lang::En));
    assert!(b.contains("(group B): a sub-project carried out with a grant"), "{b}");
    assert!(
        !b.contains("training") && !b.contains("mentor"),
        "group B had neither training nor a mentor: {b}"
    );
    let c = text_of(Arm::C, PrintLang::One(Lang::En));
    assert!(c.contains("carried out without a grant"), "{c}");
    // In Kazakh and Russian both, each language's sentence is on the page.
    let both = text_of(Arm::C, PrintLang::KkRu);
    assert!(both.contains("ішкі жобаны грантсыз жүзеге асырды"), "{both}");
    assert!(both.contains("подпроект, реализованный без гранта"), "{both}");
}
