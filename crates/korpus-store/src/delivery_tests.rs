//! Store tests of programme delivery on a real SQLCipher file: the training calendar and its
//! attendance, a mentor's certification, assignments and sessions, and the grievance log, with
//! the clock moved as the months pass.

use crate::tests::{application, count, date, field_of, member, new_store, score_input, three_persons};
use crate::*;
use chrono::{Datelike, TimeZone, Utc};
use korpus_domain::delivery::grievances::{GrievanceInput, GrievanceStatus, GrievanceStepInput, Overdue};
use korpus_domain::delivery::mentoring::{ComplianceStatus, MentorSessionInput, ProtocolInput};
use korpus_domain::delivery::training::TrainingStage;
use korpus_domain::rules::{RuleCode, Verdict};
use korpus_domain::selection::decisions::{DecisionInput, MentorInterviewInput};
use korpus_domain::selection::lottery::Arm;
use korpus_domain::{DocumentInput, DocumentOwner, Iin, MentorStage, Sex};
use std::collections::BTreeMap;

pub(crate) const REGION: &str = "550000000";

pub(crate) fn at(clock: &FixedClock, y: i32, m: u32, d: u32) {
    clock.set(Utc.with_ymd_and_hms(y, m, d, 6, 0, 0).unwrap());
}

/// Six groups of three in Pavlodar, all selected by the commission and drawn: two in each arm.
pub(crate) fn drawn_groups(store: &mut Store) -> BTreeMap<Arm, Vec<Uuid>> {
    let apps: Vec<Uuid> = (0..6)
        .map(|i| {
            let members = three_persons(store, 2000 + i * 7);
            store.add_application(&application(members)).unwrap().application.id
        })
        .collect();
    let members: Vec<Uuid> = ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"]
        .iter()
        .map(|name| member(store, name, "member"))
        .collect();
    store.screen_cohort(2017).unwrap();
    for app in &apps {
        for m in &members {
            store.record_score(&app.to_string(), &m.to_string(), &score_input(store, 7)).unwrap();
        }
    }
    store
        .decide_commission(&CommissionDecisionInput {
            region: REGION.into(),
            cut_off: "top:6".into(),
            decided_on: "02.05.2017".into(),
            decided_by: "Ахметова Сәуле".into(),
            reason: None,
        })
        .unwrap();
    store
        .draw_lottery(&LotteryDrawInput {
            region: REGION.into(),
            seed: "2017".into(),
            drawn_on: "02.05.2017".into(),
            drawn_by: "Сейітов Нұрлан".into(),
            reason: None,
        })
        .unwrap();
    let mut by_arm: BTreeMap<Arm, Vec<Uuid>> = BTreeMap::new();
    for (app, arm) in store.arms(2017).unwrap() {
        by_arm.entry(arm).or_default().push(app);
    }
    assert_eq!(by_arm.values().map(Vec::len).collect::<Vec<_>>(), [2, 2, 2]);
    by_arm
}

/// A mentor of Pavlodar taken through screening, interview and the commission's decision.
pub(crate) fn selected_mentor(store: &mut Store, serial: u16, surname: &str) -> Uuid {
    let iin = (serial..serial + 100).find_map(|s| Iin::compose(date(1985, 3, 9), Sex::Male, s)).unwrap();
    let mut identity = crate::tests::person(serial, surname, "Дәурен").identity;
    identity.iin = iin.to_string();
    let mentor = store
        .add_mentor(&korpus_domain::MentorInput {
            identity,
            occupation: "social_worker".into(),
            workplace: None,
            experience_years: "5".into(),
            education: "higher".into(),
            project_experience: true,
        })
        .unwrap();
    for kind in &store.rulebook().documents.mentor.clone() {
        let input = DocumentInput { kind: kind.code().into(), issue_date: "01.04.2017".into(), note: None };
        store.add_document(DocumentOwner::Mentor, mentor.id, &input, None).unwrap();
    }
    store.screen_cohort(2017).unwrap();
    let key = mentor.id.to_string();
    let interview = MentorInterviewInput {
        held_on: "02.05.2017".into(),
        interviewer: "Жұмабаева Гүлнар".into(),
        notes: None,
        outcome: "passed".into(),
    };
    store.record_interview(&key, &interview).unwrap();
    let decision = DecisionInput {
        decided_on: "02.05.2017".into(),
        decided_by: "Ахметова Сәуле".into(),
        outcome: "selected".into(),
        notes: None,
    };
    store.decide_mentor(&key, &decision).unwrap();
    assert_eq!(store.mentor(&key).unwrap().data.stage, MentorStage::Selected);
    mentor.id
}

