//! `korpus history KIND ID`: who changed a record, what and when, newest first.

use crate::App;
use clap::Args;
use korpus_app::Result;
use korpus_domain::validation::{FieldError, field_label};
use korpus_domain::{Entity, ValidationErrors};
use korpus_store::{HistoryEntry, Store, local_time};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// What kind of record: person, application, host_org or mentor.
    kind: String,
    /// The record: an IIN (person, mentor), a BIN (host organisation) or an id.
    id: String,
}

/// The kinds of record with a history.
const KINDS: [Entity; 4] = [Entity::Person, Entity::Application, Entity::HostOrg, Entity::Mentor];

fn resolve(store: &Store, kind: &str, id: &str) -> Result<(Entity, Uuid)> {
    let allowed: Vec<&str> = KINDS.iter().map(|e| e.code()).collect();
    let entity = KINDS
        .into_iter()
        .find(|e| e.code() == kind.trim().replace('-', "_"))
        .ok_or_else(|| ValidationErrors::one(FieldError::unknown_value("kind", kind, &allowed)))?;
    let id = match entity {
        Entity::Person => store.person(id)?.id,
        Entity::Mentor => store.mentor(id)?.id,
        Entity::HostOrg => store.host_org(id)?.id,
        _ => store.application(id)?.application.id,
    };
    Ok((entity, id))
}

/// A field's new value as one line: text as it is, anything else as JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

pub fn run(app: &App, args: HistoryArgs) -> Result<()> {
    let store = app.store()?;
    let out = app.out;
    let (entity, id) = resolve(&store, &args.kind, &args.id)?;
    let entries: Vec<HistoryEntry> = store.history(entity, id)?;
    out.print(&entries, || {
        let rows = entries
            .iter()
            .map(|e| {
                let who = if e.here {
                    e.author.clone()
                } else {
                    out.tr("history-elsewhere", &[("author", e.author.clone())])
                };
                let fields: Vec<String> = e
                    .fields
                    .iter()
                    .map(|(k, v)| {
                        // A field no form labels (an id, a code) is shown by its name.
                        let label = field_label(out.lang, k);
                        let label = if label.starts_with("field-") { k.clone() } else { label };
                        format!("{label}: {}", value_text(v))
                    })
                    .collect();
                vec![
                    local_time(&e.at),
                    who,
                    format!("{} {}", out.tr(e.entity.message_key(), &[]), out.tr(e.op.message_key(), &[])),
                    fields.join("; "),
                ]
            })
            .collect();
        out.table(&["when", "who", "what", "fields"], rows)
    });
    Ok(())
}
