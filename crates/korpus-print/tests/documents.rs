//! Protocols, monthly summaries and attendance sheets read back with poppler: the text is there,
//! a long list runs onto a second page with its header again, and every page is numbered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveTime};
use korpus_domain::Rulebook;
use korpus_domain::delivery::mentoring::{MentorSession, SessionKind, monthly_compliance};
use korpus_domain::delivery::training::{TrainingEvent, TrainingStage};
use korpus_domain::lang::{Lang, Text};
use korpus_print::{AttendanceSheet, Expected, MonthlySummarySheet, PrintLang, Printer, ProtocolSheet};
use std::path::{Path, PathBuf};
use std::process::Command;
use uuid::Uuid;

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

fn text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 8, d).unwrap()
}

fn session(day: u32, minutes: u32, protocol: bool) -> MentorSession {
    MentorSession {
        cohort: 2017,
        region: "551010000".into(),
        mentor_id: Uuid::nil(),
        application_id: Uuid::nil(),
        held_on: date(day),
        starts_at: NaiveTime::from_hms_opt(15, 30, 0).unwrap(),
        minutes,
        kind: SessionKind::Group,
        attendees: vec![Uuid::nil(); 3],
        topics: Some("Жобаның бюджетін түзету; сатып алу жоспары".into()),
        problems: Some("Жергілікті әкімдікпен келісім кешігіп жатыр".into()),
        next_steps: Some("Әкімдікке хат жазу (Әсел, 15 тамызға дейін)".into()),
        notes: None,
        protocol_on: protocol.then(|| date(day)),
    }
}

#[test]
fn a_protocol_names_the_session_its_texts_and_a_signature_line_per_attendee() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let attendees = vec!["Қасымова Әсел".to_owned(), "Нұрланов Ғалым".to_owned(), "Үсенова Іңкәр".to_owned()];
    let s = session(10, 150, true);
    let pdf = keep(
        dir.path(),
        "protocol.pdf",
        &printer
            .protocol(&ProtocolSheet {
                session: &s,
                mentor: "Серікова Һафиза",
                subproject: "Ауыл кітапханасы",
                region: &region(),
                attendees: &attendees,
                lang: PrintLang::One(Lang::Kk),
            })
            .unwrap()
            .pdf(),
    );
    assert_eq!(pages(&pdf), 1);
    let t = text(&pdf);
    for expected in [
        "Тәлімгер сессиясының хаттамасы",
        "Серікова Һафиза",
        "Ауыл кітапханасы",
        "10.08.2017",
        "басталуы 15:30, ұзақтығы 2:30",
        "Жобаның бюджетін түзету",
        "Жергілікті әкімдікпен",
        "Әкімдікке хат жазу",
        "Қатысқандар (3)",
        "Үсенова Іңкәр",
        "Хаттама жазылған күн: 10.08.2017",
        "1/1",
    ] {
        assert!(t.contains(expected), "{expected:?} in\n{t}");
    }
}

#[test]
fn a_monthly_summary_shows_the_sessions_and_why_the_month_is_not_paid() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let rulebook = Rulebook::pilot_2017();
    // Two meetings but 19:30 of sessions, one without a protocol: not compliant.
    let sessions = vec![
        (session(3, 600, true), "Ауыл кітапханасы".to_owned()),
        (session(17, 570, false), "Жасыл аула".to_owned()),
    ];
    let refs: Vec<&MentorSession> = sessions.iter().map(|(s, _)| s).collect();
    let month =
        monthly_compliance(&rulebook, 2017, 8, &refs, &[], NaiveDate::from_ymd_opt(2017, 9, 5).unwrap());
    let pdf = keep(
        dir.path(),
        "summary.pdf",
        &printer
            .monthly_summary(&MonthlySummarySheet {
                mentor: "Серікова Һафиза",
                region: &region(),
                month: &month,
                sessions: &sessions,
                lang: PrintLang::One(Lang::Ru),
            })
            .unwrap()
            .pdf(),
    );
    let t = text(&pdf);
    for expected in [
        "Месячная сводка ментора, 2017-08",
        "Жасыл аула",
        "19:30",
        "Сессий без протокола: 1",
        "К оплате: нет",
        "✗",
    ] {
        assert!(t.contains(expected), "{expected:?} in\n{t}");
    }
    assert!(t.contains(&korpus_domain::messages::tr(Lang::Ru, month.status.message_key(), &[])), "{t}");
}

#[test]
fn an_attendance_sheet_of_thirty_runs_onto_a_second_page_with_its_header_again() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let event = TrainingEvent {
        cohort: 2017,
        region: "551010000".into(),
        stage: TrainingStage::Phase1Beneficiaries,
        dates: (10..16).map(|d| NaiveDate::from_ymd_opt(2017, 7, d).unwrap()).collect(),
        hours_per_day: 6,
        venue: Some("Павлодар, Жастар орталығы".into()),
        trainers: Some("Ахметова Ә., Ким Д.".into()),
        notes: None,
    };
    let people: Vec<Expected> = (1..=30)
        .map(|i| Expected {
            name: format!("Қатысушы Ұлжан {i:02}"),
            iin: format!("9605174{i:05}"),
            group: Some(format!("Топ {}", i / 5 + 1)),
        })
        .collect();
    let pdf = keep(
        dir.path(),
        "attendance.pdf",
        &printer
            .attendance_sheet(&AttendanceSheet {
                event: &event,
                region: &region(),
                day: 2,
                people: &people,
                lang: PrintLang::KkRu,
            })
            .unwrap()
            .pdf(),
    );
    assert_eq!(pages(&pdf), 2);
    let t = text(&pdf);
    for expected in [
        "Қатысу парағы / Лист посещаемости",
        "11.07.2017",
        "Павлодар, Жастар орталығы",
        "Қатысушы Ұлжан 01",
        "Қатысушы Ұлжан 30",
        "1/2",
        "2/2",
    ] {
        assert!(t.contains(expected), "{expected:?} in\n{t}");
    }
    assert_eq!(t.matches("Қолы / Подпись").count(), 2, "the header on both pages:\n{t}");
}