pub(crate) fn refused_codes(err: StoreError) -> Vec<RuleCode> {
    match err {
        StoreError::Refused { outcomes, .. } => {
            outcomes.into_iter().filter(|o| o.verdict == Verdict::Fail).map(|o| o.code).collect()
        }
        other => panic!("not refused by a rule: {other}"),
    }
}

pub(crate) fn mark_all(store: &mut Store, event: Uuid, day: u32, who: &[Uuid], present: bool) -> usize {
    let marks: Vec<AttendanceMark> =
        who.iter().map(|id| AttendanceMark { attendee_id: id.to_string(), present }).collect();
    store.record_attendance(&event.to_string(), day, &marks).unwrap()
}

fn session(app: Uuid, attendees: &[Uuid], held_on: &str, length: &str, protocol: bool) -> MentorSessionInput {
    MentorSessionInput {
        application_id: app.to_string(),
        held_on: held_on.into(),
        starts_at: "15:00".into(),
        length: length.into(),
        kind: "group".into(),
        attendees: attendees.iter().map(Uuid::to_string).collect(),
        topics: protocol.then(|| "Бюджетті түзету, сатып алу жоспары".into()),
        problems: None,
        next_steps: protocol.then(|| "Үш баға ұсынысын жинау".into()),
        notes: None,
    }
}

#[test]
fn the_calendar_is_planned_once_and_only_trained_arms_are_expected() {
    let (_dir, mut store, clock) = new_store();
    let arms = drawn_groups(&mut store);
    let planned = store.plan_training(REGION).unwrap();
    assert_eq!(planned.len(), 6);
    assert!(store.plan_training(REGION).unwrap().is_empty(), "a second plan adds nothing");
    let event = |stage: TrainingStage| planned.iter().find(|e| e.data.stage == stage).unwrap().id;
    let phase1 = event(TrainingStage::Phase1Beneficiaries);

    // Groups A and C are expected (12 people), group B is not.
    let roster = store.roster(&phase1.to_string()).unwrap();
    assert_eq!(roster.lines.len(), 12);
    assert!(roster.lines.iter().all(|l| matches!(l.arm, Some(Arm::A | Arm::C))));
    let b_member = store.application(&arms[&Arm::B][0].to_string()).unwrap().members[0].clone();
    let a_members: Vec<Uuid> =
        store.application(&arms[&Arm::A][0].to_string()).unwrap().members.iter().map(|m| m.id).collect();

    // Day 1 is 13 July: not before it comes.
    let err = store.record_attendance(&phase1.to_string(), 1, &[]).unwrap_err();
    assert_eq!(field_of(err), "day");
    at(&clock, 2017, 7, 20);
    assert_eq!(mark_all(&mut store, phase1, 1, &a_members, true), 3);
    // The same sheet again changes nothing; one mark corrected is one change.
    assert_eq!(mark_all(&mut store, phase1, 1, &a_members, true), 0);
    assert_eq!(mark_all(&mut store, phase1, 1, &a_members[..1], false), 1);
    assert_eq!(count(&store, "attendance"), 3);
    let roster = store.roster(&phase1.to_string()).unwrap();
    let first = roster.lines.iter().find(|l| l.attendee_id == a_members[0]).unwrap();
    assert_eq!(first.marks[..2], [Some(false), None]);

    // A member of group B is refused by name; nothing of the sheet is written.
    let marks = [
        AttendanceMark { attendee_id: a_members[1].to_string(), present: true },
        AttendanceMark { attendee_id: b_member.id.to_string(), present: true },
    ];
    let err = store.record_attendance(&phase1.to_string(), 2, &marks).unwrap_err();
    let message = err.message(korpus_domain::Lang::Kk);
    assert!(
        message.contains(&b_member.data.identity.surname) && message.contains("оқыту берілмейді"),
        "{message}"
    );
    assert_eq!(count(&store, "attendance"), 3);
    // Day 7 of a six-day training does not exist.
    assert_eq!(field_of(store.record_attendance(&phase1.to_string(), 7, &[]).unwrap_err()), "day");

    // Marked days stay: the event is not shortened below them, nor given another stage.
    let e = store.training_event(&phase1.to_string()).unwrap();
    let mut input = korpus_domain::delivery::training::TrainingEventInput::of(&e.data);
    input.venue = Some("Павлодар, жастар ресурстық орталығы".into());
    let (edited, changed) = store.edit_training_event(&phase1.to_string(), e.version, &input).unwrap();
    assert_eq!(changed, ["venue"]);
    assert_eq!(edited.data.venue.as_deref(), Some("Павлодар, жастар ресурстық орталығы"));
    input.stage = "phase3_beneficiaries".into();
    assert_eq!(
        field_of(store.edit_training_event(&phase1.to_string(), edited.version, &input).unwrap_err()),
        "stage"
    );
}

