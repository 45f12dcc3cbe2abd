//! The programme's papers read back with poppler, in every language a desk prints: the
//! memorandum, the grant contract with its overhead, the commission's protocol with every score
//! and a signature line per member, the month's scholarship roll.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use korpus_domain::closing::money::GrantContract;
use korpus_domain::lang::{Lang, Text};
use korpus_domain::selection::commission::{CommissionMember, CommissionRole, CutOff};
use korpus_domain::selection::lottery::Arm;
use korpus_print::{
    CommissionProtocolSheet, ContractHostOrg, GrantContractSheet, MemberScore, MemorandumSheet, PrintLang,
    Printer, ProtocolApplication, RollEntry, ScholarshipRollSheet,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use uuid::Uuid;

const LANGS: [(&str, PrintLang); 4] = [
    ("kk", PrintLang::One(Lang::Kk)),
    ("ru", PrintLang::One(Lang::Ru)),
    ("en", PrintLang::One(Lang::En)),
    ("kk+ru", PrintLang::KkRu),
];

fn region() -> Text {
    Text {
        kk: "Павлодар облысы".into(), ru: "Павлодарская область".into(), en: "Pavlodar Region".into()
    }
}

fn keep(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/prints");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::write(kept.join(name), bytes).unwrap();
    path
}

/// The PDF's text, its runs of spaces made one (tables and wrapping spread words apart).
fn text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, m, d).unwrap()
}

#[test]
fn a_memorandum_names_both_parties_the_duties_and_the_overhead_in_each_language() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    for (code, lang) in LANGS {
        let sheet = MemorandumSheet {
            number: "М-17/04",
            signed_on: date(4, 20),
            selected_on: date(4, 18),
            cohort: 2017,
            host_org: "«Өркен» жастар қоғамдық бірлестігі",
            bin: "150340012345",
            head: Some("Жақсылықова Гүлназ"),
            region: &region(),
            overhead_percent: 15,
            max_applications: 7,
            lang,
        };
        let pdf =
            keep(dir.path(), &format!("memorandum-{code}.pdf"), &printer.memorandum(&sheet).unwrap().pdf());
        let t = text(&pdf);
        let mut expected = vec![
            "М-17/04",
            "20.04.2017",
            "«Өркен» жастар қоғамдық бірлестігі",
            "150340012345",
            "Жақсылықова Гүлназ",
        ];
        match code {
            "kk" => expected.extend([
                "ынтымақтастық туралы меморандум",
                "ең көбі 7 өтінім",
                "15 % үстеме",
                "Қабылдаушы ұйымның басшысы (қолы)",
            ]),
            "ru" => expected.extend([
                "Меморандум о сотрудничестве",
                "не более 7 заявок",
                "15 % суммы договора гранта",
                "Руководитель принимающей организации (подпись)",
            ]),
            "en" => expected.extend([
                "Memorandum of cooperation",
                "at most 7 applications",
                "15 % of each sub-project",
                "Head of the host organisation (signature)",
            ]),
            _ => expected.extend([
                "ынтымақтастық туралы меморандум",
                "Меморандум о сотрудничестве",
                "ең көбі 7 өтінім. / Она помогает",
            ]),
        }
        for e in expected {
            assert!(t.contains(e), "{code}: {e:?} in\n{t}");
        }
    }
}

#[test]
fn a_grant_contract_gives_the_sum_the_overhead_the_total_and_a_line_per_member() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let contract = GrantContract {
        cohort: 2017,
        region: "550000000".into(),
        application_id: Uuid::nil(),
        host_org_id: Some(Uuid::nil()),
        number: "ГШ-2017/031".into(),
        signed_on: date(7, 3),
        sum_tenge: 874_000,
        overhead_percent: 15,
        overhead_tenge: 131_100,
    };
    let members = [
        "Қасымова Әсел".to_owned(),
        "Нұрланов Ғалым".to_owned(),
        "Үсенова Іңкәр".to_owned(),
        "Шәріпов Өмір".to_owned(),
    ];
    for (code, lang) in LANGS {
        let sheet = GrantContractSheet {
            contract: &contract,
            subproject: "Ауыл кітапханасы",
            arm: Arm::A,
            members: &members,
            host_org: Some(ContractHostOrg {
                name: "«Өркен» жастар қоғамдық бірлестігі",
                bin: "150340012345",
                head: Some("Жақсылықова Гүлназ"),
            }),
            region: &region(),
            lang,
        };
        let pdf =
            keep(dir.path(), &format!("contract-{code}.pdf"), &printer.grant_contract(&sheet).unwrap().pdf());
        let t = text(&pdf);
        for e in [
            "ГШ-2017/031",
            "03.07.2017",
            "Ауыл кітапханасы",
            "874 000",
            "131 100",
            "1 005 100",
            "Шәріпов Өмір",
        ] {
            assert!(t.contains(e), "{code}: {e:?} in\n{t}");
        }
        let overhead = match code {
            "kk" => "Қабылдаушы ұйымның үстеме шығындары (гранттың 15 %)",
            "ru" => "Накладные расходы принимающей организации (15 % гранта)",
            "en" => "overhead (15 % of the grant)",
            _ => "(гранттың 15 %) / Накладные расходы принимающей организации (15 % гранта): 131 100",
        };
        assert!(t.contains(overhead), "{code}: {overhead:?} in\n{t}");
    }
    // Without a host organisation there is no overhead to print.
    let alone =
        GrantContract { host_org_id: None, overhead_percent: 0, overhead_tenge: 0, ..contract.clone() };
    let sheet = GrantContractSheet {
        contract: &alone,
        subproject: "Жасыл аула",
        arm: Arm::B,
        members: &members[..3],
        host_org: None,
        region: &region(),
        lang: PrintLang::One(Lang::En),
    };
    let t = text(&keep(dir.path(), "contract-alone.pdf", &printer.grant_contract(&sheet).unwrap().pdf()));
    assert!(t.contains("874 000") && !t.contains("overhead") && !t.contains("Шәріпов"), "{t}");
}

