//! The desk's commands: adapters that read the front end's arguments, call one function of
//! korpus-app or korpus-store off the window's main thread, and hand back the result or an
//! `ErrorReport` in the user's language.

use crate::desk::Desk;
use crate::ipc::{DeskStatus, Home, ListQuery, Page, Reference, Reply};
use korpus_domain::delivery::withdrawals::WithdrawalInput;
use korpus_domain::{
    ApplicationInput, Entity, HostOrg, HostOrgInput, Lang, Mentor, MentorInput, Person, PersonInput,
    SubProjectApplication,
};
use korpus_store::{ApplicationView, Record, Result as StoreResult, Store};
use tauri::State;
use uuid::Uuid;

/// The most records one page may hold.
const PAGE_MAX: usize = 200;

/// A page of a list: a search when the query has text (as the user types), else the list in
/// alphabetical order from `offset`.
fn page<T>(
    store: &Store,
    entity: Entity,
    ask: &ListQuery,
    list: impl Fn(&Store, Option<&str>, usize, usize) -> StoreResult<Vec<T>>,
    search: impl Fn(&Store, &str, usize) -> StoreResult<Vec<T>>,
) -> StoreResult<Page<T>> {
    let limit = ask.limit.clamp(1, PAGE_MAX);
    let region = ask.region.as_deref().filter(|r| !r.is_empty());
    if ask.query.trim().is_empty() {
        Ok(Page { items: list(store, region, limit, ask.offset)?, total: store.count(entity, region)? })
    } else {
        let items = search(store, &ask.query, limit)?;
        Ok(Page { total: items.len() as i64, items })
    }
}

/// Where the desk stands.
#[tauri::command(async)]
pub fn status(desk: State<'_, Desk>) -> DeskStatus {
    desk.status()
}

/// Opens or creates the database with a passphrase, when the keyring cannot be used.
#[tauri::command(async)]
pub fn unlock(desk: State<'_, Desk>, passphrase: String) -> Reply<DeskStatus> {
    desk.unlock(&passphrase)
}

/// Opens a database this computer has no key for with its recovery code, and keeps its key.
#[tauri::command(async)]
pub fn unlock_with_recovery_code(desk: State<'_, Desk>, code: String) -> Reply<DeskStatus> {
    desk.unlock_with_recovery_code(&code)
}

/// Makes a new recovery code (the database encrypted again with its key), held to be shown.
#[tauri::command]
pub async fn new_recovery_code(desk: State<'_, Desk>) -> Reply<DeskStatus> {
    desk.new_recovery_code().await
}

/// Forgets the recovery code just made, once it is written down or printed.
#[tauri::command(async)]
pub fn forget_recovery_code(desk: State<'_, Desk>) -> DeskStatus {
    desk.forget_recovery_code()
}

/// When the database's recovery code was made (RFC 3339), or none: a database made before codes
/// existed, or one that opens with a passphrase.
#[tauri::command]
pub async fn recovery_status(desk: State<'_, Desk>) -> Reply<Option<String>> {
    desk.call(|s| s.recovery_made_at()).await
}

/// Switches the language and remembers it.
#[tauri::command(async)]
pub fn set_lang(desk: State<'_, Desk>, lang: Lang) -> Reply<DeskStatus> {
    desk.set_lang(lang)
}

/// The rulebook of the current cohort, with its regions and directions.
#[tauri::command]
pub async fn reference(desk: State<'_, Desk>) -> Reply<Reference> {
    desk.call(move |s| Ok::<_, korpus_store::StoreError>(Reference { rulebook: s.rulebook().clone() })).await
}

/// The home screen.
#[tauri::command]
pub async fn home(desk: State<'_, Desk>) -> Reply<Home> {
    desk.call(move |s| {
        Ok::<_, korpus_store::StoreError>(Home { counts: s.counts_by_region()?, attention: s.attention()? })
    })
    .await
}

/// A page of persons, or those matching what the user types.
#[tauri::command]
pub async fn persons(desk: State<'_, Desk>, ask: ListQuery) -> Reply<Page<Record<Person>>> {
    desk.call(move |s| page(s, Entity::Person, &ask, Store::list_persons, Store::search_persons)).await
}

/// One person.
#[tauri::command]
pub async fn person(desk: State<'_, Desk>, id: String) -> Reply<Record<Person>> {
    desk.call(move |s| s.person(&id)).await
}