#[test]
fn a_mentor_certified_after_phase_one_takes_two_sub_projects_of_arms_a_and_c() {
    let (_dir, mut store, clock) = new_store();
    let arms = drawn_groups(&mut store);
    let mentor = selected_mentor(&mut store, 500, "Серікбаев");
    let key = mentor.to_string();
    let assign = |store: &mut Store, app: Uuid| store.assign_mentor(&key, &app.to_string(), "20.07.2017");

    // Not before certification, and not certified before phase I is attended.
    at(&clock, 2017, 7, 20);
    assert_eq!(refused_codes(assign(&mut store, arms[&Arm::A][0]).unwrap_err()), [RuleCode::MentorCertified]);
    assert_eq!(
        refused_codes(store.certify_mentor(&key, "12.07.2017").unwrap_err()),
        [RuleCode::MentorPhase1Completed]
    );
    let phase1 = store
        .plan_training(REGION)
        .unwrap()
        .into_iter()
        .find(|e| e.data.stage == TrainingStage::Phase1Mentors)
        .unwrap()
        .id;
    assert_eq!(store.roster(&phase1.to_string()).unwrap().lines.len(), 1);
    for day in 1..=4 {
        mark_all(&mut store, phase1, day, &[mentor], true);
    }
    // 4 of 6 days is below 80 %.
    let err = store.certify_mentor(&key, "12.07.2017").unwrap_err();
    assert!(
        err.message(korpus_domain::Lang::En).contains("only 4 of 6"),
        "{}",
        err.message(korpus_domain::Lang::En)
    );
    mark_all(&mut store, phase1, 5, &[mentor], true);
    let certified = store.certify_mentor(&key, "12.07.2017").unwrap();
    assert_eq!(certified.data.certified_on, Some(date(2017, 7, 12)));
    assert_eq!(field_of(store.certify_mentor(&key, "12.07.2017").unwrap_err()), "certified_on");

    // Group B has no mentor; A and C do; a third sub-project is one too many.
    assert_eq!(refused_codes(assign(&mut store, arms[&Arm::B][0]).unwrap_err()), [RuleCode::ArmHasMentor]);
    let a = assign(&mut store, arms[&Arm::A][0]).unwrap();
    assign(&mut store, arms[&Arm::C][0]).unwrap();
    let err = assign(&mut store, arms[&Arm::A][1]).unwrap_err();
    assert_eq!(err.code(), "rule_failed");
    let fields = err.fields(korpus_domain::Lang::Ru);
    assert_eq!(fields.len(), 1);
    assert!(fields[0].text.contains("не более 2"), "{}", fields[0].text);
    // Another mentor for a sub-project that has one is named.
    let other = selected_mentor(&mut store, 600, "Омаров");
    let err =
        store.assign_mentor(&other.to_string(), &arms[&Arm::A][0].to_string(), "20.07.2017").unwrap_err();
    assert!(
        err.message(korpus_domain::Lang::En).contains("Серікбаев"),
        "{}",
        err.message(korpus_domain::Lang::En)
    );

    // The mentor reports a threat to the sub-project: a grievance of their region that names them.
    let report = GrievanceInput {
        received_on: "20.07.2017".into(),
        channel: "mentor".into(),
        kind: "violation_report".into(),
        category: "host_org".into(),
        anonymous: false,
        from_name: Some("Серікбаев Дәурен".into()),
        from_contact: None,
        text: "Қабылдаушы ұйым топқа сатып алу туралы есеп бермейді".into(),
    };
    let app = arms[&Arm::A][0].to_string();
    let line = store.record_grievance(REGION, &report, Some(&app), Some(&key)).unwrap();
    assert_eq!(line.grievance.data.mentor_id, Some(mentor));
    let elsewhere = store.record_grievance("190000000", &report, None, Some(&key)).unwrap_err();
    assert_eq!(field_of(elsewhere), "mentor");

    // Ending an assignment frees a place; the record stays.
    store.end_assignment(&a.id.to_string(), "20.07.2017", "the group left the programme").unwrap();
    assign(&mut store, arms[&Arm::A][1]).unwrap();
    assert_eq!(count(&store, "mentor_assignments"), 2 + 1);
    assert_eq!(store.mentor_work(&key).unwrap().assignments.len(), 3);
}

