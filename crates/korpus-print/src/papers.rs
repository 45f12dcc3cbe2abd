//! The programme's papers: the memorandum of cooperation with a selected host organisation
//! (PROGRAMME.md lines 98-106), a sub-project's grant contract with the host organisation's
//! overhead (lines 77-82), the evaluation commission's protocol (line 58) and a month's
//! scholarship payment roll (lines 78-79). Each ends with the signature lines the paper needs.

use crate::canvas::{Align, Style};
use crate::flow::{Column, Flow, LANDSCAPE, PORTRAIT};
use crate::{PrintError, PrintLang, Printed, Printer};
use chrono::NaiveDate;
use korpus_domain::closing::money::GrantContract;
use korpus_domain::lang::Text;
use korpus_domain::messages::tr;
use korpus_domain::selection::commission::{CommissionMember, CutOff};
use korpus_domain::selection::lottery::Arm;
use korpus_domain::validation::{format_date, format_tenge};

/// A selected host organisation's memorandum of cooperation.
#[derive(Debug, Clone, Copy)]
pub struct MemorandumSheet<'a> {
    /// The memorandum's number.
    pub number: &'a str,
    /// The day it was signed.
    pub signed_on: NaiveDate,
    /// The day the competition selected the organisation.
    pub selected_on: NaiveDate,
    /// The programme year.
    pub cohort: i32,
    /// The organisation's name.
    pub host_org: &'a str,
    /// Its BIN.
    pub bin: &'a str,
    /// Its head, as on record.
    pub head: Option<&'a str>,
    /// The region's name.
    pub region: &'a Text,
    /// The overhead rate on each grant contract, in percent.
    pub overhead_percent: u32,
    /// The most applications the organisation submits.
    pub max_applications: u32,
    /// The language.
    pub lang: PrintLang,
}

/// A sub-project's grant contract.
#[derive(Debug, Clone, Copy)]
pub struct GrantContractSheet<'a> {
    /// The contract.
    pub contract: &'a GrantContract,
    /// The sub-project's name.
    pub subproject: &'a str,
    /// Its group's arm.
    pub arm: Arm,
    /// The group's members, leader first.
    pub members: &'a [String],
    /// The host organisation that applied for it, if one did.
    pub host_org: Option<ContractHostOrg<'a>>,
    /// The region's name.
    pub region: &'a Text,
    /// The language.
    pub lang: PrintLang,
}

/// The host organisation party to a grant contract.
#[derive(Debug, Clone, Copy)]
pub struct ContractHostOrg<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its BIN.
    pub bin: &'a str,
    /// Its head, who signs, as on record.
    pub head: Option<&'a str>,
}

/// One application on the commission's protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolApplication {
    /// The sub-project's name.
    pub name: String,
    /// Each member's total, in the order of the members; `None` where the member declared a
    /// conflict of interest, or has no sheet.
    pub totals: Vec<MemberScore>,
    /// The mean over the members who scored without a conflict of interest.
    pub mean: Option<f64>,
    /// Its place; `None` when too few members scored it.
    pub place: Option<u32>,
    /// Selected for the lottery.
    pub selected: bool,
}

/// What one member gave one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberScore {
    /// A total.
    Points(u32),
    /// A declared conflict of interest: the member did not score it.
    Conflict,
    /// No sheet.
    None,
}

/// The evaluation commission's protocol of its decision in a region.
#[derive(Debug, Clone, Copy)]
pub struct CommissionProtocolSheet<'a> {
    /// The programme year.
    pub cohort: i32,
    /// The region's name.
    pub region: &'a Text,
    /// The day of the decision.
    pub decided_on: NaiveDate,
    /// Who recorded it (the chair).
    pub decided_by: &'a str,
    /// The members present, in the order of the score columns.
    pub members: &'a [CommissionMember],
    /// The applications, in ranking order.
    pub applications: &'a [ProtocolApplication],
    /// The cut-off.
    pub cut_off: CutOff,
    /// Why the decision replaces an earlier one, if it does.
    pub replaces: Option<&'a str>,
    /// The language.
    pub lang: PrintLang,
}

