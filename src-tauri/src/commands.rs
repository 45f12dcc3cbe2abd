//! The desk's commands: adapters that read the front end's arguments, call one function of
//! korpus-store, and hand back the result or an `IpcError` in the user's language.

use crate::desk::Desk;
use crate::ipc::{DeskStatus, Home, IpcError, ListQuery, Page, Reference};
use korpus_domain::{
    ApplicationInput, Entity, HostOrg, HostOrgInput, Lang, Mentor, MentorInput, Person, PersonInput,
    SubProjectApplication,
};
use korpus_store::{ApplicationView, Record, Result as StoreResult, Store};
use tauri::State;
use uuid::Uuid;

type Reply<T> = Result<T, IpcError>;

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
#[tauri::command]
pub fn status(desk: State<'_, Desk>) -> DeskStatus {
    desk.status()
}

/// Opens or creates the database with a passphrase, when the keyring cannot be used.
#[tauri::command]
pub fn unlock(desk: State<'_, Desk>, passphrase: String) -> Reply<DeskStatus> {
    desk.unlock(&passphrase)
}

/// Switches the language and remembers it.
#[tauri::command]
pub fn set_lang(desk: State<'_, Desk>, lang: Lang) -> Reply<DeskStatus> {
    desk.set_lang(lang)
}

/// The rulebook of the current cohort, with its regions and directions.
#[tauri::command]
pub fn reference(desk: State<'_, Desk>) -> Reply<Reference> {
    desk.with_store(|s| Ok(Reference { rulebook: s.rulebook().clone() }))
}

/// The home screen.
#[tauri::command]
pub fn home(desk: State<'_, Desk>) -> Reply<Home> {
    desk.with_store(|s| Ok(Home { counts: s.counts_by_region()?, attention: s.attention()? }))
}

/// A page of persons, or those matching what the user types.
#[tauri::command]
pub fn persons(desk: State<'_, Desk>, ask: ListQuery) -> Reply<Page<Record<Person>>> {
    desk.with_store(|s| page(s, Entity::Person, &ask, Store::list_persons, Store::search_persons))
}

/// One person.
#[tauri::command]
pub fn person(desk: State<'_, Desk>, id: String) -> Reply<Record<Person>> {
    desk.with_store(|s| s.person(&id))
}

/// Registers a person (no `id`) or changes one read at `version`.
#[tauri::command]
pub fn save_person(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: PersonInput,
) -> Reply<Record<Person>> {
    desk.with_store(|s| match id {
        None => s.add_person(&input),
        Some(id) => Ok(s.edit_person(id, version.unwrap_or(1), &input)?.0),
    })
}

/// A page of host organisations, or those matching what the user types.
#[tauri::command]
pub fn host_orgs(desk: State<'_, Desk>, ask: ListQuery) -> Reply<Page<Record<HostOrg>>> {
    desk.with_store(|s| page(s, Entity::HostOrg, &ask, Store::list_host_orgs, Store::search_host_orgs))
}

/// One host organisation.
#[tauri::command]
pub fn host_org(desk: State<'_, Desk>, id: String) -> Reply<Record<HostOrg>> {
    desk.with_store(|s| s.host_org(&id))
}

/// Registers a host organisation (no `id`) or changes one read at `version`.
#[tauri::command]
pub fn save_host_org(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: HostOrgInput,
) -> Reply<Record<HostOrg>> {
    desk.with_store(|s| match id {
        None => s.add_host_org(&input),
        Some(id) => Ok(s.edit_host_org(id, version.unwrap_or(1), &input)?.0),
    })
}

/// A page of applications, or those matching what the user types (name, member's name or IIN).
#[tauri::command]
pub fn applications(desk: State<'_, Desk>, ask: ListQuery) -> Reply<Page<Record<SubProjectApplication>>> {
    desk.with_store(|s| {
        page(s, Entity::Application, &ask, Store::list_applications, Store::search_applications)
    })
}

/// One application with its group and host organisation.
#[tauri::command]
pub fn application(desk: State<'_, Desk>, id: String) -> Reply<ApplicationView> {
    desk.with_store(|s| s.application(&id))
}

/// Records an application (no `id`) or changes one read at `version`.
#[tauri::command]
pub fn save_application(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: ApplicationInput,
) -> Reply<ApplicationView> {
    desk.with_store(|s| match id {
        None => s.add_application(&input),
        Some(id) => Ok(s.edit_application(id, version.unwrap_or(1), &input)?.0),
    })
}

/// A page of mentors, or those matching what the user types.
#[tauri::command]
pub fn mentors(desk: State<'_, Desk>, ask: ListQuery) -> Reply<Page<Record<Mentor>>> {
    desk.with_store(|s| page(s, Entity::Mentor, &ask, Store::list_mentors, Store::search_mentors))
}

/// One mentor.
#[tauri::command]
pub fn mentor(desk: State<'_, Desk>, id: String) -> Reply<Record<Mentor>> {
    desk.with_store(|s| s.mentor(&id))
}

/// Registers a mentor (no `id`) or changes one read at `version`.
#[tauri::command]
pub fn save_mentor(
    desk: State<'_, Desk>,
    id: Option<Uuid>,
    version: Option<i64>,
    input: MentorInput,
) -> Reply<Record<Mentor>> {
    desk.with_store(|s| match id {
        None => s.add_mentor(&input),
        Some(id) => Ok(s.edit_mentor(id, version.unwrap_or(1), &input)?.0),
    })
}