/// Registers a person (no `id`) or changes one read at `version`.
#[tauri::command]
pub async fn save_person(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: PersonInput,
) -> Reply<Record<Person>> {
    desk.call(move |s| match id {
        None => s.add_person(&input),
        Some(id) => Ok(s.edit_person(id, version.unwrap_or(1), &input)?.0),
    })
    .await
}

/// A page of host organisations, or those matching what the user types.
#[tauri::command]
pub async fn host_orgs(desk: State<'_, Desk>, ask: ListQuery) -> Reply<Page<Record<HostOrg>>> {
    desk.call(move |s| page(s, Entity::HostOrg, &ask, Store::list_host_orgs, Store::search_host_orgs)).await
}

/// One host organisation.
#[tauri::command]
pub async fn host_org(desk: State<'_, Desk>, id: String) -> Reply<Record<HostOrg>> {
    desk.call(move |s| s.host_org(&id)).await
}

/// Registers a host organisation (no `id`) or changes one read at `version`.
#[tauri::command]
pub async fn save_host_org(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: HostOrgInput,
) -> Reply<Record<HostOrg>> {
    desk.call(move |s| match id {
        None => s.add_host_org(&input),
        Some(id) => Ok(s.edit_host_org(id, version.unwrap_or(1), &input)?.0),
    })
    .await
}

/// A page of applications, or those matching what the user types (name, member's name or IIN).
#[tauri::command]
pub async fn applications(
    desk: State<'_, Desk>,
    ask: ListQuery,
) -> Reply<Page<Record<SubProjectApplication>>> {
    desk.call(move |s| {
        page(s, Entity::Application, &ask, Store::list_applications, Store::search_applications)
    })
    .await
}

/// One application with its group and host organisation.
#[tauri::command]
pub async fn application(desk: State<'_, Desk>, id: String) -> Reply<ApplicationView> {
    desk.call(move |s| s.application(&id)).await
}

/// Records an application (no `id`) or changes one read at `version`.
#[tauri::command]
pub async fn save_application(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: ApplicationInput,
) -> Reply<ApplicationView> {
    desk.call(move |s| match id {
        None => s.add_application(&input),
        Some(id) => Ok(s.edit_application(id, version.unwrap_or(1), &input)?.0),
    })
    .await
}

/// Records that a member (`person`) or the whole group of an application left the programme;
/// the application as it now stands.
#[tauri::command]
pub async fn withdraw(
    desk: State<'_, Desk>,
    application: String,
    person: Option<String>,
    input: WithdrawalInput,
) -> Reply<ApplicationView> {
    desk.call(move |s| {
        s.withdraw(&application, person.as_deref(), &input)?;
        s.application(&application)
    })
    .await
}

/// A page of mentors, or those matching what the user types.
#[tauri::command]
pub async fn mentors(desk: State<'_, Desk>, ask: ListQuery) -> Reply<Page<Record<Mentor>>> {
    desk.call(move |s| page(s, Entity::Mentor, &ask, Store::list_mentors, Store::search_mentors)).await
}

/// One mentor.
#[tauri::command]
pub async fn mentor(desk: State<'_, Desk>, id: String) -> Reply<Record<Mentor>> {
    desk.call(move |s| s.mentor(&id)).await
}

/// Registers a mentor (no `id`) or changes one read at `version`.
#[tauri::command]
pub async fn save_mentor(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: MentorInput,
) -> Reply<Record<Mentor>> {
    desk.call(move |s| match id {
        None => s.add_mentor(&input),
        Some(id) => Ok(s.edit_mentor(id, version.unwrap_or(1), &input)?.0),
    })
    .await
}

/// Removes record `id` of `entity` (a person, application, host organisation or mentor made by
/// mistake), as read at `version`, with what belongs to it; refused, naming what still names it.
#[tauri::command]
pub async fn remove_record(desk: State<'_, Desk>, entity: Entity, id: Uuid, version: i64) -> Reply<()> {
    desk.call(move |s| s.remove_record(entity, id, version)).await
}

/// Who changed record `id` of `entity` (a person, application, host organisation or mentor), what
/// and when, with the rows that belong to it; newest first.
#[tauri::command]
pub async fn history(
    desk: State<'_, Desk>,
    entity: Entity,
    id: Uuid,
) -> Reply<Vec<korpus_store::HistoryEntry>> {
    desk.call(move |s| s.history(entity, id)).await
}