#[test]
fn sessions_and_their_protocols_make_a_compliant_month() {
    let (_dir, mut store, clock) = new_store();
    let arms = drawn_groups(&mut store);
    let mentor = selected_mentor(&mut store, 500, "Серікбаев");
    let key = mentor.to_string();
    // Certified directly: this test is about the sessions.
    store.conn.execute("UPDATE mentors SET certified_on = '2017-07-12' WHERE id = ?1", [&key]).unwrap();
    at(&clock, 2017, 8, 10);
    let app = arms[&Arm::A][0];
    store.assign_mentor(&key, &app.to_string(), "20.07.2017").unwrap();
    let members: Vec<Uuid> =
        store.application(&app.to_string()).unwrap().members.iter().map(|m| m.id).collect();
    let august =
        |store: &Store| store.compliance(&key).unwrap().into_iter().find(|m| m.month == "2017-08").unwrap();

    // Not this mentor's sub-project, nor its members.
    let other = session(arms[&Arm::C][0], &members, "01.08.2017", "2:00", true);
    assert_eq!(field_of(store.record_session(&key, &other).unwrap_err()), "application_id");

    store.record_session(&key, &session(app, &members, "01.08.2017", "10:00", true)).unwrap();
    let c = august(&store);
    assert_eq!((c.meetings, c.minutes, c.status), (1, 600, ComplianceStatus::InProgress));

    // A second meeting of 9:30 without its protocol: 2 meetings, 19:30 hours, 1 protocol missing.
    let later =
        store.record_session(&key, &session(app, &members[..2], "08.08.2017", "9:30", false)).unwrap();
    let c = august(&store);
    assert_eq!((c.meetings, c.minutes, c.without_protocol), (2, 1170, 1));
    let failed: Vec<RuleCode> =
        c.outcomes.iter().filter(|o| o.verdict == Verdict::Fail).map(|o| o.code).collect();
    assert_eq!(failed, [RuleCode::MentorHoursPerMonth, RuleCode::MentorProtocols]);

    // The protocol written and half an hour more: 20 hours, compliant; paid once August is over.
    let protocol =
        ProtocolInput {
            topics: "Тәуекелдер".into(), next_steps: "Келісімшарт".into(), ..Default::default()
        };
    store.write_protocol(&later.id.to_string(), &protocol).unwrap();
    store.record_session(&key, &session(app, &members[2..], "09.08.2017", "30", true)).unwrap();
    let c = august(&store);
    assert_eq!((c.minutes, c.status, c.payable), (1200, ComplianceStatus::Compliant, false));
    at(&clock, 2017, 9, 1);
    assert!(august(&store).payable);
    // July had no session: not compliant, and the page lists it.
    let work = store.mentor_work(&key).unwrap();
    let july = work.compliance.iter().find(|m| m.month == "2017-07").unwrap();
    assert_eq!(july.status, ComplianceStatus::NotCompliant);
    assert_eq!(work.sessions.len(), 3);

    // What the protocol and the month's summary print: the names, the sessions oldest first.
    let names: Vec<String> = store
        .application(&app.to_string())
        .unwrap()
        .members
        .iter()
        .map(|m| m.data.identity.full_name())
        .collect();
    let printed = store.protocol_view(&later.id.to_string()).unwrap();
    assert_eq!(printed.attendees, names[..2]);
    assert!(printed.mentor.starts_with("Серікбаев"), "{}", printed.mentor);
    assert_eq!(printed.session.data.topics.as_deref(), Some("Тәуекелдер"));
    let summary = store.summary_view(&key, "08.2017").unwrap();
    assert_eq!(summary.month.minutes, 1200);
    let days: Vec<u32> = summary.sessions.iter().map(|(s, _)| s.held_on.day()).collect();
    assert_eq!(days, [1, 8, 9]);
    assert_eq!(field_of(store.summary_view(&key, "2017-10").unwrap_err()), "month");
    assert_eq!(field_of(store.summary_view(&key, "October").unwrap_err()), "month");
}

