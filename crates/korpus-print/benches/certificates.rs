//! 1,000 certificates in one bulk run, as `korpus print certificates` makes them: one PDF each,
//! written to a folder. Prints certificates per second and the average size, and writes them to
//! `bench/results/print.txt`. Targets: at least 100 a second, at most 40 KB each on average.

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use korpus_domain::closing::certificate_code::sign;
use korpus_domain::closing::certificate_number::{BlockSource, certificate_number};
use korpus_domain::closing::certification::{Certificate, Holder};
use korpus_domain::lang::Text;
use korpus_domain::selection::lottery::Arm;
use korpus_print::{CertificateSheet, PrintLang, Printer};
use std::time::Instant;
use uuid::Uuid;

const COUNT: u32 = 1_000;

const SURNAMES: [&str; 8] =
    ["Әбдірахманова", "Нұрланов", "Қасымжомарт", "Үсенова", "Ғабитов", "Өмірзақова", "Ким", "Һәмидолла"];
const GIVEN: [&str; 8] = ["Әсел", "Ғалым", "Іңкәр", "Ұлжан", "Дәурен", "Айгүл", "Ержан", "Мөлдір"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = SigningKey::from_bytes(&[3; 32]);
    let device = Uuid::now_v7();
    let region = Text {
        kk: "Павлодар облысы".into(),
        ru: "Павлодарская область".into(),
        en: "Pavlodar Region".into(),
    };
    let certificates: Vec<Certificate> = (1..=COUNT)
        .map(|n| {
            let i = n as usize;
            let mut c = Certificate {
                cohort: 2017,
                region: "551010000".into(),
                holder: if n % 10 == 0 { Holder::Mentor } else { Holder::Person },
                holder_id: Uuid::now_v7(),
                full_name: format!("{} {} {}қызы", SURNAMES[i % 8], GIVEN[(i / 8) % 8], GIVEN[(i / 64) % 8]),
                arm: Some([Arm::A, Arm::B, Arm::C][i % 3]),
                completed_on: NaiveDate::from_ymd_opt(2017, 11, 30).unwrap_or_default(),
                number: certificate_number(2017, BlockSource::Hq, device, n),
                issued_on: NaiveDate::from_ymd_opt(2017, 12, 20).unwrap_or_default(),
                device_id: device,
                rulebook_version: "2017-pilot.3".into(),
                outcomes: Vec::new(),
                signature: String::new(),
            };
            c.signature = sign(&c, &key);
            c
        })
        .collect();
    let dir = tempfile::TempDir::new()?;
    let started = Instant::now();
    let printer = Printer::new()?;
    let mut bytes = 0u64;
    for c in &certificates {
        let pdf = printer
            .certificate(&CertificateSheet {
                certificate: c,
                region: &region,
                lang: PrintLang::One(korpus_domain::Lang::Kk),
            })?
            .pdf();
        bytes += pdf.len() as u64;
        std::fs::write(dir.path().join(format!("{}.pdf", c.number)), pdf)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let line = format!(
        "{COUNT} certificates in one bulk run: {seconds:.2} s, {:.0} per second (target: at least 100), \
         {:.1} KB each on average (target: at most 40 KB)",
        f64::from(COUNT) / seconds,
        bytes as f64 / f64::from(COUNT) / 1024.0
    );
    println!("{line}");
    let results = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("print.txt"), format!("{line}\n"))?;
    Ok(())
}
