//! Store tests of the programme's end on a real SQLCipher file: grant contracts and scholarship
//! rolls to the tenge, the sub-projects' reports against their due date, certificates decided by
//! attendance and reports, and outreach, with the clock moved to December 2017.

use crate::delivery_tests::{REGION, at, drawn_groups, mark_all, refused_codes, selected_mentor};
use crate::tests::{count, date, field_of, new_store};
use crate::*;
use korpus_domain::closing::certificate_code::CertificateCode;
use korpus_domain::closing::certification::Holder;
use korpus_domain::closing::money::GrantContractInput;
use korpus_domain::closing::outreach::OutreachInput;
use korpus_domain::closing::reports::{ReportInput, ReportKind, ReportState, ReportStatus, ReviewInput};
use korpus_domain::delivery::training::TrainingStage;
use korpus_domain::rules::RuleCode;
use korpus_domain::selection::lottery::Arm;

fn contract(sum: &str) -> GrantContractInput {
    GrantContractInput { number: "ГК-17/055".into(), signed_on: "26.06.2017".into(), sum_tenge: sum.into() }
}

fn submit(
    store: &mut Store,
    app: Uuid,
    kind: &str,
    on: &str,
) -> Result<Record<korpus_domain::closing::reports::SubprojectReport>> {
    store.submit_report(&app.to_string(), &ReportInput { kind: kind.into(), submitted_on: on.into() })
}

fn review(decision: &str, on: &str, note: Option<&str>) -> ReviewInput {
    ReviewInput { decision: decision.into(), reviewed_on: on.into(), note: note.map(Into::into) }
}

#[test]
fn contracts_and_scholarship_rolls_add_up_to_the_tenge_by_region() {
    let (_dir, mut store, clock) = new_store();
    let arms = drawn_groups(&mut store);
    at(&clock, 2017, 7, 3);

    // Arms A and B get a grant: four sub-projects, none signed yet.
    let grants = store.grants(Some(REGION)).unwrap();
    assert_eq!(grants.len(), 4);
    assert!(grants.iter().all(|g| matches!(g.arm, Arm::A | Arm::B) && g.contract.is_none()));
    let a = arms[&Arm::A][0].to_string();
    assert_eq!(field_of(store.save_contract(&a, None, &contract("1 000 001")).unwrap_err()), "sum_tenge");
    assert_eq!(
        field_of(store.save_contract(&arms[&Arm::C][0].to_string(), None, &contract("500000")).unwrap_err()),
        "application_id"
    );
    let signed = store.save_contract(&a, None, &contract("999 999")).unwrap();
    // The group applied on its own: no host organisation, no overhead.
    assert_eq!((signed.data.sum_tenge, signed.data.overhead_tenge), (999_999, 0));
    assert_eq!(field_of(store.save_contract(&a, None, &contract("900000")).unwrap_err()), "number");
    assert_eq!(store.save_contract(&a, Some(7), &contract("900000")).unwrap_err().code(), "stale_version");
    let amended = store.save_contract(&a, Some(1), &contract("950 000")).unwrap();
    assert_eq!((amended.version, amended.data.sum_tenge), (2, 950_000));
    store.save_contract(&arms[&Arm::B][0].to_string(), None, &contract("1000000")).unwrap();

    // July's roll: every member of the six drawn groups (arm C too), 26,000 each for students.
    let roll = store.scholarship_roll(REGION, "07.2017").unwrap();
    assert_eq!((roll.month.as_str(), roll.lines.len(), roll.total_tenge), ("2017-07", 18, 468_000));
    assert!(roll.lines.iter().all(|l| l.amount_tenge == Some(26_000) && !l.recorded));
    assert_eq!(field_of(store.scholarship_roll(REGION, "2018-01").unwrap_err()), "month");
    let recorded = store.record_scholarships(REGION, "2017-07").unwrap();
    assert!(recorded.lines.iter().all(|l| l.recorded));
    assert_eq!(count(&store, "scholarships"), 18);
    assert_eq!(field_of(store.record_scholarships(REGION, "2017-07").unwrap_err()), "month");
    store.record_scholarships(REGION, "2017-08").unwrap();

    let totals = store.money_totals().unwrap();
    let region = totals.iter().find(|t| t.region.as_deref() == Some(REGION)).unwrap();
    assert_eq!((region.contracts, region.grants_tenge, region.overheads_tenge), (2, 1_950_000, 0));
    assert_eq!((region.scholarships, region.scholarships_tenge), (36, 936_000));
    let all = totals.last().unwrap();
    assert_eq!((all.region.as_deref(), all.total_tenge), (None, 2_886_000));
}