#[test]
fn a_grievance_goes_overdue_by_working_days_and_is_reopened_not_lost() {
    let (_dir, mut store, clock) = new_store();
    // Tuesday 2 May 2017.
    let input = GrievanceInput {
        received_on: "02.05.2017".into(),
        channel: "phone".into(),
        kind: "complaint".into(),
        category: "training".into(),
        anonymous: false,
        from_name: Some("Жақсыбекова Айгүл".into()),
        from_contact: Some("+7 701 234 56 78".into()),
        text: "Семинар туралы хабарландыру кеш келді".into(),
    };
    let line = store.record_grievance(REGION, &input, None, None).unwrap();
    let id = line.grievance.id.to_string();
    // Due Friday 5 May; 8 and 9 May are off (Defender of the Fatherland Day moved, Victory Day).
    assert_eq!(line.deadlines.acknowledge_by, date(2017, 5, 5));
    at(&clock, 2017, 5, 9);
    assert_eq!(store.grievances(Some(REGION), GrievanceFilter::Overdue).unwrap().len(), 0);
    at(&clock, 2017, 5, 10);
    let overdue = store.grievances(Some(REGION), GrievanceFilter::Overdue).unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(
        (overdue[0].deadlines.overdue, overdue[0].deadlines.days_late),
        (Some(Overdue::Acknowledgement), 1)
    );

    // A second, fresh one comes after it in the log.
    let fresh =
        GrievanceInput { received_on: "10.05.2017".into(), anonymous: true, from_name: None, ..input };
    store.record_grievance(REGION, &fresh, None, None).unwrap();
    let log = store.grievances(None, GrievanceFilter::All).unwrap();
    assert_eq!(log[0].grievance.id.to_string(), id);

    let step = |store: &mut Store, version: i64, step: &str, on: &str, note: Option<&str>| {
        let input = GrievanceStepInput { step: step.into(), taken_on: on.into(), note: note.map(Into::into) };
        store.grievance_step(&id, version, &input)
    };
    let v = step(&mut store, 1, "acknowledge", "10.05.2017", None).unwrap();
    assert_eq!(v.line.deadlines.overdue, None);
    // A step on an old version is refused; so is a step out of order.
    assert!(matches!(
        step(&mut store, 1, "assign", "10.05.2017", Some("Серікова А.")),
        Err(StoreError::Stale { .. })
    ));
    assert_eq!(field_of(step(&mut store, 2, "close", "10.05.2017", None).unwrap_err()), "step");
    let v = step(&mut store, 2, "assign", "10.05.2017", Some("Серікова А.")).unwrap();
    at(&clock, 2017, 5, 12);
    let v = step(
        &mut store,
        v.line.grievance.version,
        "resolve",
        "11.05.2017",
        Some("Хабарландыру енді бір апта бұрын жіберіледі"),
    )
    .unwrap();
    let v = step(&mut store, v.line.grievance.version, "close", "11.05.2017", None).unwrap();
    assert_eq!(v.line.grievance.data.status, GrievanceStatus::Closed);
    let v = step(
        &mut store,
        v.line.grievance.version,
        "reopen",
        "12.05.2017",
        Some("Келесі семинарда да кешікті"),
    )
    .unwrap();
    assert_eq!(v.line.grievance.data.status, GrievanceStatus::Assigned);
    assert_eq!(v.history.len(), 5);
    assert_eq!(v.history[4].data.taken_by, "aigerim");
    // Resolution counts from the reopening: 15 working days after Friday 12 May is 2 June.
    assert_eq!(v.line.deadlines.resolve_by, date(2017, 6, 2));
    assert_eq!(count(&store, "grievances"), 2);
}

fn leaving(left_on: &str, reason: &str) -> korpus_domain::delivery::withdrawals::WithdrawalInput {
    korpus_domain::delivery::withdrawals::WithdrawalInput {
        left_on: left_on.into(),
        reason: reason.into(),
        notes: None,
        recorded_by: "Айгерім".into(),
    }
}

