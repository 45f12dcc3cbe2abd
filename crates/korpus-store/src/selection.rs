//! Selection after screening in the case database: the evaluation commission (members, score
//! sheets, ranking, decision), the lottery (draw, verification, balance), indicators, the mentor's
//! interview and decision, the host organisation's decision and memorandum. Every decision is one
//! envelope; the domain's checks are the same ones HQ runs when it arrives.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::outbox::Writer;
use crate::tables::{Record, read_by_id, read_records, select_columns};
use korpus_domain::rulebook::{Stratum, age_on};
use korpus_domain::rules::{Subject, Verdict, is_vulnerable};
use korpus_domain::selection::commission::{
    CommissionDecision, CommissionMember, CommissionMemberInput, CutOff, Ranked, Score, ScoreInput,
    may_score, rank, replacement_reason,
};
use korpus_domain::selection::decisions::{
    DecisionInput, HostOrgDecision, InterviewOutcome, LotteryRecord, MentorDecision, MentorInterview,
    MentorInterviewInput, SelectionOutcome, decision_id, kinds,
};
use korpus_domain::selection::indicators::{CountedPerson, Indicators, Reach, indicators};
use korpus_domain::selection::lottery::{
    self, Arm, Balance, BalanceGroup, BalanceMember, Discrepancy, LotteryInput, Seed, Unit,
};
use korpus_domain::validation::{Checker, FieldError, ValidationErrors, parse_date, past_date, person_name};
use korpus_domain::{Entity, HostOrg, Mentor, MentorStage, Person, Sex, SubProjectApplication};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A refusal of one field, as the store returns it.
fn refuse<T>(error: FieldError) -> Result<T> {
    Err(ValidationErrors::one(error).into())
}

/// The records of `entity` in `cohort` and `region` that no other record replaces (at most one
/// for decisions and lotteries, which are chained by `supersedes`).
fn current<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    entity: Entity,
    cohort: i32,
    region: &str,
) -> Result<Option<Record<T>>> {
    let table = crate::tables::table(entity).name;
    let sql = format!(
        "SELECT {} FROM {table} WHERE cohort = ?1 AND region = ?2
         AND NOT EXISTS (SELECT 1 FROM {table} AS later WHERE later.supersedes = {table}.id)
         ORDER BY rid DESC LIMIT 1",
        select_columns(entity)
    );
    Ok(read_records(conn, entity, &sql, (cohort, region))?.pop())
}

/// One line of a region's ranking: the application as lists name it, and its place.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingLine {
    /// The application's name.
    pub name: String,
    /// Its place and mean.
    #[serde(flatten)]
    pub ranked: Ranked,
    /// Selected by the region's current decision.
    pub selected: bool,
}

/// The commission's work in a region: its members, the applications that passed screening,
/// ranked by the sheets recorded so far, and the decision on record, if any.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// The region (KATO code).
    pub region: String,
    /// The commission's members.
    pub members: Vec<Record<CommissionMember>>,
    /// Every sheet recorded.
    pub scores: Vec<Record<Score>>,
    /// The applications, best first.
    pub lines: Vec<RankingLine>,
    /// The decision on record.
    pub decision: Option<Record<CommissionDecision>>,
}

/// A commission decision as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommissionDecisionInput {
    /// Region (KATO code).
    pub region: String,
    /// `top:N` or `min:X`.
    pub cut_off: String,
    /// The day, as typed.
    pub decided_on: String,
    /// The chair's name.
    pub decided_by: String,
    /// Why it replaces the decision on record (required when there is one).
    pub reason: Option<String>,
}

/// A draw as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LotteryDrawInput {
    /// Region (KATO code).
    pub region: String,
    /// The seed drawn in public.
    pub seed: String,
    /// The day, as typed.
    pub drawn_on: String,
    /// Who draws.
    pub drawn_by: String,
    /// Why it replaces the lottery on record (required when there is one).
    pub reason: Option<String>,
}