#[test]
fn reports_go_overdue_after_the_fifteenth_of_december_and_certificates_follow_attendance_and_reports() {
    let (_dir, mut store, clock) = new_store();
    let arms = drawn_groups(&mut store);
    let mentor = selected_mentor(&mut store, 500, "Серікбаев");
    let plan = store.plan_training(REGION).unwrap();
    let event = |stage: TrainingStage| plan.iter().find(|e| e.data.stage == stage).unwrap().id;
    let (a, b, c) = (arms[&Arm::A][0], arms[&Arm::B][0], arms[&Arm::C][0]);
    let members = |store: &Store, app: Uuid| -> Vec<Uuid> {
        store.application(&app.to_string()).unwrap().members.iter().map(|m| m.id).collect()
    };
    let (a_people, b_people, c_people) = (members(&store, a), members(&store, b), members(&store, c));

    // Ten reports are owed: two for each sub-project of A and B, the programme report for C.
    at(&clock, 2017, 12, 15);
    let lines = store.report_lines(Some(REGION)).unwrap();
    assert_eq!(lines.len(), 10);
    assert!(lines.iter().all(|l| l.state == ReportState::Expected && l.due_on == Some(date(2017, 12, 15))));
    at(&clock, 2017, 12, 16);
    assert!(store.report_lines(Some(REGION)).unwrap().iter().all(|l| l.state == ReportState::Overdue));
    assert_eq!(field_of(submit(&mut store, c, "financial", "14.12.2017").unwrap_err()), "kind");
    submit(&mut store, c, "programme", "14.12.2017").unwrap();
    submit(&mut store, a, "programme", "14.12.2017").unwrap();
    let financial = submit(&mut store, a, "financial", "14.12.2017").unwrap();
    assert_eq!(field_of(submit(&mut store, a, "financial", "15.12.2017").unwrap_err()), "kind");
    let returned = store
        .review_report(
            &a.to_string(),
            "financial",
            financial.version,
            &review("return", "15.12.2017", Some("Чектер жоқ")),
        )
        .unwrap();
    assert_eq!(returned.data.status, ReportStatus::Returned);
    submit(&mut store, b, "programme", "13.12.2017").unwrap();
    submit(&mut store, b, "financial", "13.12.2017").unwrap();

    // Phase I and III of the beneficiaries: group A's first member 5 of 6 days, the second 4 of
    // 6 days of phase III; group C all days.
    let (phase1, phase3) =
        (event(TrainingStage::Phase1Beneficiaries), event(TrainingStage::Phase3Beneficiaries));
    for day in 1..=6 {
        mark_all(&mut store, phase1, day, &[a_people.clone(), c_people.clone()].concat(), day != 6);
        mark_all(&mut store, phase3, day, &[&a_people[..1], &c_people[..]].concat(), day != 6);
        mark_all(&mut store, phase3, day, &a_people[1..2], day <= 4);
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let cert = |store: &mut Store, holder: Holder, id: Uuid| {
        store.issue_certificate(holder, &id.to_string(), "16.12.2017", &key)
    };
    // The financial report was returned: group A is not certified yet, group B and C are.
    assert_eq!(
        refused_codes(cert(&mut store, Holder::Person, a_people[0]).unwrap_err()),
        [RuleCode::CertReportsSubmitted]
    );
    let first = cert(&mut store, Holder::Person, b_people[0]).unwrap();
    // No block from HQ yet: the device's own series, named by its whole id.
    let device = store.device_id().simple().to_string().to_uppercase();
    assert_eq!(first.data.number, format!("2017-L{device}-0001"));
    let code = CertificateCode::parse(&CertificateCode::of(&first.data).text()).unwrap();
    assert!(code.verify(&key.verifying_key()).is_ok());
    assert!(code.verify(&ed25519_dalek::SigningKey::from_bytes(&[8; 32]).verifying_key()).is_err());
    assert_eq!(first.data.completed_on, date(2017, 12, 13));
    assert_eq!(field_of(cert(&mut store, Holder::Person, b_people[0]).unwrap_err()), "holder_id");
    let c_cert = cert(&mut store, Holder::Person, c_people[0]).unwrap();
    // Completed when the last condition was met: the programme report of 14 December, after
    // phase III's last day.
    assert_eq!(c_cert.data.number, format!("2017-L{device}-0002"));
    let phase3_last = *plan.iter().find(|e| e.id == phase3).unwrap().data.dates.last().unwrap();
    assert!(phase3_last < date(2017, 12, 14));
    assert_eq!(c_cert.data.completed_on, date(2017, 12, 14));

    submit(&mut store, a, "financial", "16.12.2017").unwrap();
    assert_eq!(
        field_of(
            store
                .issue_certificate(Holder::Person, &a_people[0].to_string(), "15.12.2017", &key)
                .unwrap_err()
        ),
        "issued_on"
    );
    // A block from HQ is drawn first; the same block received twice is kept once, an overlapping
    // one is refused.
    store.add_certificate_block(2017, 501, 501).unwrap();
    store.add_certificate_block(2017, 501, 501).unwrap();
    assert!(store.add_certificate_block(2017, 400, 501).is_err());
    assert_eq!(store.hq_numbers_left(2017).unwrap(), 1);
    assert_eq!(cert(&mut store, Holder::Person, a_people[0]).unwrap().data.number, "2017-000501");
    assert_eq!(store.hq_numbers_left(2017).unwrap(), 0);
    assert_eq!(
        refused_codes(cert(&mut store, Holder::Person, a_people[1]).unwrap_err()),
        [RuleCode::CertPhase3Attended]
    );
    // Who left the programme did not complete it, whatever else holds.
    let leaving = korpus_domain::delivery::withdrawals::WithdrawalInput {
        left_on: "01.12.2017".into(),
        reason: "employment".into(),
        notes: None,
        recorded_by: "Айгерім".into(),
    };
    store.withdraw(&a.to_string(), Some(&a_people[1].to_string()), &leaving).unwrap();
    assert_eq!(
        refused_codes(cert(&mut store, Holder::Person, a_people[1]).unwrap_err()),
        [RuleCode::CertNotWithdrawn, RuleCode::CertPhase3Attended]
    );

    // The mentor: certified after phase I, then phase III (3 days) attended.
    let mentor_key = mentor.to_string();
    assert_eq!(
        refused_codes(cert(&mut store, Holder::Mentor, mentor).unwrap_err()),
        [RuleCode::MentorCertified, RuleCode::CertPhase3Attended]
    );
    let m1 = event(TrainingStage::Phase1Mentors);
    for day in 1..=6 {
        mark_all(&mut store, m1, day, &[mentor], true);
    }
    store.certify_mentor(&mentor_key, "12.07.2017").unwrap();
    let m3 = event(TrainingStage::Phase3Mentors);
    for day in 1..=3 {
        mark_all(&mut store, m3, day, &[mentor], true);
    }
    let m_cert = cert(&mut store, Holder::Mentor, mentor).unwrap();
    assert_eq!(m_cert.data.holder, Holder::Mentor);
    // HQ's block used up, the device's own series goes on where it stopped: refused issues drew
    // nothing.
    assert_eq!(m_cert.data.number, format!("2017-L{device}-0003"));
    let blocks = store.certificate_blocks().unwrap();
    assert_eq!(
        blocks.iter().map(|b| (b.source, b.next)).collect::<Vec<_>>(),
        [
            (korpus_domain::closing::certificate_number::BlockSource::Hq, 502),
            (korpus_domain::closing::certificate_number::BlockSource::Local, 4)
        ]
    );
    assert_eq!(store.certificate(&m_cert.data.number).unwrap().id, m_cert.id);

    let lines = store.certificate_lines(Some(REGION)).unwrap();
    assert_eq!(lines.len(), 19, "18 members and one mentor");
    assert_eq!(lines.iter().filter(|l| l.certificate.is_some()).count(), 4);
    assert_eq!(count(&store, "certificates"), 4);
    let kinds: Vec<ReportKind> = store
        .report_lines(Some(REGION))
        .unwrap()
        .iter()
        .filter(|l| l.state == ReportState::Submitted)
        .map(|l| l.kind)
        .collect();
    assert_eq!(kinds.len(), 5);
}

#[test]
fn outreach_is_counted_by_region_and_bad_counts_are_named() {
    let (_dir, mut store, clock) = new_store();
    at(&clock, 2017, 4, 20);
    let input = OutreachInput {
        kind: "info_meeting".into(),
        held_on: "12.04.2017".into(),
        place: "Павлодар, №3 колледж".into(),
        partner: None,
        reached: "40".into(),
        women: "22".into(),
        vulnerable: "25".into(),
        notes: None,
    };
    let first = store.record_outreach(REGION, &input).unwrap();
    let bad = OutreachInput { women: "41".into(), ..input.clone() };
    assert_eq!(field_of(store.record_outreach(REGION, &bad).unwrap_err()), "women");
    let meeting = OutreachInput { kind: "partner_meeting".into(), ..input.clone() };
    assert_eq!(field_of(store.record_outreach(REGION, &meeting).unwrap_err()), "partner");
    store
        .record_outreach(
            "350000000",
            &OutreachInput {
                reached: "10".into(),
                women: "5".into(),
                vulnerable: "1".into(),
                ..input.clone()
            },
        )
        .unwrap();
    let fixed = OutreachInput { reached: "42".into(), ..input };
    let edited = store.edit_outreach(&first.id.to_string(), 1, &fixed).unwrap();
    assert_eq!((edited.version, edited.data.reached), (2, 42));
    let totals = store.outreach_totals().unwrap();
    let pavlodar = totals.iter().find(|t| t.region.as_deref() == Some(REGION)).unwrap();
    assert_eq!((pavlodar.events, pavlodar.reached, pavlodar.women, pavlodar.vulnerable), (1, 42, 22, 25));
    let all = totals.last().unwrap();
    assert_eq!((all.events, all.reached, all.women), (2, 52, 27));
    assert_eq!(count(&store, "outreach"), 2);
}