#[test]
fn who_leaves_keeps_the_arm_drawn_and_the_indicators_count_assigned_and_active() {
    let (_dir, mut store, clock) = new_store();
    let groups = drawn_groups(&mut store);
    at(&clock, 2017, 8, 1);
    let (a, c) = (groups[&Arm::A][0], groups[&Arm::C][1]);
    let members = store.application(&a.to_string()).unwrap().members;
    let person = members[1].id.to_string();
    let envelopes = count(&store, "outbox");

    // Refused, each naming its field, and nothing written.
    let stranger = three_persons(&mut store, 2900)[0].to_string();
    let envelopes_with_stranger = count(&store, "outbox");
    assert!(envelopes_with_stranger > envelopes);
    let err =
        store.withdraw(&a.to_string(), Some(&stranger), &leaving("20.07.2017", "moved_away")).unwrap_err();
    assert_eq!(field_of(err), "person");
    let err =
        store.withdraw(&a.to_string(), Some(&person), &leaving("02.08.2017", "moved_away")).unwrap_err();
    assert_eq!(field_of(err), "left_on", "the day after today");
    let err = store.withdraw(&a.to_string(), Some(&person), &leaving("20.07.2017", "other")).unwrap_err();
    assert_eq!(field_of(err), "notes");
    assert_eq!((count(&store, "withdrawals"), count(&store, "outbox")), (0, envelopes_with_stranger));

    let left = store.withdraw(&a.to_string(), Some(&person), &leaving("01.08.2017", "employment")).unwrap();
    assert_eq!((left.data.person_id, left.data.member_id.is_some()), (Some(members[1].id), true));
    let err =
        store.withdraw(&a.to_string(), Some(&person), &leaving("01.08.2017", "employment")).unwrap_err();
    assert_eq!(field_of(err), "person", "a person leaves once");
    store.withdraw(&c.to_string(), None, &leaving("15.07.2017", "stopped_taking_part")).unwrap();
    let someone = store.application(&c.to_string()).unwrap().members[0].id.to_string();
    let err = store.withdraw(&c.to_string(), Some(&someone), &leaving("20.07.2017", "health")).unwrap_err();
    assert_eq!(field_of(err), "application", "the group has left already");
    assert_eq!(store.withdrawals(c).unwrap().len(), 1);
    assert_eq!(store.arms(2017).unwrap()[&a], Arm::A, "the arm drawn stays");

    // Eighteen assigned, six per arm; one of A and the three of a group of C have left.
    let total = store.indicators(2017).unwrap().total;
    assert_eq!((total.beneficiaries.people, total.active.people, total.withdrawn), (18, 14, 4));
    let arm = |x: Arm| total.arms.iter().find(|l| l.arm == x).map(|l| (l.assigned, l.active));
    assert_eq!((arm(Arm::A), arm(Arm::B), arm(Arm::C)), (Some((6, 5)), Some((6, 6)), Some((6, 3))));
    assert_eq!(total.added_after_draw, 0);
    // The scholarship rolls: the group that left in July is off August's; the member who left on
    // the first of August is on it, and off September's.
    let on_roll = |store: &Store, month: &str| store.scholarship_roll(REGION, month).unwrap().lines.len();
    assert_eq!(
        (on_roll(&store, "2017-07"), on_roll(&store, "2017-08"), on_roll(&store, "2017-09")),
        (18, 15, 14)
    );

    // A person put into a drawn group behind the desk's back (the desk and HQ refuse it): not in
    // the lottery's record of the group, never counted as randomised.
    let late = three_persons(&mut store, 3500)[0];
    let member =
        korpus_domain::ApplicationMember { application_id: a, person_id: late, region: REGION.into() };
    store.write(|w| w.insert(korpus_domain::Entity::ApplicationMember, Uuid::now_v7(), &member)).unwrap();
    let total = store.indicators(2017).unwrap().total;
    assert_eq!((total.beneficiaries.people, total.added_after_draw), (18, 1));
    assert_eq!(total.applicants.people, 19);
}

#[test]
fn the_orientation_for_potential_mentors_comes_before_their_selection() {
    let (_dir, mut store, clock) = new_store();
    at(&clock, 2017, 5, 10);
    selected_mentor(&mut store, 40, "Серікбаев");
    let seminar = |starts_on: &str| korpus_domain::delivery::training::TrainingEventInput {
        stage: "orientation_mentors".into(),
        starts_on: starts_on.into(),
        days: "1".into(),
        hours_per_day: "2".into(),
        ..Default::default()
    };
    let events = count(&store, "training_events");
    // The first decision on a mentor of Pavlodar is of 2 May: a seminar that day is too late.
    let err = store.add_training_event(REGION, &seminar("02.05.2017")).unwrap_err();
    assert_eq!(field_of(err), "starts_on");
    assert_eq!(count(&store, "training_events"), events);
    let held = store.add_training_event(REGION, &seminar("28.04.2017")).unwrap();
    let err = store.edit_training_event(&held.id.to_string(), 1, &seminar("03.05.2017")).unwrap_err();
    assert_eq!(field_of(err), "starts_on");
    // Another region has decided on no mentor yet.
    assert!(store.add_training_event("190000000", &seminar("03.05.2017")).is_ok());
}