/// What verifying a lottery on record found.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotteryCheck {
    /// The lottery.
    pub lottery_id: Uuid,
    /// Every difference; none when the draw is what the algorithm gives from the groups the
    /// decision selected, as the database holds them now.
    #[cfg_attr(feature = "ts", ts(type = "Array<Record<string, unknown>>"))]
    pub discrepancies: Vec<Discrepancy>,
    /// The differences in words, in the three languages.
    pub messages: Vec<korpus_domain::Text>,
}

/// A mentor's selection after screening.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentorSelection {
    /// The telephone interviews, oldest first.
    pub interviews: Vec<Record<MentorInterview>>,
    /// The internal commission's decision.
    pub decision: Option<Record<MentorDecision>>,
}

/// A selected host organisation as the public list shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectedHostOrg {
    /// The organisation.
    pub host_org_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its BIN.
    pub bin: String,
    /// Its region (KATO code).
    pub region: String,
    /// Its locality.
    pub locality: String,
    /// The day of the decision.
    pub decided_on: chrono::NaiveDate,
    /// The memorandum's number, once signed.
    pub memorandum_number: Option<String>,
    /// The memorandum's date, once signed.
    pub memorandum_date: Option<chrono::NaiveDate>,
}

impl Store {
    fn region_of_cohort(&self, field: &'static str, region: &str) -> Result<String> {
        korpus_domain::rulebook::region(field, region, &self.rulebook)
            .map_err(|e| ValidationErrors::one(e).into())
    }

    fn newest_result(&self, subject: Subject, id: Uuid) -> Result<Option<Verdict>> {
        Ok(self.latest_screening(subject, id)?.map(|s| s.data.evaluation.result))
    }

    /// Records a member of the evaluation commission.
    pub fn add_commission_member(
        &mut self,
        input: &CommissionMemberInput,
    ) -> Result<Record<CommissionMember>> {
        let member = input.validate(&self.context())?;
        let id = Uuid::now_v7();
        self.write(|w| w.insert(Entity::CommissionMember, id, &member))?;
        Ok(Record { id, version: 1, data: member })
    }

    /// The commission's members in a region (or all), chair first.
    pub fn commission_members(&self, region: Option<&str>) -> Result<Vec<Record<CommissionMember>>> {
        let sql = format!(
            "SELECT {} FROM commission_members WHERE cohort = ?1 AND (?2 IS NULL OR region = ?2)
             ORDER BY region, CASE role WHEN 'chair' THEN 0 WHEN 'member' THEN 1 ELSE 2 END,
                      full_name COLLATE kazakh",
            select_columns(Entity::CommissionMember)
        );
        read_records(&self.conn, Entity::CommissionMember, &sql, (self.rulebook.cohort, region))
    }

    /// Records (or corrects, before the region's decision) one member's sheet for one
    /// application that passed technical screening.
    pub fn record_score(
        &mut self,
        application: &str,
        member: &str,
        input: &ScoreInput,
    ) -> Result<Record<Score>> {
        let app = self.application(application)?.application;
        let member_id = Uuid::parse_str(member.trim()).map_err(|_| StoreError::NotFound {
            entity: Entity::CommissionMember,
            query: member.trim().to_owned(),
        })?;
        let m: Record<CommissionMember> = read_by_id(&self.conn, Entity::CommissionMember, member_id)?;
        may_score(&m.data, app.data.cohort, &app.data.region).map_err(ValidationErrors::one)?;
        match self.newest_result(Subject::Application, app.id)? {
            None => return refuse(FieldError::new("application", "error-not-screened")),
            Some(Verdict::Fail) => return refuse(FieldError::new("application", "error-screening-failed")),
            Some(_) => {}
        }
        if current::<CommissionDecision>(
            &self.conn,
            Entity::CommissionDecision,
            app.data.cohort,
            &app.data.region,
        )?
        .is_some()
        {
            return refuse(FieldError::new("application", "error-decision-recorded"));
        }
        let score = input.validate(&self.rulebook, app.id, member_id, &app.data.region)?;
        let sql = format!(
            "SELECT {} FROM scores WHERE application_id = ?1 AND member_id = ?2",
            select_columns(Entity::Score)
        );
        let existing: Option<Record<Score>> =
            read_records(&self.conn, Entity::Score, &sql, (app.id.to_string(), member_id.to_string()))?.pop();
        match existing {
            Some(old) => Ok(self.write(|w| w.replace(Entity::Score, old.id, old.version, score))?.0),
            None => {
                let id = Uuid::now_v7();
                self.write(|w| w.insert(Entity::Score, id, &score))?;
                Ok(Record { id, version: 1, data: score })
            }
        }
    }

