//! The TypeScript types of the IPC payloads are generated from the Rust types (ts-rs) into
//! `ui/src/lib/bindings/`. This test fails when they are stale; run it with
//! `KORPUS_WRITE_BINDINGS=1` to write them anew.

use crate::ipc::{DeskStatus, ErrorReport, Home, ListQuery, Page, Reference, SyncOutcome, SyncProgress};
use korpus_app::sync::SyncPanel;
use korpus_domain::certification::Certificate;
use korpus_domain::commission::{CommissionDecision, CommissionMemberInput, ScoreInput};
use korpus_domain::grievances::{Grievance, GrievanceAction, GrievanceInput, GrievanceStepInput};
use korpus_domain::indicators::Indicators;
use korpus_domain::lottery::Balance;
use korpus_domain::mentoring::{MentorAssignment, MentorSession, MentorSessionInput, ProtocolInput};
use korpus_domain::money::{GrantContractInput, MoneyTotals};
use korpus_domain::outreach::{OutreachEvent, OutreachInput, OutreachTotals};
use korpus_domain::reports::{ReportInput, ReviewInput};
use korpus_domain::rules::Evaluation;
use korpus_domain::selection::{DecisionInput, HostOrgDecision, LotteryRecord, MentorInterviewInput};
use korpus_domain::training::{TrainingEvent, TrainingEventInput};
use korpus_domain::{
    ApplicationInput, HostOrg, HostOrgInput, IdentityInput, Mentor, MentorInput, Person, PersonInput,
    SubProjectApplication,
};
use korpus_store::{
    ApplicationView, AttendanceMark, CertificateLine, CommissionDecisionInput, GrantLine, GrievanceFilter,
    GrievanceLine, GrievanceView, LotteryCheck, LotteryDrawInput, MentorSelection, MentorWork, Ranking,
    Record, ReportLine, Roster, ScholarshipRoll, ScreeningLine,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

fn generate(dir: &Path) -> Result<(), ts_rs::ExportError> {
    korpus_app::printing::Document::export_all_to(dir)?;
    crate::printing::Preview::export_all_to(dir)?;
    crate::printing::Saved::export_all_to(dir)?;
    crate::printing::SavedBatch::export_all_to(dir)?;
    crate::printing::PrintProgress::export_all_to(dir)?;
    DeskStatus::export_all_to(dir)?;
    ErrorReport::export_all_to(dir)?;
    Home::export_all_to(dir)?;
    ListQuery::export_all_to(dir)?;
    Reference::export_all_to(dir)?;
    Page::<Record<Person>>::export_all_to(dir)?;
    Person::export_all_to(dir)?;
    HostOrg::export_all_to(dir)?;
    Mentor::export_all_to(dir)?;
    SubProjectApplication::export_all_to(dir)?;
    Record::<Person>::export_all_to(dir)?;
    PersonInput::export_all_to(dir)?;
    IdentityInput::export_all_to(dir)?;
    Record::<HostOrg>::export_all_to(dir)?;
    HostOrgInput::export_all_to(dir)?;
    ApplicationView::export_all_to(dir)?;
    ApplicationInput::export_all_to(dir)?;
    Record::<Mentor>::export_all_to(dir)?;
    MentorInput::export_all_to(dir)?;
    SyncPanel::export_all_to(dir)?;
    SyncProgress::export_all_to(dir)?;
    SyncOutcome::export_all_to(dir)?;
    ScreeningLine::export_all_to(dir)?;
    Evaluation::export_all_to(dir)?;
    Ranking::export_all_to(dir)?;
    CommissionMemberInput::export_all_to(dir)?;
    ScoreInput::export_all_to(dir)?;
    CommissionDecisionInput::export_all_to(dir)?;
    CommissionDecision::export_all_to(dir)?;
    LotteryRecord::export_all_to(dir)?;
    LotteryDrawInput::export_all_to(dir)?;
    LotteryCheck::export_all_to(dir)?;
    Balance::export_all_to(dir)?;
    Indicators::export_all_to(dir)?;
    MentorSelection::export_all_to(dir)?;
    MentorInterviewInput::export_all_to(dir)?;
    DecisionInput::export_all_to(dir)?;
    HostOrgDecision::export_all_to(dir)?;
    Record::<TrainingEvent>::export_all_to(dir)?;
    TrainingEvent::export_all_to(dir)?;
    TrainingEventInput::export_all_to(dir)?;
    Roster::export_all_to(dir)?;
    AttendanceMark::export_all_to(dir)?;
    MentorWork::export_all_to(dir)?;
    MentorAssignment::export_all_to(dir)?;
    MentorSession::export_all_to(dir)?;
    MentorSessionInput::export_all_to(dir)?;
    ProtocolInput::export_all_to(dir)?;
    GrievanceInput::export_all_to(dir)?;
    GrievanceStepInput::export_all_to(dir)?;
    GrievanceLine::export_all_to(dir)?;
    GrievanceView::export_all_to(dir)?;
    Grievance::export_all_to(dir)?;
    GrievanceAction::export_all_to(dir)?;
    GrievanceFilter::export_all_to(dir)?;
    GrantLine::export_all_to(dir)?;
    GrantContractInput::export_all_to(dir)?;
    ScholarshipRoll::export_all_to(dir)?;
    MoneyTotals::export_all_to(dir)?;
    ReportLine::export_all_to(dir)?;
    ReportInput::export_all_to(dir)?;
    ReviewInput::export_all_to(dir)?;
    Record::<OutreachEvent>::export_all_to(dir)?;
    OutreachEvent::export_all_to(dir)?;
    OutreachInput::export_all_to(dir)?;
    OutreachTotals::export_all_to(dir)?;
    CertificateLine::export_all_to(dir)?;
    Record::<Certificate>::export_all_to(dir)?;
    Ok(())
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            out.insert(entry.file_name().to_string_lossy().into_owned(), text);
        }
    }
    out
}

#[test]
fn typescript_bindings_are_fresh() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings");
    if std::env::var_os("KORPUS_WRITE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        generate(&committed).unwrap();
    }
    let fresh = tempfile::TempDir::new().unwrap();
    generate(fresh.path()).unwrap();
    let (want, have) = (files(fresh.path()), files(&committed));
    let stale: Vec<&String> = want.keys().filter(|f| have.get(*f) != want.get(*f)).collect();
    let extra: Vec<&String> = have.keys().filter(|f| !want.contains_key(*f)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/lib/bindings is stale (changed or missing: {stale:?}; no longer generated: {extra:?}); \
         run `KORPUS_WRITE_BINDINGS=1 cargo test -p korpus-desk typescript_bindings`"
    );
}