fn member(name: &str, role: CommissionRole) -> CommissionMember {
    CommissionMember {
        cohort: 2017,
        region: "550000000".into(),
        full_name: name.into(),
        position: Some("Павлодар облысы жастар саясаты басқармасы".into()),
        role,
    }
}

#[test]
fn a_commission_protocol_has_every_score_the_means_without_conflicts_and_a_signature_line_per_member() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let members = vec![
        member("Ахметова Сәуле", CommissionRole::Chair),
        member("Бекова Ләззат", CommissionRole::Member),
        member("Ғабитов Нұрсұлтан", CommissionRole::Member),
        member("Оспанова Күләш", CommissionRole::Secretary),
    ];
    let applications = vec![
        ProtocolApplication {
            name: "Ауыл кітапханасы".into(),
            totals: vec![
                MemberScore::Points(88),
                MemberScore::Points(91),
                MemberScore::Conflict,
                MemberScore::None,
            ],
            mean: Some(89.5),
            place: Some(1),
            selected: true,
        },
        ProtocolApplication {
            name: "Жасыл аула".into(),
            totals: vec![
                MemberScore::Points(70),
                MemberScore::Points(75),
                MemberScore::Points(77),
                MemberScore::None,
            ],
            mean: Some(74.0),
            place: Some(2),
            selected: false,
        },
    ];
    for (code, lang) in LANGS {
        let sheet = CommissionProtocolSheet {
            cohort: 2017,
            region: &region(),
            decided_on: date(5, 12),
            decided_by: "Ахметова Сәуле",
            members: &members,
            applications: &applications,
            cut_off: CutOff::Top { count: 1 },
            replaces: None,
            lang,
        };
        let pdf = keep(
            dir.path(),
            &format!("commission-{code}.pdf"),
            &printer.commission_protocol(&sheet).unwrap().pdf(),
        );
        let t = text(&pdf);
        for e in
            ["12.05.2017", "Ауыл кітапханасы", "89.50", "74.00", "88 91", "70 75 77", "Ғабитов Нұрсұлтан"]
        {
            assert!(t.contains(e), "{code}: {e:?} in\n{t}");
        }
        // Each member is named twice: among those present and on their own signature line.
        for m in &members {
            assert_eq!(
                t.matches(m.full_name.as_str()).count(),
                if m.full_name == "Ахметова Сәуле" { 3 } else { 2 },
                "{code}: {} in\n{t}",
                m.full_name
            );
        }
        let (conflict, signatures, cut_off) = match code {
            "kk" => ("МҚ", "Комиссия мүшелерінің қолдары", "алғашқы 1 орын"),
            "ru" => ("КИ", "Подписи членов комиссии", "первые 1 мест"),
            "en" => ("CoI", "Signatures of the members", "the first 1 places"),
            _ => (
                "МҚ / КИ",
                "Комиссия мүшелерінің қолдары / Подписи членов комиссии",
                "алғашқы 1 орын / первые 1 мест",
            ),
        };
        for e in [conflict, signatures, cut_off] {
            assert!(t.contains(e), "{code}: {e:?} in\n{t}");
        }
    }
}

#[test]
fn a_scholarship_roll_lists_each_beneficiary_the_amount_and_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let entries = vec![
        RollEntry {
            name: "Қасымова Әсел".into(),
            subproject: "Ауыл кітапханасы".into(),
            education: "ЖОО студенті".into(),
            amount_tenge: Some(26_000),
        },
        RollEntry {
            name: "Нұрланов Ғалым".into(),
            subproject: "Ауыл кітапханасы".into(),
            education: "ТжКБ түлегі".into(),
            amount_tenge: Some(61_000),
        },
        RollEntry {
            name: "Үсенова Іңкәр".into(),
            subproject: "Жасыл аула".into(),
            education: "жұмыс істейді".into(),
            amount_tenge: None,
        },
    ];
    for (code, lang) in LANGS {
        let sheet = ScholarshipRollSheet {
            month: "2017-07",
            region: &region(),
            entries: &entries,
            total_tenge: 87_000,
            lang,
        };
        let pdf = keep(
            dir.path(),
            &format!("scholarships-{code}.pdf"),
            &printer.scholarship_roll(&sheet).unwrap().pdf(),
        );
        let t = text(&pdf);
        for e in ["2017-07", "Қасымова Әсел", "26 000", "61 000", "87 000", "Үсенова Іңкәр"]
        {
            assert!(t.contains(e), "{code}: {e:?} in\n{t}");
        }
        let title = match code {
            "kk" => "Әлеуметтік шәкіртақы төлеу ведомосы",
            "ru" => "Ведомость выплаты социальной стипендии",
            "en" => "Social scholarship payment roll",
            _ => "Әлеуметтік шәкіртақы төлеу ведомосы, 2017-07 / Ведомость выплаты социальной стипендии",
        };
        assert!(t.contains(title), "{code}: {title:?} in\n{t}");
    }
}
