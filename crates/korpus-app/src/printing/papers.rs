//! The programme's papers from the case database: a host organisation's memorandum, a
//! sub-project's grant contract, the commission's protocol and a month's scholarship roll.

use super::{Rendered, file_part, region};
use crate::error::Result;
use korpus_domain::ValidationErrors;
use korpus_domain::messages::tr;
use korpus_domain::validation::FieldError;
use korpus_print::{
    CommissionProtocolSheet, ContractHostOrg, GrantContractSheet, MemberScore, MemorandumSheet, PrintLang,
    Printer, ProtocolApplication, RollEntry, ScholarshipRollSheet,
};
use korpus_store::Store;
use std::collections::HashMap;

/// A selected host organisation's memorandum of cooperation, once it is on record.
pub(super) fn memorandum<'p>(
    printer: &'p Printer,
    store: &Store,
    host_org: &str,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let org = store.host_org(host_org)?;
    let decision = store.host_org_decision(org.id)?;
    let signed = decision.as_ref().and_then(|d| {
        let d = &d.data;
        Some((d.memorandum_number.as_deref()?, d.memorandum_date?, d.decided_on))
    });
    let Some((number, signed_on, selected_on)) = signed else {
        return Err(ValidationErrors::one(
            FieldError::new("host_org", "error-no-memorandum").arg("org", &org.data.name),
        )
        .into());
    };
    let rules = &store.rulebook().host_org;
    let region = region(store, &org.data.region)?;
    let bin = org.data.bin.to_string();
    let printed = printer.memorandum(&MemorandumSheet {
        number,
        signed_on,
        selected_on,
        cohort: store.rulebook().cohort,
        host_org: &org.data.name,
        bin: &bin,
        head: org.data.head_name.as_deref(),
        region: &region,
        overhead_percent: rules.overhead_percent,
        max_applications: rules.max_applications,
        lang,
    })?;
    Ok(Rendered { file_name: format!("memorandum-{bin}.pdf"), printed })
}

/// A sub-project's grant contract, once signed.
pub(super) fn grant_contract<'p>(
    printer: &'p Printer,
    store: &Store,
    application: &str,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let view = store.application(application)?;
    let app = &view.application;
    let line = store.grants(Some(&app.data.region))?.into_iter().find(|g| g.application_id == app.id);
    let Some((arm, contract)) = line.and_then(|g| Some((g.arm, g.contract?))) else {
        return Err(ValidationErrors::one(
            FieldError::new("application", "error-no-contract").arg("name", &app.data.name),
        )
        .into());
    };
    let region = region(store, &app.data.region)?;
    let members: Vec<String> = view.members.iter().map(|m| m.data.identity.full_name()).collect();
    let bin = view.host_org.as_ref().map(|o| o.data.bin.to_string());
    let host_org = view.host_org.as_ref().zip(bin.as_deref()).map(|(o, bin)| ContractHostOrg {
        name: &o.data.name,
        bin,
        head: o.data.head_name.as_deref(),
    });
    let printed = printer.grant_contract(&GrantContractSheet {
        contract: &contract.data,
        subproject: &app.data.name,
        arm,
        members: &members,
        host_org,
        region: &region,
        lang,
    })?;
    Ok(Rendered { file_name: format!("contract-{}.pdf", file_part(&contract.data.number)), printed })
}

/// The commission's protocol of the decision in force in a region.
pub(super) fn commission_protocol<'p>(
    printer: &'p Printer,
    store: &Store,
    kato: &str,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let ranking = store.ranking(kato)?;
    let Some(decision) = &ranking.decision else {
        return Err(ValidationErrors::one(FieldError::new("region", "error-no-commission-decision")).into());
    };
    let d = &decision.data;
    let members: Vec<_> = ranking.members.iter().filter(|m| d.members_present.contains(&m.id)).collect();
    let names: HashMap<_, _> =
        ranking.lines.iter().map(|l| (l.ranked.application_id, l.name.clone())).collect();
    let sheets: Vec<_> = ranking.scores.iter().filter(|s| d.scores.contains(&s.id)).collect();
    let applications: Vec<ProtocolApplication> = d
        .ranking
        .iter()
        .map(|r| ProtocolApplication {
            name: names.get(&r.application_id).cloned().unwrap_or_else(|| r.application_id.to_string()),
            totals: members
                .iter()
                .map(|m| {
                    match sheets
                        .iter()
                        .find(|s| s.data.application_id == r.application_id && s.data.member_id == m.id)
                    {
                        Some(s) => s.data.total().map_or(MemberScore::Conflict, MemberScore::Points),
                        None => MemberScore::None,
                    }
                })
                .collect(),
            mean: r.mean,
            place: r.place,
            selected: d.selected.contains(&r.application_id),
        })
        .collect();
    let region = region(store, &d.region)?;
    let present: Vec<_> = members.iter().map(|m| m.data.clone()).collect();
    let printed = printer.commission_protocol(&CommissionProtocolSheet {
        cohort: d.cohort,
        region: &region,
        decided_on: d.decided_on,
        decided_by: &d.decided_by,
        members: &present,
        applications: &applications,
        cut_off: d.cut_off,
        replaces: d.reason.as_deref(),
        lang,
    })?;
    Ok(Rendered { file_name: format!("commission-{}-{}.pdf", d.cohort, d.region), printed })
}

/// A region's scholarship payment roll for a month.
pub(super) fn scholarship_roll<'p>(
    printer: &'p Printer,
    store: &Store,
    kato: &str,
    month: &str,
    lang: PrintLang,
) -> Result<Rendered<'p>> {
    let roll = store.scholarship_roll(kato, month)?;
    let region = region(store, &roll.region)?;
    let entries: Vec<RollEntry> = roll
        .lines
        .iter()
        .map(|l| RollEntry {
            name: l.full_name.clone(),
            subproject: l.application_name.clone(),
            education: lang.each(|lg| tr(lg, l.education.message_key(), &[])),
            amount_tenge: l.amount_tenge,
        })
        .collect();
    let printed = printer.scholarship_roll(&ScholarshipRollSheet {
        month: &roll.month,
        region: &region,
        entries: &entries,
        total_tenge: roll.total_tenge,
        lang,
    })?;
    Ok(Rendered { file_name: format!("scholarships-{}-{}.pdf", roll.month, roll.region), printed })
}