/// One beneficiary on a month's payment roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollEntry {
    /// Full name.
    pub name: String,
    /// Their group's sub-project.
    pub subproject: String,
    /// Their education, in the document's language(s).
    pub education: String,
    /// The amount; `None` when their education gives none.
    pub amount_tenge: Option<i64>,
}

/// A region's scholarship payment roll for one month.
#[derive(Debug, Clone, Copy)]
pub struct ScholarshipRollSheet<'a> {
    /// The month, `2017-07`.
    pub month: &'a str,
    /// The region's name.
    pub region: &'a Text,
    /// The beneficiaries.
    pub entries: &'a [RollEntry],
    /// The month's total.
    pub total_tenge: i64,
    /// The language.
    pub lang: PrintLang,
}

/// "Role: ______ name" signature lines, one under the other.
fn signatures(flow: &mut Flow<'_>, lines: &[(String, String)]) {
    for (role, name) in lines {
        flow.gap(7.0);
        flow.line(&format!("{role}: ______________________   {name}"), Style::regular(10.0), Align::Left);
    }
}

fn region_name(lang: PrintLang, region: &Text) -> String {
    lang.each(|l| region.get(l).to_owned())
}

impl Printer {
    /// The memorandum of cooperation between the programme and a selected host organisation.
    pub fn memorandum(&self, sheet: &MemorandumSheet<'_>) -> Result<Printed<'_>, PrintError> {
        let lang = sheet.lang;
        let title = lang.label("print-memorandum-title", &[("number", sheet.number.to_owned())]);
        let mut flow = Flow::new(&self.fonts, &title, PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(2.0);
        flow.field(&lang.label("print-date", &[]), &format_date(sheet.signed_on));
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.gap(2.0);
        let head = sheet.head.unwrap_or("—").to_owned();
        for l in lang.langs() {
            let parties = tr(
                *l,
                "print-memorandum-parties",
                &[
                    ("region", sheet.region.get(*l).to_owned()),
                    ("org", sheet.host_org.to_owned()),
                    ("bin", sheet.bin.to_owned()),
                    ("head", head.clone()),
                    ("cohort", sheet.cohort.to_string()),
                    ("date", format_date(sheet.selected_on)),
                ],
            );
            flow.line(&parties, Style::regular(10.0), Align::Left);
            flow.gap(1.5);
        }
        let clauses = [
            ("print-memorandum-outreach", Vec::new()),
            ("print-memorandum-applications", vec![("max", sheet.max_applications.to_string())]),
            ("print-memorandum-groups", Vec::new()),
            ("print-memorandum-monitoring", Vec::new()),
            ("print-memorandum-finance", vec![("percent", sheet.overhead_percent.to_string())]),
            ("print-memorandum-reports", Vec::new()),
            ("print-memorandum-public", Vec::new()),
        ];
        for (n, (key, args)) in clauses.iter().enumerate() {
            let args: Vec<korpus_domain::messages::Arg> = args.clone();
            flow.line(&format!("{}. {}", n + 1, lang.label(key, &args)), Style::regular(10.0), Align::Left);
            flow.gap(1.0);
        }
        flow.gap(4.0);
        signatures(
            &mut flow,
            &[
                (lang.label("print-signature-coordinator", &[]), String::new()),
                (lang.label("print-signature-host-org-head", &[]), head),
            ],
        );
        flow.gap(4.0);
        flow.line(&lang.label("print-stamp", &[]), Style::caption(9.0), Align::Left);
        Ok(flow.finish())
    }

    /// A sub-project's grant contract: the sum, the host organisation's overhead on it and the
    /// signature of every member of the group.
    pub fn grant_contract(&self, sheet: &GrantContractSheet<'_>) -> Result<Printed<'_>, PrintError> {
        let (c, lang) = (sheet.contract, sheet.lang);
        let title = lang.label("print-contract-title", &[("number", c.number.clone())]);
        let mut flow = Flow::new(&self.fonts, &title, PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(2.0);
        flow.field(&lang.label("print-date", &[]), &format_date(c.signed_on));
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.field(&lang.label("print-subproject", &[]), sheet.subproject);
        flow.field(&lang.label("print-arm", &[]), &lang.each(|l| tr(l, sheet.arm.message_key(), &[])));
        if let Some(ContractHostOrg { name: org, bin, .. }) = sheet.host_org {
            flow.field(
                &lang.label("print-host-org", &[]),
                &format!("{org}, {} {bin}", lang.label("print-bin", &[])),
            );
        }
        flow.gap(2.0);
        flow.line(&lang.label("print-contract-subject", &[]), Style::regular(10.0), Align::Left);
        flow.gap(2.0);
        flow.field(&lang.label("print-contract-sum", &[]), &format_tenge(c.sum_tenge));
        if sheet.host_org.is_some() {
            flow.field(
                &lang.label("print-contract-overhead", &[("percent", c.overhead_percent.to_string())]),
                &format_tenge(c.overhead_tenge),
            );
            flow.line(&lang.label("print-contract-overhead-for", &[]), Style::caption(9.0), Align::Left);
            flow.field(
                &lang.label("print-contract-total", &[]),
                &format_tenge(c.sum_tenge + c.overhead_tenge),
            );
        }
        flow.gap(2.0);
        flow.line(&lang.label("print-contract-duties", &[]), Style::regular(10.0), Align::Left);
        flow.gap(4.0);
        flow.line(&lang.label("print-contract-group", &[]), Style::bold(10.5), Align::Left);
        let columns = [
            Column::centred("№".into(), 0.6),
            Column::new(lang.label("print-full-name", &[]), 5.0),
            Column::new(lang.label("print-signature", &[]), 3.4),
        ];
        let rows: Vec<Vec<String>> = sheet
            .members
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = if i == 0 {
                    format!("{name} ({})", lang.label("print-leader", &[]))
                } else {
                    name.clone()
                };
                vec![(i + 1).to_string(), name, String::new()]
            })
            .collect();
        flow.table(&columns, &rows, 9.0);
        flow.gap(2.0);
        let mut lines = vec![(lang.label("print-signature-coordinator", &[]), String::new())];
        if let Some(org) = sheet.host_org {
            let head = org.head.map_or_else(|| org.name.to_owned(), |head| format!("{head}, {}", org.name));
            lines.push((lang.label("print-signature-host-org-head", &[]), head));
        }
        signatures(&mut flow, &lines);
        Ok(flow.finish())
    }

    /// The evaluation commission's protocol: its members, each member's score of each
    /// application, the means with conflicts of interest left out, the ranking, the cut-off, the
    /// applications selected, and a signature line for every member.
    pub fn commission_protocol(
        &self,
        sheet: &CommissionProtocolSheet<'_>,
    ) -> Result<Printed<'_>, PrintError> {
        let lang = sheet.lang;
        let title = lang.label("print-commission-title", &[("cohort", sheet.cohort.to_string())]);
        let mut flow = Flow::new(&self.fonts, &title, LANDSCAPE, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(2.0);
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.field(&lang.label("print-date", &[]), &format_date(sheet.decided_on));
        flow.field(&lang.label("print-commission-chair", &[]), sheet.decided_by);
        if let Some(reason) = sheet.replaces {
            flow.field(&lang.label("print-commission-replaces", &[]), reason);
        }
        flow.gap(2.0);
        flow.line(
            &lang.label("print-commission-members", &[("count", sheet.members.len().to_string())]),
            Style::bold(10.5),
            Align::Left,
        );
        let member_rows: Vec<Vec<String>> = sheet
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    (i + 1).to_string(),
                    m.full_name.clone(),
                    m.position.clone().unwrap_or_default(),
                    lang.each(|l| tr(l, m.role.message_key(), &[])),
                ]
            })
            .collect();
        flow.table(
            &[
                Column::centred("№".into(), 0.5),
                Column::new(lang.label("print-full-name", &[]), 4.0),
                Column::new(lang.label("print-position", &[]), 5.0),
                Column::new(lang.label("print-role", &[]), 2.5),
            ],
            &member_rows,
            0.0,
        );
        flow.gap(3.0);
        flow.line(&lang.label("print-commission-scores", &[]), Style::bold(10.5), Align::Left);
        let mut columns = vec![
            Column::centred(lang.label("print-place", &[]), 0.8),
            Column::new(lang.label("print-subproject", &[]), 4.0),
        ];
        for (i, _) in sheet.members.iter().enumerate() {
            columns.push(Column::centred(format!("{}", i + 1), 0.8));
        }
        columns.push(Column::centred(lang.label("print-mean", &[]), 1.1));
        columns.push(Column::centred(lang.label("print-selected", &[]), 1.2));
        let conflict = lang.label("print-conflict-short", &[]);
        let rows: Vec<Vec<String>> = sheet
            .applications
            .iter()
            .map(|a| {
                let mut row =
                    vec![a.place.map(|p| p.to_string()).unwrap_or_else(|| "—".into()), a.name.clone()];
                row.extend(a.totals.iter().map(|t| match t {
                    MemberScore::Points(p) => p.to_string(),
                    MemberScore::Conflict => conflict.clone(),
                    MemberScore::None => "—".into(),
                }));
                row.push(a.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".into()));
                row.push(if a.selected { lang.label("print-yes", &[]) } else { String::new() });
                row
            })
            .collect();
        flow.table(&columns, &rows, 0.0);
        flow.line(
            &lang.label("print-commission-legend", &[("conflict", conflict)]),
            Style::caption(8.5),
            Align::Left,
        );
        flow.gap(2.0);
        let cut_off = match sheet.cut_off {
            CutOff::Top { count } => lang.label("print-cut-off-top", &[("count", count.to_string())]),
            CutOff::MinMean { min_mean } => {
                lang.label("print-cut-off-min", &[("mean", format!("{min_mean:.2}"))])
            }
        };
        flow.field(&lang.label("print-cut-off", &[]), &cut_off);
        let selected = sheet.applications.iter().filter(|a| a.selected).count();
        flow.field(&lang.label("print-commission-selected", &[]), &selected.to_string());
        flow.gap(3.0);
        flow.line(&lang.label("print-commission-signatures", &[]), Style::bold(10.5), Align::Left);
        let signature_rows: Vec<Vec<String>> = sheet
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    (i + 1).to_string(),
                    m.full_name.clone(),
                    lang.each(|l| tr(l, m.role.message_key(), &[])),
                    String::new(),
                ]
            })
            .collect();
        flow.table(
            &[
                Column::centred("№".into(), 0.5),
                Column::new(lang.label("print-full-name", &[]), 4.0),
                Column::new(lang.label("print-role", &[]), 2.5),
                Column::new(lang.label("print-signature", &[]), 4.0),
            ],
            &signature_rows,
            10.0,
        );
        Ok(flow.finish())
    }

    /// A month's scholarship payment roll: each beneficiary, the amount, and a column to sign
    /// on receipt.
    pub fn scholarship_roll(&self, sheet: &ScholarshipRollSheet<'_>) -> Result<Printed<'_>, PrintError> {
        let lang = sheet.lang;
        let title = lang.label("print-roll-title", &[("month", sheet.month.to_owned())]);
        let mut flow = Flow::new(&self.fonts, &title, PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(2.0);
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.gap(2.0);
        let columns = [
            Column::centred("№".into(), 0.5),
            Column::new(lang.label("print-full-name", &[]), 3.4),
            Column::new(lang.label("print-subproject", &[]), 3.0),
            Column::new(lang.label("print-education", &[]), 2.4),
            Column::centred(lang.label("print-amount", &[]), 1.6),
            Column::new(lang.label("print-signature", &[]), 2.2),
        ];
        let rows: Vec<Vec<String>> = sheet
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                vec![
                    (i + 1).to_string(),
                    e.name.clone(),
                    e.subproject.clone(),
                    e.education.clone(),
                    e.amount_tenge.map(format_tenge).unwrap_or_else(|| "—".into()),
                    String::new(),
                ]
            })
            .collect();
        flow.table(&columns, &rows, 8.0);
        flow.gap(2.0);
        flow.field(&lang.label("print-total", &[]), &format_tenge(sheet.total_tenge));
        signatures(
            &mut flow,
            &[
                (lang.label("print-signature-coordinator", &[]), String::new()),
                (lang.label("print-signature-accountant", &[]), String::new()),
            ],
        );
        Ok(flow.finish())
    }
}