    fn scores_of(&self, region: &str) -> Result<Vec<Record<Score>>> {
        let sql = format!(
            "SELECT {} FROM scores WHERE cohort = ?1 AND region = ?2 ORDER BY rid",
            select_columns(Entity::Score)
        );
        read_records(&self.conn, Entity::Score, &sql, (self.rulebook.cohort, region))
    }

    /// The applications of a region whose newest screening passed, with their names.
    fn candidates(&self, region: &str) -> Result<Vec<(Uuid, String)>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT a.id, a.name FROM applications a
             WHERE a.cohort = ?1 AND a.region = ?2
               AND (SELECT s.result FROM screenings s WHERE s.subject = 'application' AND s.subject_id = a.id
                    ORDER BY s.screened_at DESC, s.rid DESC LIMIT 1) IN ('pass', 'warn')
             ORDER BY a.id",
        )?;
        let rows = statement
            .query_map((self.rulebook.cohort, region), |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name) = row?;
            out.push((Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?, name));
        }
        Ok(out)
    }

    /// The commission's work in a region as it stands.
    pub fn ranking(&self, region: &str) -> Result<Ranking> {
        let region = self.region_of_cohort("region", region)?;
        let decision = current::<CommissionDecision>(
            &self.conn,
            Entity::CommissionDecision,
            self.rulebook.cohort,
            &region,
        )?;
        let scores = self.scores_of(&region)?;
        let candidates = self.candidates(&region)?;
        let ids: Vec<Uuid> = candidates.iter().map(|(id, _)| *id).collect();
        let sheets: Vec<Score> = scores.iter().map(|s| s.data.clone()).collect();
        let names: BTreeMap<Uuid, String> = candidates.into_iter().collect();
        let selected: BTreeSet<Uuid> =
            decision.iter().flat_map(|d| d.data.selected.iter().copied()).collect();
        let lines = rank(&ids, &sheets, &self.rulebook)
            .into_iter()
            .map(|ranked| RankingLine {
                name: names.get(&ranked.application_id).cloned().unwrap_or_default(),
                selected: selected.contains(&ranked.application_id),
                ranked,
            })
            .collect();
        Ok(Ranking { members: self.commission_members(Some(&region))?, region, scores, lines, decision })
    }

    /// Records the commission's decision for a region: the ranking as the sheets give it now,
    /// the cut-off and the applications it selects. A decision on record is replaced only with
    /// a reason.
    pub fn decide_commission(
        &mut self,
        input: &CommissionDecisionInput,
    ) -> Result<Record<CommissionDecision>> {
        let mut check = Checker::new();
        let region = check.take(korpus_domain::rulebook::region("region", &input.region, &self.rulebook));
        let cut_off = check.take(CutOff::parse("cut_off", &input.cut_off));
        let today = self.clock.today();
        let decided_on = check.take(
            parse_date("decided_on", &input.decided_on).and_then(|d| past_date("decided_on", d, today)),
        );
        let decided_by = check.take(person_name("decided_by", &input.decided_by));
        check.finish()?;
        let (Some(region), Some(cut_off), Some(decided_on), Some(decided_by)) =
            (region, cut_off, decided_on, decided_by)
        else {
            return refuse(FieldError::new("region", "error-required"));
        };
        let cohort = self.rulebook.cohort;
        let replaced =
            current::<CommissionDecision>(&self.conn, Entity::CommissionDecision, cohort, &region)?;
        let supersedes = replaced.as_ref().map(|r| r.id);
        let reason =
            replacement_reason(supersedes, input.reason.as_deref()).map_err(ValidationErrors::one)?;
        let scores = self.scores_of(&region)?;
        let candidates: Vec<Uuid> = self.candidates(&region)?.into_iter().map(|(id, _)| id).collect();
        if candidates.is_empty() {
            return refuse(FieldError::new("region", "error-nothing-to-rank"));
        }
        // Only the sheets of applications still in the running count.
        let scores: Vec<Record<Score>> =
            scores.into_iter().filter(|s| candidates.contains(&s.data.application_id)).collect();
        let sheets: Vec<Score> = scores.iter().map(|s| s.data.clone()).collect();
        let ranking = rank(&candidates, &sheets, &self.rulebook);
        let selected = cut_off.select(&ranking);
        if selected.is_empty() {
            return refuse(FieldError::new("cut_off", "error-nothing-selected"));
        }
        let members_present: BTreeSet<Uuid> = scores.iter().map(|s| s.data.member_id).collect();
        let decision = CommissionDecision {
            cohort,
            region: region.clone(),
            rulebook_version: self.rulebook.version.clone(),
            ranking,
            cut_off,
            selected,
            scores: scores.iter().map(|s| s.id).collect(),
            members_present: members_present.into_iter().collect(),
            decided_on,
            decided_by,
            supersedes,
            reason,
        };
        decision
            .check(&sheets, replaced.as_ref().map(|r| &r.data))
            .map_err(|e| StoreError::Corrupt(format!("a decision made here does not check: {e}")))?;
        let id = decision_id(kinds::COMMISSION, cohort, &region, supersedes);
        self.write(|w| w.insert(Entity::CommissionDecision, id, &decision))?;
        Ok(Record { id, version: 1, data: decision })
    }

    /// The lottery's input for the groups `decision` selected, with each group's strata as the
    /// database holds them now.
    fn lottery_input(&self, decision: &CommissionDecision) -> Result<LotteryInput> {
        let mut units = Vec::with_capacity(decision.selected.len());
        for id in &decision.selected {
            let app: Record<SubProjectApplication> = read_by_id(&self.conn, Entity::Application, *id)?;
            let stratum = self
                .rulebook
                .lottery
                .strata
                .iter()
                .map(|s| match s {
                    Stratum::Region => app.data.region.clone(),
                    Stratum::Path => app.data.path.code().to_owned(),
                    Stratum::Direction => app.data.direction.clone(),
                })
                .collect();
            let members = self.counted_members(*id)?.iter().map(|p| p.identity.iin.to_string()).collect();
            units.push(Unit { stratum, application_id: *id, members });
        }
        Ok(LotteryInput {
            cohort: decision.cohort,
            region: decision.region.clone(),
            weights: self.rulebook.arms.clone(),
            strata: self.rulebook.lottery.strata.clone(),
            units,
        })
    }

    /// Draws the lottery of a region from the groups its commission decision selected, and
    /// records it. A lottery on record is replaced only with a reason.
    pub fn draw_lottery(&mut self, input: &LotteryDrawInput) -> Result<Record<LotteryRecord>> {
        let mut check = Checker::new();
        let region = check.take(korpus_domain::rulebook::region("region", &input.region, &self.rulebook));
        let seed = check.take(Seed::parse("seed", &input.seed));
        let today = self.clock.today();
        let drawn_on =
            check.take(parse_date("drawn_on", &input.drawn_on).and_then(|d| past_date("drawn_on", d, today)));
        let drawn_by = check.take(person_name("drawn_by", &input.drawn_by));
        check.finish()?;
        let (Some(region), Some(seed), Some(drawn_on), Some(drawn_by)) = (region, seed, drawn_on, drawn_by)
        else {
            return refuse(FieldError::new("region", "error-required"));
        };
        let cohort = self.rulebook.cohort;
        let Some(decision) =
            current::<CommissionDecision>(&self.conn, Entity::CommissionDecision, cohort, &region)?
        else {
            return refuse(FieldError::new("region", "error-no-decision"));
        };
        let replaced = current::<LotteryRecord>(&self.conn, Entity::Lottery, cohort, &region)?;
        let supersedes = replaced.as_ref().map(|r| r.id);
        let reason =
            replacement_reason(supersedes, input.reason.as_deref()).map_err(ValidationErrors::one)?;
        let lottery_input = self.lottery_input(&decision.data)?;
        let draw = lottery::draw(lottery_input, &seed)
            .map_err(|e| StoreError::Corrupt(format!("the selected groups cannot be drawn: {e}")))?;
        let input = self
            .lottery_input(&decision.data)?
            .canonical()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let record = LotteryRecord {
            cohort,
            region: region.clone(),
            rulebook_version: self.rulebook.version.clone(),
            decision_id: decision.id,
            drawn_on,
            drawn_by,
            supersedes,
            reason,
            input,
            draw,
        };
        record
            .check(&decision.data, replaced.as_ref().map(|r| &r.data))
            .map_err(|e| StoreError::Corrupt(format!("a lottery drawn here does not check: {e}")))?;
        let id = decision_id(kinds::LOTTERY, cohort, &region, supersedes);
        self.write(|w| w.insert(Entity::Lottery, id, &record))?;
        Ok(Record { id, version: 1, data: record })
    }

    /// Every lottery of a cohort, replaced ones too, in the order they were drawn.
    pub fn lotteries(&self, cohort: i32) -> Result<Vec<Record<LotteryRecord>>> {
        let sql = format!(
            "SELECT {} FROM lotteries WHERE cohort = ?1 ORDER BY region, rid",
            select_columns(Entity::Lottery)
        );
        read_records(&self.conn, Entity::Lottery, &sql, [cohort])
    }

    /// One lottery.
    pub fn lottery(&self, id: &str) -> Result<Record<LotteryRecord>> {
        let not_found = || StoreError::NotFound { entity: Entity::Lottery, query: id.trim().to_owned() };
        let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
        read_by_id(&self.conn, Entity::Lottery, id)
    }

    /// Draws a recorded lottery again from its decision's selected groups, as the database
    /// holds them now, and names every difference from the record.
    pub fn verify_lottery(&self, id: &str) -> Result<LotteryCheck> {
        let record = self.lottery(id)?;
        let decision: Record<CommissionDecision> =
            read_by_id(&self.conn, Entity::CommissionDecision, record.data.decision_id)?;
        let mut input = self.lottery_input(&decision.data)?;
        // The arms' weights and strata of the rulebook the lottery was drawn under.
        if let Some(rb) = korpus_domain::Rulebook::known(&record.data.rulebook_version) {
            input.weights = rb.arms.clone();
            input.strata.clone_from(&rb.lottery.strata);
        }
        let discrepancies = lottery::verify(&record.data.draw, &record.data.input, input);
        let messages = discrepancies.iter().map(Discrepancy::text).collect();
        Ok(LotteryCheck { lottery_id: record.id, discrepancies, messages })
    }

    fn counted_members(&self, application: Uuid) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {} FROM persons JOIN application_members m ON m.person_id = persons.id
             WHERE m.application_id = ?1 ORDER BY persons.id",
            select_columns(Entity::Person)
        );
        Ok(read_records::<Person>(&self.conn, Entity::Person, &sql, [application.to_string()])?
            .into_iter()
            .map(|r| r.data)
            .collect())
    }

    /// The balance table of a recorded lottery, from its groups' members as recorded now.
    pub fn lottery_balance(&self, id: &str) -> Result<Balance> {
        let record = self.lottery(id)?;
        let mut groups = Vec::new();
        for unit in &record.data.input.units {
            let app: Record<SubProjectApplication> =
                read_by_id(&self.conn, Entity::Application, unit.application_id)?;
            let members = self
                .counted_members(unit.application_id)?
                .iter()
                .map(|p| BalanceMember {
                    female: p.identity.sex == Sex::Female,
                    vulnerable: is_vulnerable(p, &self.rulebook),
                    disability: p.disability,
                    age: age_on(p.identity.birth_date, self.rulebook.reference_date),
                })
                .collect();
            groups.push(BalanceGroup {
                application_id: unit.application_id,
                budget: app.data.budget,
                members,
            });
        }
        Ok(lottery::balance(&record.data.draw.assignments, &groups))
    }

    /// The arm of every group of `cohort` that a lottery on record (not replaced) assigned.
    pub fn arms(&self, cohort: i32) -> Result<BTreeMap<Uuid, Arm>> {
        let sql = format!(
            "SELECT {} FROM lotteries WHERE cohort = ?1
             AND NOT EXISTS (SELECT 1 FROM lotteries AS later WHERE later.supersedes = lotteries.id)",
            select_columns(Entity::Lottery)
        );
        let mut out = BTreeMap::new();
        for l in read_records::<LotteryRecord>(&self.conn, Entity::Lottery, &sql, [cohort])? {
            out.extend(l.data.arms());
        }
        Ok(out)
    }

    /// Progress against the cohort's targets, by region and in total. A member of a drawn group
    /// is a beneficiary of its arm when the lottery's record of the group names them (a
    /// `korpus-lottery/1` record names no members: then every member is), else one who joined
    /// after the draw; one who left, or whose group left, stays a beneficiary and is counted
    /// apart as withdrawn.
    pub fn indicators(&self, cohort: i32) -> Result<Indicators> {
        self.own_cohort(cohort)?;
        let sql = format!(
            "SELECT {} FROM lotteries WHERE cohort = ?1
             AND NOT EXISTS (SELECT 1 FROM lotteries AS later WHERE later.supersedes = lotteries.id)",
            select_columns(Entity::Lottery)
        );
        // Each drawn group: its arm, and the IINs the lottery recorded (empty under /1).
        let mut drawn: BTreeMap<Uuid, (Arm, BTreeSet<String>)> = BTreeMap::new();
        for l in read_records::<LotteryRecord>(&self.conn, Entity::Lottery, &sql, [cohort])? {
            let arms = l.data.arms();
            for unit in &l.data.input.units {
                if let Some(arm) = arms.get(&unit.application_id) {
                    let members = unit.members.iter().cloned().collect();
                    drawn.insert(unit.application_id, (*arm, members));
                }
            }
        }
        let parse = |s: &str| Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string()));
        let mut left_groups = BTreeSet::new();
        let mut left_people = BTreeSet::new();
        for w in self.cohort_withdrawals(cohort)? {
            match w.data.person_id {
                Some(p) => left_people.insert((w.data.application_id, p)),
                None => left_groups.insert(w.data.application_id),
            };
        }
        // Each person's furthest reach, with the arm and whether they left.
        let mut memberships: BTreeMap<Uuid, (Reach, Option<Arm>, bool)> = BTreeMap::new();
        let mut statement = self.conn.prepare(
            "SELECT m.person_id, m.application_id, p.iin FROM application_members m
             JOIN applications a ON a.id = m.application_id JOIN persons p ON p.id = m.person_id
             WHERE a.cohort = ?1",
        )?;
        let rows = statement.query_map([cohort], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (person, application, iin) = row?;
            let (person, application) = (parse(&person)?, parse(&application)?);
            let counted = match drawn.get(&application) {
                None => (Reach::Applicant, None, false),
                Some((arm, recorded)) if recorded.is_empty() || recorded.contains(&iin) => {
                    let left =
                        left_groups.contains(&application) || left_people.contains(&(application, person));
                    (Reach::Beneficiary, Some(*arm), left)
                }
                Some(_) => (Reach::AddedAfterDraw, None, false),
            };
            let entry = memberships.entry(person).or_insert(counted);
            if counted.0 > entry.0 {
                *entry = counted;
            }
        }
        let sql = format!("SELECT {} FROM persons WHERE cohort = ?1", select_columns(Entity::Person));
        let people: Vec<CountedPerson> = read_records::<Person>(&self.conn, Entity::Person, &sql, [cohort])?
            .into_iter()
            .map(|p| {
                let (reach, arm, withdrawn) =
                    memberships.get(&p.id).copied().unwrap_or((Reach::Registered, None, false));
                CountedPerson {
                    region: p.data.identity.region.clone(),
                    reach,
                    female: p.data.identity.sex == Sex::Female,
                    vulnerable: is_vulnerable(&p.data, &self.rulebook),
                    disability: p.data.disability,
                    arm,
                    withdrawn,
                }
            })
            .collect();
        Ok(indicators(&people, &self.rulebook))
    }

    /// Records a mentor candidate's telephone interview; the candidate must have passed
    /// technical screening. Passed moves the mentor on to the internal commission; failed ends
    /// the selection.
    pub fn record_interview(
        &mut self,
        mentor: &str,
        input: &MentorInterviewInput,
    ) -> Result<Record<MentorInterview>> {
        let m = self.mentor(mentor)?;
        if m.data.stage != MentorStage::Screened {
            return refuse(FieldError::new("mentor", "error-interview-stage"));
        }
        let interview = input.validate(&self.context(), m.id, &m.data.identity.region)?;
        let stage = if interview.outcome == InterviewOutcome::Passed {
            MentorStage::Interviewed
        } else {
            MentorStage::Rejected
        };
        let id = Uuid::now_v7();
        self.write(|w| {
            w.insert(Entity::MentorInterview, id, &interview)?;
            set_stage(w, &m, stage)
        })?;
        Ok(Record { id, version: 1, data: interview })
    }

    /// Records the internal commission's decision on an interviewed mentor.
    pub fn decide_mentor(&mut self, mentor: &str, input: &DecisionInput) -> Result<Record<MentorDecision>> {
        let m = self.mentor(mentor)?;
        if m.data.stage != MentorStage::Interviewed {
            return refuse(FieldError::new("mentor", "error-mentor-decision-stage"));
        }
        let decision = input.for_mentor(&self.context(), m.id, &m.data.identity.region)?;
        let stage = if decision.outcome == SelectionOutcome::Selected {
            MentorStage::Selected
        } else {
            MentorStage::Rejected
        };
        let id = decision_id(kinds::MENTOR, decision.cohort, &m.id.to_string(), None);
        self.write(|w| {
            w.insert(Entity::MentorDecision, id, &decision)?;
            set_stage(w, &m, stage)
        })?;
        Ok(Record { id, version: 1, data: decision })
    }

    /// A mentor's interviews, oldest first, and the internal commission's decision.
    pub fn mentor_selection(&self, mentor: Uuid) -> Result<MentorSelection> {
        let sql = format!(
            "SELECT {} FROM mentor_interviews WHERE mentor_id = ?1 ORDER BY held_on, rid",
            select_columns(Entity::MentorInterview)
        );
        let interviews = read_records(&self.conn, Entity::MentorInterview, &sql, [mentor.to_string()])?;
        let sql = format!(
            "SELECT {} FROM mentor_decisions WHERE mentor_id = ?1",
            select_columns(Entity::MentorDecision)
        );
        let decision = read_records(&self.conn, Entity::MentorDecision, &sql, [mentor.to_string()])?.pop();
        Ok(MentorSelection { interviews, decision })
    }

    /// The competition's decision on a host organisation this cohort, if any.
    pub fn host_org_decision(&self, host_org: Uuid) -> Result<Option<Record<HostOrgDecision>>> {
        let id = decision_id(kinds::HOST_ORG, self.rulebook.cohort, &host_org.to_string(), None);
        match read_by_id(&self.conn, Entity::HostOrgDecision, id) {
            Ok(d) => Ok(Some(d)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Records the competition's decision on a host organisation: once per cohort, after its
    /// screening; only an organisation whose newest screening passed can be selected.
    pub fn decide_host_org(&mut self, key: &str, input: &DecisionInput) -> Result<Record<HostOrgDecision>> {
        let org: Record<HostOrg> = self.host_org(key)?;
        if self.host_org_decision(org.id)?.is_some() {
            return refuse(FieldError::new("host_org", "error-decision-recorded"));
        }
        let decision = input.for_host_org(&self.context(), org.id, &org.data.region)?;
        match self.newest_result(Subject::HostOrg, org.id)? {
            None => return refuse(FieldError::new("host_org", "error-not-screened")),
            Some(Verdict::Fail) if decision.outcome == SelectionOutcome::Selected => {
                return refuse(FieldError::new("outcome", "error-screening-failed"));
            }
            Some(_) => {}
        }
        let id = decision_id(kinds::HOST_ORG, decision.cohort, &org.id.to_string(), None);
        self.write(|w| w.insert(Entity::HostOrgDecision, id, &decision))?;
        Ok(Record { id, version: 1, data: decision })
    }

    /// Adds the memorandum of cooperation to a selected organisation's decision, once.
    pub fn record_memorandum(
        &mut self,
        key: &str,
        number: &str,
        date: &str,
    ) -> Result<Record<HostOrgDecision>> {
        let org: Record<HostOrg> = self.host_org(key)?;
        let Some(decision) = self.host_org_decision(org.id)? else {
            return refuse(FieldError::new("host_org", "error-no-decision"));
        };
        if decision.data.memorandum_number.is_some() {
            return refuse(FieldError::new("memorandum_number", "error-memorandum-recorded"));
        }
        let (number, date) = decision.data.memorandum(&self.context(), number, date)?;
        let mut fields = Map::new();
        fields.insert("memorandum_number".into(), Value::String(number.clone()));
        fields.insert("memorandum_date".into(), json!(date));
        self.write(|w| w.set_fields(Entity::HostOrgDecision, decision.id, decision.version, fields))?;
        let data =
            HostOrgDecision { memorandum_number: Some(number), memorandum_date: Some(date), ..decision.data };
        Ok(Record { id: decision.id, version: decision.version + 1, data })
    }

    /// The public list of a cohort's selected host organisations, by region and name.
    pub fn selected_host_orgs(&self, cohort: i32) -> Result<Vec<SelectedHostOrg>> {
        let mut statement = self.conn.prepare(
            "SELECT o.id, o.name, o.bin, o.region, o.locality, d.decided_on, d.memorandum_number, d.memorandum_date
             FROM host_org_decisions d JOIN host_orgs o ON o.id = d.host_org_id
             WHERE d.cohort = ?1 AND d.outcome = 'selected'
             ORDER BY o.region, o.name COLLATE kazakh, o.id",
        )?;
        let rows = statement.query_map([cohort], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(e.to_string());
        let mut out = Vec::new();
        for row in rows {
            let (id, name, bin, region, locality, decided_on, number, date) = row?;
            out.push(SelectedHostOrg {
                host_org_id: Uuid::parse_str(&id).map_err(|e| corrupt(&e))?,
                name,
                bin,
                region,
                locality,
                decided_on: decided_on.parse().map_err(|e| corrupt(&e))?,
                memorandum_number: number,
                memorandum_date: date.map(|d| d.parse()).transpose().map_err(|e| corrupt(&e))?,
            });
        }
        Ok(out)
    }
}

/// Moves a mentor to `stage` (a transition HQ checks).
pub(crate) fn set_stage(w: &mut Writer<'_>, mentor: &Record<Mentor>, stage: MentorStage) -> Result<()> {
    let mut fields = Map::new();
    fields.insert("stage".into(), json!(stage));
    w.set_fields(Entity::Mentor, mentor.id, mentor.version, fields)
}

/// Writes a competition's decision on a host organisation as it stands, its memorandum included:
/// the bulk path (demo data, imports) beside [`Store::decide_host_org`] and
/// [`Store::record_memorandum`], which a coordinator takes one step at a time. Refuses an unknown
/// organisation, a second decision of the cohort, and a memorandum without a selection.
pub fn insert_host_org_decision(w: &mut Writer<'_>, decision: &HostOrgDecision) -> Result<()> {
    let org = decision.host_org_id;
    let known: Option<i64> = w
        .conn()
        .query_row("SELECT 1 FROM host_orgs WHERE id = ?1", [org.to_string()], |r| r.get(0))
        .optional()?;
    if known.is_none() {
        return refuse(FieldError::new("host_org", "error-unknown-host-org").arg("value", org));
    }
    let id = decision_id(kinds::HOST_ORG, decision.cohort, &org.to_string(), None);
    let recorded: Option<i64> = w
        .conn()
        .query_row("SELECT 1 FROM host_org_decisions WHERE id = ?1", [id.to_string()], |r| r.get(0))
        .optional()?;
    if recorded.is_some() {
        return refuse(FieldError::new("host_org", "error-decision-recorded"));
    }
    if decision.memorandum_number.is_some() != decision.memorandum_date.is_some()
        || (decision.memorandum_number.is_some() && decision.outcome != SelectionOutcome::Selected)
    {
        return refuse(FieldError::new("memorandum_number", "error-memorandum-not-selected"));
    }
    w.insert(Entity::HostOrgDecision, id, decision)
}
