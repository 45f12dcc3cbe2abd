//! Store tests on real SQLCipher files: encryption, keys, migrations, the outbox's transaction and
//! sequence, uniqueness rules, search, scanned files.

use super::*;
use chrono::{TimeZone, Utc};
use korpus_domain::{
    ApplicationInput, DocumentInput, DocumentOwner, Entity, IdentityInput, Iin, OpKind, PersonInput, Sex,
};
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2017, 5, 2, 6, 0, 0).unwrap()))
}

pub(crate) fn new_store() -> (TempDir, Store, Arc<FixedClock>) {
    let dir = TempDir::new().unwrap();
    let clock = clock();
    let store =
        Store::create(&dir.path().join("case.db"), &DbKey::passphrase("test key"), "aigerim", clock.clone())
            .unwrap();
    (dir, store, clock)
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(crate) fn person(serial: u16, surname: &str, given: &str) -> PersonInput {
    let iin = (serial..serial + 100).find_map(|s| Iin::compose(date(1996, 5, 17), Sex::Female, s)).unwrap();
    PersonInput {
        identity: IdentityInput {
            iin: iin.to_string(),
            surname: surname.into(),
            given_name: given.into(),
            patronymic: None,
            sex: None,
            birth_date: None,
            phone: None,
            region: "550000000".into(),
            locality: "Павлодар".into(),
        },
        education: "tvet_student".into(),
        vulnerability: vec![],
        disability: false,
        income_per_member: None,
    }
}

pub(crate) fn application(members: Vec<Uuid>) -> ApplicationInput {
    ApplicationInput {
        path: "initiative_group".into(),
        leader_id: members.first().copied(),
        members,
        name: "Жасыл аула".into(),
        territory: "Павлодар".into(),
        goal: "Аула көгалдандыру".into(),
        target_group: "Жастар".into(),
        description: "Аула жасыл болады".into(),
        direction: "ecology_landscaping".into(),
        budget: "500000".into(),
        region: "550000000".into(),
        host_org_id: None,
    }
}

pub(crate) fn count(store: &Store, table: &str) -> i64 {
    store.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

#[test]
fn reopened_with_the_same_key_the_data_is_there() {
    let (dir, mut store, clock) = new_store();
    let added = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let device = store.device_id();
    drop(store);
    let store = Store::open(&dir.path().join("case.db"), &DbKey::passphrase("test key"), clock).unwrap();
    assert_eq!(store.device_id(), device);
    assert_eq!(store.person(&added.data.identity.iin.to_string()).unwrap(), added);
}

#[test]
fn wrong_key_is_a_clear_error_not_file_is_not_a_database() {
    let (dir, store, clock) = new_store();
    drop(store);
    let err = Store::open(&dir.path().join("case.db"), &DbKey::passphrase("other key"), clock).unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");
    assert_eq!(err.code(), "wrong_key");
    assert!(err.message(Lang::Kk).contains("кілт"), "{}", err.message(Lang::Kk));
    assert!(err.message(Lang::Ru).contains("ключ"), "{}", err.message(Lang::Ru));
}

use korpus_domain::Lang;

#[test]
fn file_on_disk_is_encrypted() {
    let (dir, mut store, _) = new_store();
    store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    drop(store);
    let bytes = std::fs::read(dir.path().join("case.db")).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3\0"));
    let needle = "Сәрсенбаева".as_bytes();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle), "a name is readable in the file");
}

#[test]
fn database_of_a_newer_korpus_is_refused() {
    let (dir, store, clock) = new_store();
    store.conn.pragma_update(None, "user_version", schema_version() as i64 + 1).unwrap();
    drop(store);
    let err = Store::open(&dir.path().join("case.db"), &DbKey::passphrase("test key"), clock).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerDatabase { found, supported } if found == schema_version() + 1 && supported == schema_version()),
        "{err:?}"
    );
}

/// A database as the first release left it: schema 1 (no search indexes), with `rows` run in it.
pub(crate) fn database_at_schema_one(
    path: &Path,
    key: &DbKey,
    rows: impl FnOnce(&rusqlite::Transaction<'_>),
) {
    let mut conn = connect(path, key, true).unwrap();
    migrations().unwrap().to_version(&mut conn, 1).unwrap();
    let tx = conn.transaction().unwrap();
    reference::seed(&tx, &Rulebook::pilot_2017(), true).unwrap();
    tx.execute(
        "INSERT INTO device (singleton, device_id, author, last_seq, hlc, created_at)
         VALUES (1, ?1, 'old', 0, '000000000000000-0000000000', '2017-01-01T00:00:00Z')",
        [Uuid::now_v7().to_string()],
    )
    .unwrap();
    rows(&tx);
    tx.commit().unwrap();
    assert_eq!(user_version(&conn).unwrap(), 1);
    assert!(conn.prepare("SELECT * FROM persons_fts").is_err(), "schema 1 has no search index");
}

#[test]
fn database_at_schema_one_is_migrated_and_written_to() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("old.db");
    let key = DbKey::passphrase("old key");
    database_at_schema_one(&path, &key, |_| {});
    let mut store = Store::open(&path, &key, clock()).unwrap();
    assert_eq!(user_version(&store.conn).unwrap(), schema_version());
    store.add_person(&person(1, "Құрманова", "Іңкәр")).unwrap();
    assert_eq!(store.search_persons("іңкәр", 10).unwrap().len(), 1);
    assert_eq!(store.outbox(0, 10).unwrap()[0].envelope.device_seq, 1);
}

#[test]
fn rows_written_before_the_search_index_existed_are_found() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("old.db");
    let key = DbKey::passphrase("old key");
    let iin = Iin::compose(date(1995, 1, 2), Sex::Male, 5).unwrap().to_string();
    database_at_schema_one(&path, &key, |tx| {
        tx.execute(
            "INSERT INTO persons (id, version, hlc, iin, surname, given_name, sex, birth_date, region,
                                  locality, cohort, education, vulnerability, disability)
             VALUES (?1, 1, '000000000000000-0000000000', ?2, 'Өтемісов', 'Ұлан', 'male', '1995-01-02',
                     '550000000', 'Ақсу', 2017, 'other', '[]', 0)",
            (Uuid::now_v7().to_string(), &iin),
        )
        .unwrap();
    });
    let store = Store::open(&path, &key, clock()).unwrap();
    let found = store.search_persons("ұлан өтеміс", 10).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].data.identity.iin.to_string(), iin);
}

#[test]
fn every_write_appends_its_envelope() {
    let (_dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let outbox = store.outbox(0, 10).unwrap();
    assert_eq!(outbox.len(), 1);
    let e = &outbox[0].envelope;
    assert_eq!((e.device_seq, e.device, e.author.as_str()), (1, store.device_id(), "aigerim"));
    assert_eq!(e.schema_version, schema_version() as i64);
    assert_eq!(e.rulebook_version, Rulebook::pilot_2017().version);
    assert_eq!(e.id.get_version_num(), 7);
    assert_eq!(e.ops.len(), 1);
    let op = &e.ops[0];
    assert_eq!((op.entity, op.entity_id, op.op, op.base_version), (Entity::Person, p.id, OpKind::Insert, 0));
    assert_eq!(op.fields["surname"], "Сәрсенбаева");
    assert_eq!(op.fields["iin"], p.data.identity.iin.to_string());
    assert_eq!(outbox[0].hash, envelope_hash(e).unwrap());
}

#[test]
fn edit_sends_only_the_changed_fields_with_their_base_version() {
    let (_dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let mut input = PersonInput::from(&p.data);
    input.identity.phone = Some("+7 701 555 44 33".into());
    let (edited, changed) = store.edit_person(p.id, 1, &input).unwrap();
    assert_eq!(changed, vec!["phone"]);
    assert_eq!(edited.version, 2);
    let e = &store.outbox(1, 10).unwrap()[0].envelope;
    assert_eq!((e.ops[0].op, e.ops[0].base_version), (OpKind::Update, 1));
    assert_eq!(e.ops[0].fields.len(), 1);
    assert_eq!(e.ops[0].fields["phone"], "+77015554433");
    // The same edit again changes nothing and writes no envelope.
    store.edit_person(p.id, 2, &input).unwrap();
    assert_eq!(store.outbox_len().unwrap(), 2);
}

#[test]
fn edit_based_on_an_old_version_is_refused() {
    let (_dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let mut input = PersonInput::from(&p.data);
    input.identity.locality = "Ақсу".into();
    store.edit_person(p.id, 1, &input).unwrap();
    input.identity.locality = "Екібастұз".into();
    let err = store.edit_person(p.id, 1, &input).unwrap_err();
    assert!(matches!(err, StoreError::Stale { found: 2, expected: 1, .. }), "{err:?}");
    assert_eq!(store.outbox_len().unwrap(), 2);
}

#[test]
fn failed_write_leaves_neither_row_nor_envelope() {
    let (_dir, mut store, _) = new_store();
    let valid = person(1, "Сәрсенбаева", "Әйгерім").validate(&store.context()).unwrap();
    let err = store
        .write(|w| {
            persons::insert_person(w, Uuid::now_v7(), &valid)?;
            Err::<(), _>(StoreError::Corrupt("the action failed after its first row".into()))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)));
    assert_eq!((count(&store, "persons"), store.outbox_len().unwrap()), (0, 0));
    // And the sequence did not move: the next envelope is still number 1.
    store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    assert_eq!(store.outbox(0, 10).unwrap()[0].envelope.device_seq, 1);
}

#[test]
fn invalid_person_writes_nothing() {
    let (_dir, mut store, _) = new_store();
    let mut bad = person(1, "Сәрсенбаева", "Әйгерім");
    bad.identity.iin = "960517400000".into();
    let err = store.add_person(&bad).unwrap_err();
    assert_eq!(err.fields(Lang::En)[0].field, "iin");
    assert_eq!((count(&store, "persons"), store.outbox_len().unwrap()), (0, 0));
}

#[test]
fn device_sequence_has_no_gaps_across_failures_and_reopening() {
    let (dir, mut store, clock) = new_store();
    for serial in [1, 200, 400] {
        store.add_person(&person(serial, "Ахметова", "Дана")).unwrap();
        // The same IIN again fails and must not use up a number.
        assert!(store.add_person(&person(serial, "Ахметова", "Дана")).is_err());
    }
    drop(store);
    let mut store = Store::open(&dir.path().join("case.db"), &DbKey::passphrase("test key"), clock).unwrap();
    store.add_person(&person(600, "Ахметова", "Дана")).unwrap();
    let seqs: Vec<i64> = store.outbox(0, 100).unwrap().iter().map(|e| e.envelope.device_seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
}

#[test]
fn clock_set_back_does_not_set_the_envelopes_clock_back() {
    let (_dir, mut store, clock) = new_store();
    store.add_person(&person(1, "Ахметова", "Дана")).unwrap();
    clock.set(Utc.with_ymd_and_hms(2017, 5, 1, 0, 0, 0).unwrap());
    store.add_person(&person(200, "Ахметова", "Дана")).unwrap();
    let outbox = store.outbox(0, 10).unwrap();
    assert!(outbox[1].envelope.hlc > outbox[0].envelope.hlc);
}

#[test]
fn same_iin_twice_is_refused_naming_the_holder() {
    let (_dir, mut store, _) = new_store();
    store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let err = store.add_person(&person(1, "Басқа", "Адам")).unwrap_err();
    let field = &err.fields(Lang::Kk)[0];
    assert_eq!((field.field.as_str(), field.code.as_str()), ("iin", "error-iin-taken"));
    assert!(field.message.contains("Сәрсенбаева Әйгерім"), "{}", field.message);
    assert_eq!(count(&store, "persons"), 1);
}

pub(crate) fn three_persons(store: &mut Store, first_serial: u16) -> Vec<Uuid> {
    (0..3)
        .map(|i| store.add_person(&person(first_serial + i * 200, "Оспанова", "Мөлдір")).unwrap().id)
        .collect()
}

#[test]
fn application_with_three_members_is_one_envelope_of_four_ops() {
    let (_dir, mut store, _) = new_store();
    let members = three_persons(&mut store, 1);
    let view = store.add_application(&application(members.clone())).unwrap();
    assert_eq!(view.members.len(), 3);
    assert_eq!(view.members[0].id, members[0], "leader first");
    let last = store.outbox(3, 10).unwrap();
    assert_eq!(last.len(), 1);
    let entities: Vec<Entity> = last[0].envelope.ops.iter().map(|o| o.entity).collect();
    assert_eq!(
        entities,
        [
            Entity::Application,
            Entity::ApplicationMember,
            Entity::ApplicationMember,
            Entity::ApplicationMember
        ]
    );
}

#[test]
fn person_in_another_application_is_refused_and_nothing_is_written() {
    let (_dir, mut store, _) = new_store();
    let members = three_persons(&mut store, 1);
    store.add_application(&application(members.clone())).unwrap();
    let mut others = three_persons(&mut store, 1000);
    others[2] = members[1];
    let before =
        (count(&store, "applications"), count(&store, "application_members"), store.outbox_len().unwrap());
    let err = store.add_application(&application(others)).unwrap_err();
    let field = &err.fields(Lang::En)[0];
    assert_eq!((field.field.as_str(), field.code.as_str()), ("members", "error-in-other-application"));
    assert!(field.message.contains("Жасыл аула"), "{}", field.message);
    assert_eq!(
        before,
        (count(&store, "applications"), count(&store, "application_members"), store.outbox_len().unwrap())
    );
}

#[test]
fn the_limit_of_sub_projects_per_person_comes_from_the_rulebook() {
    let (dir, mut store, clock) = new_store();
    let members = three_persons(&mut store, 1);
    store.add_application(&application(members.clone())).unwrap();
    let mut others = three_persons(&mut store, 1000);
    others[2] = members[1];
    assert!(store.add_application(&application(others.clone())).is_err());
    // A cohort whose rulebook lets a person join two sub-projects.
    store
        .conn
        .execute("UPDATE rulebooks SET body = json_set(body, '$.beneficiary.max_subprojects', 2)", [])
        .unwrap();
    drop(store);
    let mut store = Store::open(&dir.path().join("case.db"), &DbKey::passphrase("test key"), clock).unwrap();
    assert_eq!(store.rulebook().beneficiary.max_subprojects, 2);
    store.add_application(&application(others)).unwrap();
}

#[test]
fn editing_members_adds_and_removes_rows() {
    let (_dir, mut store, _) = new_store();
    let members = three_persons(&mut store, 1);
    let view = store.add_application(&application(members.clone())).unwrap();
    let newcomer = store.add_person(&person(5000, "Новикова", "Алёна")).unwrap().id;
    let mut input =
        ApplicationInput::from_application(&view.application.data, vec![members[0], members[1], newcomer]);
    input.budget = "600 000".into();
    let (after, changed) = store.edit_application(view.application.id, 1, &input).unwrap();
    assert_eq!(changed, vec!["budget", "members"]);
    let ids: Vec<Uuid> = after.members.iter().map(|m| m.id).collect();
    assert!(ids.contains(&newcomer) && !ids.contains(&members[2]));
    let ops: Vec<OpKind> = store.outbox(5, 10).unwrap()[0].envelope.ops.iter().map(|o| o.op).collect();
    assert_eq!(ops, [OpKind::Update, OpKind::Delete, OpKind::Insert]);
    // The removed member is free again for another group.
    assert!(store.add_application(&application(vec![members[2], newcomer, members[0]])).is_err());
}

#[test]
fn search_finds_kazakh_and_russian_names_in_any_case_and_order() {
    let (_dir, mut store, _) = new_store();
    let aigerim = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    store.add_person(&person(200, "Ёлкина", "Алёна")).unwrap();
    store.add_person(&person(400, "Құрманова", "Іңкәр")).unwrap();
    for query in ["әйгерім", "ӘЙГЕРІМ", "Сәрс Әйг", "әйгерім сәрсенбаева", "  сәрсенбаева,  "]
    {
        let found = store.search_persons(query, 10).unwrap();
        assert_eq!(found.len(), 1, "{query}");
        assert_eq!(found[0].id, aigerim.id, "{query}");
    }
    assert_eq!(store.search_persons("ІҢКӘР ҚҰРМАН", 10).unwrap().len(), 1);
    assert_eq!(store.search_persons("елкина", 10).unwrap().len(), 1, "е finds ё");
    assert_eq!(store.search_persons("Сәрсенбаева Алёна", 10).unwrap().len(), 0);
    assert_eq!(store.search_persons("\"*)(", 10).unwrap().len(), 0);
}

#[test]
fn search_by_iin_prefix_and_by_name_with_iin() {
    let (_dir, mut store, _) = new_store();
    let a = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let iin = a.data.identity.iin.to_string();
    assert_eq!(store.search_persons("960517", 10).unwrap().len(), 1);
    assert_eq!(store.search_persons(&iin, 10).unwrap()[0].id, a.id);
    assert_eq!(store.search_persons("960518", 10).unwrap().len(), 0);
    assert_eq!(store.search_persons("әйгерім 9605", 10).unwrap().len(), 1);
    assert_eq!(store.search_persons("әйгерім 9606", 10).unwrap().len(), 0);
}

#[test]
fn applications_are_found_by_name_and_by_member() {
    let (_dir, mut store, _) = new_store();
    let members = three_persons(&mut store, 1);
    store.add_application(&application(members)).unwrap();
    let member_iin = store.list_persons(None, 1, 0).unwrap()[0].data.identity.iin.to_string();
    assert_eq!(store.search_applications("жасыл", 10).unwrap().len(), 1);
    assert_eq!(store.search_applications("оспанова", 10).unwrap().len(), 1);
    assert_eq!(store.search_applications(&member_iin[..8], 10).unwrap().len(), 1);
    assert_eq!(store.search_applications("спорт", 10).unwrap().len(), 0);
}

#[test]
fn scanned_file_is_kept_once_encrypted_and_read_back_whole() {
    let (dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let scan = b"%PDF-1.4 unemployment status certificate: SECRET-MARKER-42".repeat(100);
    let input =
        DocumentInput { kind: "unemployment_status".into(), issue_date: "01.03.2017".into(), note: None };
    let file = DocumentFile { name: "status.pdf", bytes: &scan };
    let first = store.add_document(DocumentOwner::Person, p.id, &input, Some(file)).unwrap();
    store.add_document(DocumentOwner::Person, p.id, &input, Some(file)).unwrap();
    assert_eq!(count(&store, "blobs"), 1);
    let sha = first.data.file_sha256.clone().unwrap();
    assert_eq!(store.scanned_file(&sha).unwrap(), scan);
    assert_eq!(store.documents_of(DocumentOwner::Person, p.id).unwrap().len(), 2);
    drop(store);
    let bytes = std::fs::read(dir.path().join("case.db")).unwrap();
    let wal = std::fs::read(dir.path().join("case.db-wal")).unwrap_or_default();
    for content in [bytes, wal] {
        assert!(!content.windows(16).any(|w| w == b"SECRET-MARKER-42"), "the scan is readable on disk");
    }
}

#[test]
fn a_scan_attached_by_mistake_is_removed_and_the_removal_travels() {
    let (_dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let input = DocumentInput { kind: "income".into(), issue_date: "01.03.2017".into(), note: None };
    let scan = b"\x89PNG\r\n\x1a\n income".to_vec();
    let file = DocumentFile { name: "income.png", bytes: &scan };
    let document = store.add_document(DocumentOwner::Person, p.id, &input, Some(file)).unwrap();
    let sent = count(&store, "outbox");
    // Read at an older version, the removal is refused and nothing goes.
    assert!(matches!(store.remove_document(document.id, 2), Err(StoreError::Stale { .. })));
    store.remove_document(document.id, document.version).unwrap();
    assert!(store.documents_of(DocumentOwner::Person, p.id).unwrap().is_empty());
    assert_eq!(count(&store, "outbox"), sent + 1);
    let last = store.outbox(sent, 10).unwrap().pop().unwrap().envelope;
    assert_eq!((last.ops[0].entity, last.ops[0].op), (Entity::Document, OpKind::Delete));
    // The scan itself stays for the insert still waiting to be sent.
    assert_eq!(store.scanned_file(document.data.file_sha256.as_deref().unwrap()).unwrap(), scan);
    assert!(matches!(store.remove_document(document.id, document.version), Err(StoreError::NotFound { .. })));
}

#[test]
fn a_file_that_is_not_what_its_name_says_is_named_and_not_stored() {
    let (_dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let input = DocumentInput { kind: "income".into(), issue_date: "01.03.2017".into(), note: None };
    let before = (count(&store, "documents"), count(&store, "blobs"), count(&store, "outbox"));
    let renamed = DocumentFile { name: "справка.pdf", bytes: b"MZ\x90\0 a program renamed" };
    let err = store.add_document(DocumentOwner::Person, p.id, &input, Some(renamed)).unwrap_err();
    let field = &err.fields(Lang::Ru)[0];
    assert_eq!(field.field, "file");
    assert!(field.text.contains("справка.pdf") && field.text.contains("PDF"), "{}", field.text);
    let big = vec![b'%'; korpus_domain::registry::documents::SCAN_MAX_BYTES + 1];
    let err = store
        .add_document(
            DocumentOwner::Person,
            p.id,
            &input,
            Some(DocumentFile { name: "big.pdf", bytes: &big }),
        )
        .unwrap_err();
    assert!(err.fields(Lang::En)[0].text.contains("big.pdf is larger than 20 MB"));
    assert_eq!((count(&store, "documents"), count(&store, "blobs"), count(&store, "outbox")), before);
}

#[test]
fn mentors_document_on_a_person_is_refused() {
    let (_dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let input =
        DocumentInput { kind: "no_criminal_record".into(), issue_date: "01.03.2017".into(), note: None };
    let err = store.add_document(DocumentOwner::Person, p.id, &input, None).unwrap_err();
    assert_eq!(err.fields(Lang::En)[0].field, "kind");
    assert_eq!(count(&store, "documents"), 0);
}

#[test]
fn lists_follow_the_kazakh_alphabet_from_the_index() {
    let (_dir, mut store, _) = new_store();
    for (serial, surname, given) in [
        (1, "Ахметов", "Ілияс"),
        (200, "Ахметов", "Абылай"),
        (400, "Үмбетов", "Ерлан"),
        (600, "Ұзақов", "Дана"),
    ] {
        store.add_person(&person(serial, surname, given)).unwrap();
    }
    let names: Vec<String> =
        store.list_persons(None, 10, 0).unwrap().iter().map(|p| p.data.identity.full_name()).collect();
    assert_eq!(names, ["Ахметов Абылай", "Ахметов Ілияс", "Ұзақов Дана", "Үмбетов Ерлан"]);
    let region_names: Vec<String> = store
        .list_persons(Some("550000000"), 2, 1)
        .unwrap()
        .iter()
        .map(|p| p.data.identity.full_name())
        .collect();
    assert_eq!(region_names, ["Ахметов Ілияс", "Ұзақов Дана"]);
    // A page of 100,000 persons must not sort them all: the plan walks the index.
    for region in [None, Some("550000000")] {
        let filter = if region.is_some() { "region = ?1" } else { "?1 IS NULL" };
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT id FROM persons WHERE {filter}
             ORDER BY surname COLLATE kazakh, given_name COLLATE kazakh, rid LIMIT 50"
        );
        let plan: Vec<String> = store
            .conn
            .prepare(&sql)
            .unwrap()
            .query_map([region], |r| r.get(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(plan.iter().all(|step| !step.contains("TEMP B-TREE")), "{plan:?}");
    }
}

#[test]
fn attention_counts_what_is_left_to_do() {
    let (_dir, mut store, _) = new_store();
    let members = three_persons(&mut store, 1);
    store.add_person(&person(5000, "Новикова", "Алёна")).unwrap();
    store.add_application(&application(members)).unwrap();
    let a = store.attention().unwrap();
    assert_eq!((a.unsynced_changes, a.persons_without_group), (5, 1));
    assert_eq!((a.host_orgs_unanswered, a.mentors_awaiting_screening), (0, 0));
    assert_eq!(store.count(Entity::Person, None).unwrap(), 4);
    assert_eq!(store.count(Entity::Person, Some("550000000")).unwrap(), 4);
    assert_eq!(store.count(Entity::Person, Some("190000000")).unwrap(), 0);
}

#[test]
fn a_case_reads_its_conflicts_and_records_and_a_side_is_mine_or_theirs() {
    use crate::{Keep, SyncCase};
    let id = Uuid::now_v7();
    let case = SyncCase {
        id,
        kind: "conflict".into(),
        status: "open".into(),
        details: serde_json::json!({
            "conflicts": [{ "entity": "person", "entity_id": id, "field": "phone", "base_version": 1,
                            "theirs": "+77011111111", "mine": "+77022222222" }],
            "rows": [id],
        }),
        opened_at: "2026-11-25T00:00:00Z".into(),
    };
    let conflicts = case.conflicts();
    assert_eq!(conflicts.len(), 1);
    assert_eq!((conflicts[0].field.as_str(), conflicts[0].mine.as_str()), ("phone", Some("+77022222222")));
    assert_eq!(case.records(), [id]);
    assert_eq!(Keep::parse("keep", " mine ").unwrap(), Keep::Mine);
    assert_eq!(Keep::parse("keep", "theirs").unwrap(), Keep::Theirs);
    let err = Keep::parse("keep", "both").unwrap_err();
    assert!(err.message(korpus_domain::Lang::En).contains("both"), "{err:?}");
}

#[test]
fn a_cohort_is_screened_once_and_again_only_where_the_facts_changed() {
    use korpus_domain::rules::{RuleCode, Subject, Verdict};
    let (_dir, mut store, _) = new_store();
    let members = three_persons(&mut store, 500);
    let view = store.add_application(&application(members.clone())).unwrap();
    let id = view.application.id;

    let lines = store.screen_cohort(2017).unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (lines[0].subject, lines[0].result, lines[0].new),
        (Subject::Application, Verdict::Pass, true)
    );
    assert_eq!(count(&store, "screenings"), 1);
    let envelopes = count(&store, "outbox");

    // Nothing changed: the screening stands, nothing is written.
    let again = store.screen_cohort(2017).unwrap();
    assert!(!again[0].new);
    assert_eq!((count(&store, "screenings"), count(&store, "outbox")), (1, envelopes));

    // The group loses a member: screened again, and GROUP_SIZE fails with its evidence.
    let mut input = application(members[..2].to_vec());
    input.leader_id = Some(members[0]);
    let err = store.edit_application(id, 1, &input).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "the form refuses two members: {err}");
    let mut input = application(members.clone());
    input.name = "Жасыл аула 2".into();
    store.edit_application(id, 1, &input).unwrap();
    let third = store.screen_cohort(2017).unwrap();
    assert!(third[0].new);
    let newest = store.latest_screening(Subject::Application, id).unwrap().unwrap();
    assert_eq!(newest.data.evaluation.inputs["application"]["name"], "Жасыл аула 2");
    assert_eq!(newest.data.evaluation.check(&Rulebook::pilot_2017()), Ok(()));
    assert_eq!(count(&store, "screenings"), 2);

    // Explaining records nothing and names every rule.
    let explained = store.explain(Subject::Application, &id.to_string()).unwrap();
    assert!(explained.outcomes.iter().any(|o| o.code == RuleCode::GroupSize && o.verdict == Verdict::Pass));
    assert_eq!(count(&store, "screenings"), 2);

    // A cohort this desk does not run is named as the wrong field.
    let err = store.screen_cohort(2018).unwrap_err();
    let StoreError::Invalid(errors) = err else { panic!("{err}") };
    assert!(errors.has("cohort"));
}

#[test]
fn a_person_in_two_applications_fails_screening_of_the_later_one() {
    use korpus_domain::rules::{RuleCode, Subject, Verdict};
    let (_dir, mut store, _) = new_store();
    let members = three_persons(&mut store, 600);
    let first = store.add_application(&application(members.clone())).unwrap().application.id;
    // The store refuses the same person twice, but sync can bring such a pair from two desks:
    // the second application is written around the store's check, as a pulled row would be.
    let more = three_persons(&mut store, 700);
    let second = store.add_application(&application(more.clone())).unwrap().application.id;
    store
        .conn
        .execute(
            "INSERT INTO application_members (id, version, hlc, application_id, person_id, region)
             VALUES (?1, 1, '0', ?2, ?3, '550000000')",
            (Uuid::now_v7().to_string(), second.to_string(), members[0].to_string()),
        )
        .unwrap();
    let later = store.explain(Subject::Application, &second.to_string()).unwrap();
    let broken: Vec<_> = later
        .outcomes
        .iter()
        .filter(|o| o.code == RuleCode::PersonOneSubproject && o.verdict == Verdict::Fail)
        .collect();
    assert_eq!(broken.len(), 1, "{:#?}", later.outcomes);
    assert_eq!(broken[0].evidence["others"], first.to_string());
    assert_eq!(later.result, Verdict::Fail);
    let earlier = store.explain(Subject::Application, &first.to_string()).unwrap();
    assert_eq!(earlier.result, Verdict::Warn);
}

pub(crate) fn score_input(store: &Store, each: u32) -> korpus_domain::selection::commission::ScoreInput {
    korpus_domain::selection::commission::ScoreInput {
        points: store
            .rulebook()
            .commission
            .criteria
            .iter()
            .map(|c| (c.code.clone(), each.to_string()))
            .collect(),
        conflict_of_interest: false,
    }
}

pub(crate) fn member(store: &mut Store, name: &str, role: &str) -> Uuid {
    let input = korpus_domain::selection::commission::CommissionMemberInput {
        region: "550000000".into(),
        full_name: name.into(),
        position: None,
        role: role.into(),
    };
    store.add_commission_member(&input).unwrap().id
}

pub(crate) fn field_of(err: StoreError) -> String {
    match err {
        StoreError::Invalid(e) => e.0[0].field.to_owned(),
        other => panic!("not a field error: {other}"),
    }
}

#[test]
fn the_commission_ranks_decides_and_the_lottery_draws_once_per_region() {
    use korpus_domain::selection::lottery::Arm;
    let (_dir, mut store, _) = new_store();
    let apps: Vec<Uuid> = (0..4)
        .map(|i| {
            let members = three_persons(&mut store, 1000 + i * 7);
            store.add_application(&application(members)).unwrap().application.id
        })
        .collect();
    let chair = member(&mut store, "Ахметова Сәуле", "chair");
    let second = member(&mut store, "Ержанов Болат", "member");
    let third = member(&mut store, "Ким Ольга", "member");
    let secretary = member(&mut store, "Нұрланова Дана", "secretary");

    // Nothing is scored before technical screening.
    let err =
        store.record_score(&apps[0].to_string(), &chair.to_string(), &score_input(&store, 5)).unwrap_err();
    assert_eq!(field_of(err), "application");
    store.screen_cohort(2017).unwrap();
    let err = store
        .record_score(&apps[0].to_string(), &secretary.to_string(), &score_input(&store, 5))
        .unwrap_err();
    assert_eq!(field_of(err), "member");

    // Application i scores 2 + 2i per criterion from every member; the first gets a corrected sheet.
    for (i, app) in apps.iter().enumerate() {
        for m in [chair, second, third] {
            store.record_score(&app.to_string(), &m.to_string(), &score_input(&store, 1)).unwrap();
            store
                .record_score(&app.to_string(), &m.to_string(), &score_input(&store, 2 + 2 * i as u32))
                .unwrap();
        }
    }
    assert_eq!(count(&store, "scores"), 12);
    let ranking = store.ranking("550000000").unwrap();
    let order: Vec<Uuid> = ranking.lines.iter().map(|l| l.ranked.application_id).collect();
    assert_eq!(order, [apps[3], apps[2], apps[1], apps[0]]);
    assert_eq!(ranking.lines[0].ranked.mean, Some(40.0));

    let decide = |cut_off: &str, reason: Option<&str>| CommissionDecisionInput {
        region: "550000000".into(),
        cut_off: cut_off.into(),
        decided_on: "02.05.2017".into(),
        decided_by: "Ахметова Сәуле".into(),
        reason: reason.map(Into::into),
    };
    assert_eq!(store.application(&apps[3].to_string()).unwrap().decided, None);
    let first = store.decide_commission(&decide("top:2", None)).unwrap();
    assert_eq!(first.data.selected, [apps[3], apps[2]]);

    // Once decided, who is in a group, its region, path and budget are fixed: each refused and
    // named with the decision, nothing written; the rest may still be corrected.
    let view = store.application(&apps[3].to_string()).unwrap();
    let decided = view.decided.clone().expect("the decision is named");
    assert_eq!((decided.decided_on, decided.decided_by.as_str()), (date(2017, 5, 2), "Ахметова Сәуле"));
    let members: Vec<Uuid> = view.members.iter().map(|m| m.id).collect();
    let base = view.application.version;
    let as_is = ApplicationInput::from_application(&view.application.data, members.clone());
    let rows_before = (count(&store, "application_members"), count(&store, "outbox"));
    let extra = store.add_person(&person(1900, "Сәрсенова", "Әйгерім")).unwrap().id;
    let rows_before = (rows_before.0, rows_before.1 + 1);
    let mut swapped = as_is.clone();
    swapped.members[2] = extra;
    let err = store.edit_application(apps[3], base, &swapped).unwrap_err();
    let StoreError::Invalid(errors) = err else { panic!("{err}") };
    assert_eq!(errors.0.len(), 1);
    assert_eq!((errors.0[0].field, errors.0[0].key), ("members", "error-fixed-by-decision"));
    let said = errors.0[0].message(korpus_domain::Lang::Kk);
    assert!(said.contains("02.05.2017") && said.contains("Ахметова Сәуле"), "{said}");
    let mut moved = as_is.clone();
    moved.budget = "400000".into();
    moved.region = "190000000".into();
    let err = store.edit_application(apps[3], base, &moved).unwrap_err();
    let StoreError::Invalid(errors) = err else { panic!("{err}") };
    let fields: Vec<(&str, &str)> = errors.0.iter().map(|e| (e.field, e.key)).collect();
    assert!(fields.contains(&("budget", "error-budget-fixed-by-decision")), "{fields:?}");
    assert!(fields.contains(&("region", "error-fixed-by-decision")), "{fields:?}");
    assert!(
        errors
            .0
            .iter()
            .find(|e| e.field == "budget")
            .unwrap()
            .message(korpus_domain::Lang::En)
            .contains("grant contract")
    );
    assert_eq!((count(&store, "application_members"), count(&store, "outbox")), rows_before);
    let mut renamed = as_is.clone();
    renamed.name = "Жасыл аула 2".into();
    let (after, changed) = store.edit_application(apps[3], base, &renamed).unwrap();
    assert_eq!((after.application.data.name.as_str(), changed), ("Жасыл аула 2", vec!["name".to_owned()]));
    // Ranked but not selected is decided too.
    let view = store.application(&apps[0].to_string()).unwrap();
    let mut dropped = ApplicationInput::from_application(
        &view.application.data,
        view.members.iter().map(|m| m.id).collect(),
    );
    dropped.members.pop();
    assert_eq!(
        field_of(store.edit_application(apps[0], view.application.version, &dropped).unwrap_err()),
        "members"
    );
    assert_eq!(first.data.scores.len(), 12);
    // A second decision must say why; the sheets are closed once a decision stands.
    assert_eq!(field_of(store.decide_commission(&decide("top:3", None)).unwrap_err()), "reason");
    let err =
        store.record_score(&apps[0].to_string(), &chair.to_string(), &score_input(&store, 9)).unwrap_err();
    assert_eq!(field_of(err), "application");
    let decision =
        store.decide_commission(&decide("top:3", Some("the budget allows a third group"))).unwrap();
    assert_eq!(decision.data.supersedes, Some(first.id));
    assert_eq!(store.ranking("550000000").unwrap().decision.unwrap().id, decision.id);

    let draw = |seed: &str, reason: Option<&str>| LotteryDrawInput {
        region: "550000000".into(),
        seed: seed.into(),
        drawn_on: "02.05.2017".into(),
        drawn_by: "Сейітов Нұрлан".into(),
        reason: reason.map(Into::into),
    };
    assert_eq!(field_of(store.draw_lottery(&draw("", None)).unwrap_err()), "seed");
    let lottery = store.draw_lottery(&draw("17 04 33 08", None)).unwrap();
    assert_eq!(lottery.data.decision_id, decision.id);
    assert_eq!(lottery.data.draw.assignments.len(), 3);
    let id = lottery.id.to_string();
    assert!(store.verify_lottery(&id).unwrap().discrepancies.is_empty());
    let balance = store.lottery_balance(&id).unwrap();
    assert_eq!(balance.arms.iter().map(|a| a.groups).sum::<u32>(), 3);
    assert_eq!(balance.arms.iter().map(|a| a.persons).sum::<u32>(), 9);
    assert!(balance.arms.iter().all(|a| a.women == 1.0 || a.groups == 0));

    // Indicators: 12 applicants, 9 of them beneficiaries, all women.
    let indicators = store.indicators(2017).unwrap();
    assert_eq!((indicators.total.applicants.people, indicators.total.beneficiaries.people), (12, 9));
    assert_eq!(indicators.total.beneficiaries.women, 9);

    // The draw is not redone silently; a new one gives its reason and becomes the one that counts.
    assert_eq!(field_of(store.draw_lottery(&draw("другой", None)).unwrap_err()), "reason");
    let redraw = store.draw_lottery(&draw("другой", Some("the first seed was read wrongly"))).unwrap();
    assert_eq!(redraw.data.supersedes, Some(lottery.id));
    assert_eq!(store.arms(2017).unwrap(), redraw.data.arms());
    assert_eq!(store.lotteries(2017).unwrap().len(), 2);

    // The draw is of korpus-lottery/2: a person swapped into a drawn group behind the desk's back
    // (the store refuses it) is named by verification, in and out.
    assert_eq!(redraw.data.draw.algorithm, "korpus-lottery/2");
    assert!(redraw.data.input.units.iter().all(|u| u.members.len() == 3));
    let outsider: String = store
        .conn
        .query_row(
            "SELECT id FROM persons WHERE id NOT IN (SELECT person_id FROM application_members m
             JOIN applications a ON a.id = m.application_id WHERE a.id IN (SELECT value FROM json_each(?1)))
             LIMIT 1",
            [serde_json::to_string(&redraw.data.arms().keys().collect::<Vec<_>>()).unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let group = redraw.data.input.units[0].application_id;
    let (row, left): (String, String) = store
        .conn
        .query_row(
            "SELECT m.id, p.iin FROM application_members m JOIN persons p ON p.id = m.person_id
             WHERE m.application_id = ?1 LIMIT 1",
            [group.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    store
        .conn
        .execute("UPDATE application_members SET person_id = ?1 WHERE id = ?2", (&outsider, &row))
        .unwrap();
    let came: String =
        store.conn.query_row("SELECT iin FROM persons WHERE id = ?1", [&outsider], |r| r.get(0)).unwrap();
    let check = store.verify_lottery(&redraw.id.to_string()).unwrap();
    use korpus_domain::selection::lottery::Discrepancy;
    assert!(
        check.discrepancies.contains(&Discrepancy::MemberAdded { application_id: group, iin: came.clone() }),
        "{check:?}"
    );
    assert!(
        check
            .discrepancies
            .contains(&Discrepancy::MemberRemoved { application_id: group, iin: left.clone() }),
        "{check:?}"
    );
    assert!(
        check.messages.iter().any(|m| m.kk.contains(&came) && m.ru.contains("не было при жеребьёвке")),
        "{check:?}"
    );
    store.conn.execute("UPDATE application_members SET person_id = (SELECT id FROM persons WHERE iin = ?1) WHERE id = ?2", (&left, &row)).unwrap();
    assert!(store.verify_lottery(&redraw.id.to_string()).unwrap().discrepancies.is_empty());

    // An arm changed in the database behind the desk's back is named by verification.
    let mut forged = redraw.data.draw.clone();
    forged.assignments[0].arm = if forged.assignments[0].arm == Arm::A { Arm::B } else { Arm::A };
    store
        .conn
        .execute(
            "UPDATE lotteries SET draw = ?1 WHERE id = ?2",
            (serde_json::to_string(&forged).unwrap(), redraw.id.to_string()),
        )
        .unwrap();
    let check = store.verify_lottery(&redraw.id.to_string()).unwrap();
    assert!(
        check
            .discrepancies
            .iter()
            .any(|d| matches!(d, korpus_domain::selection::lottery::Discrepancy::Arm { .. })),
        "{check:?}"
    );
    let said = check.messages.iter().find(|m| m.en.contains("when drawn again")).expect("the arm is named");
    assert!(said.kk.contains("тобы: жазылғаны") && said.ru.contains("при повторном расчёте"), "{said:?}");
}

#[test]
fn a_mentor_is_screened_interviewed_and_decided_in_order() {
    use korpus_domain::MentorStage;
    use korpus_domain::selection::decisions::{DecisionInput, MentorInterviewInput};
    let (_dir, mut store, _) = new_store();
    let iin = (1..100).find_map(|s| Iin::compose(date(1985, 3, 9), Sex::Male, s)).unwrap();
    let mut identity = person(1, "Серікбаев", "Дәурен").identity;
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
    let key = mentor.id.to_string();
    let interview = MentorInterviewInput {
        held_on: "02.05.2017".into(),
        interviewer: "Жұмабаева Гүлнар".into(),
        notes: None,
        outcome: "passed".into(),
    };
    // Not screened yet: the interview waits.
    assert_eq!(field_of(store.record_interview(&key, &interview).unwrap_err()), "mentor");
    // Without the documents the screening fails and the mentor stays "applied".
    store.screen_cohort(2017).unwrap();
    assert_eq!(store.mentor(&key).unwrap().data.stage, MentorStage::Applied);
    for kind in &store.rulebook().documents.mentor.clone() {
        let input = DocumentInput { kind: kind.code().into(), issue_date: "01.04.2017".into(), note: None };
        store.add_document(DocumentOwner::Mentor, mentor.id, &input, None).unwrap();
    }
    store.screen_cohort(2017).unwrap();
    assert_eq!(store.mentor(&key).unwrap().data.stage, MentorStage::Screened);
    store.record_interview(&key, &interview).unwrap();
    assert_eq!(store.mentor(&key).unwrap().data.stage, MentorStage::Interviewed);
    let decision = DecisionInput {
        decided_on: "02.05.2017".into(),
        decided_by: "Ахметова Сәуле".into(),
        outcome: "selected".into(),
        notes: None,
    };
    store.decide_mentor(&key, &decision).unwrap();
    assert_eq!(store.mentor(&key).unwrap().data.stage, MentorStage::Selected);
    assert_eq!(field_of(store.decide_mentor(&key, &decision).unwrap_err()), "mentor");
    let selection = store.mentor_selection(mentor.id).unwrap();
    assert_eq!((selection.interviews.len(), selection.decision.is_some()), (1, true));
}

#[test]
fn a_host_org_is_decided_once_and_a_selected_one_signs_its_memorandum() {
    use korpus_domain::selection::decisions::DecisionInput;
    use korpus_domain::{Bin, HostOrgCriteria, HostOrgInput};
    let (_dir, mut store, _) = new_store();
    let yes = Some(true);
    let input = HostOrgInput {
        bin: (0..100).find_map(|s| Bin::compose(12, 3, 4, 0, s)).unwrap().to_string(),
        name: "«Жастар ордасы» қоғамдық бірлестігі".into(),
        org_type: "non_commercial".into(),
        region: "550000000".into(),
        locality: "Павлодар".into(),
        registration_date: "15.03.2012".into(),
        head_name: Some("Серікбаев Нұрлан".into()),
        accountant_name: Some("Ким Ольга".into()),
        phone: None,
        criteria: HostOrgCriteria {
            registered_in_region: yes,
            charter_matches: yes,
            youth_experience: yes,
            head_and_accountant: yes,
            no_debts: yes,
            not_unscrupulous: yes,
            documents_complete: yes,
        },
    };
    let org = store.add_host_org(&input).unwrap();
    let key = org.id.to_string();
    let selected = DecisionInput {
        decided_on: "28.04.2017".into(),
        decided_by: "Ахметова Сәуле".into(),
        outcome: "selected".into(),
        notes: None,
    };
    assert_eq!(field_of(store.decide_host_org(&key, &selected).unwrap_err()), "host_org");
    for kind in &store.rulebook().documents.host_org.clone() {
        let doc = DocumentInput { kind: kind.code().into(), issue_date: "01.04.2017".into(), note: None };
        store.add_document(DocumentOwner::HostOrg, org.id, &doc, None).unwrap();
    }
    store.screen_cohort(2017).unwrap();
    store.decide_host_org(&key, &selected).unwrap();
    assert_eq!(field_of(store.decide_host_org(&key, &selected).unwrap_err()), "host_org");
    assert_eq!(field_of(store.record_memorandum(&key, "14-М", "27.04.2017").unwrap_err()), "memorandum_date");
    let signed = store.record_memorandum(&key, "14-М", "29.04.2017").unwrap();
    assert_eq!(signed.version, 2);
    assert_eq!(
        field_of(store.record_memorandum(&key, "15-М", "30.04.2017").unwrap_err()),
        "memorandum_number"
    );
    let list = store.selected_host_orgs(2017).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].memorandum_number.as_deref(), list[0].memorandum_date),
        (Some("14-М"), Some(date(2017, 4, 29)))
    );
}

#[test]
fn a_disability_counts_towards_its_own_target_and_not_as_vulnerable() {
    let (_dir, mut store, _) = new_store();
    let mut with_disability = person(2100, "Жақсыбекова", "Арай");
    with_disability.disability = true;
    let mut neet = person(2300, "Омарова", "Дина");
    neet.vulnerability = vec!["neet".into()];
    let members = vec![
        store.add_person(&with_disability).unwrap().id,
        store.add_person(&neet).unwrap().id,
        store.add_person(&person(2500, "Сейітова", "Әсел")).unwrap().id,
    ];
    store.add_application(&application(members)).unwrap();
    let applicants = store.indicators(2017).unwrap().total.applicants;
    assert_eq!((applicants.people, applicants.vulnerable, applicants.disability), (3, 1, 1));
    let shares = store.indicators(2017).unwrap().shares;
    let share = |name: &str| shares.iter().find(|s| s.indicator == name).unwrap().actual_percent;
    assert_eq!((share("vulnerable"), share("disability")), (Some(33.3), Some(33.3)));
}

#[test]
fn a_persons_history_names_who_changed_what_here_and_on_another_desk() {
    let (_dir, mut store, _) = new_store();
    let p = store.add_person(&person(1, "Сәрсенбаева", "Әйгерім")).unwrap();
    let mut input = person(1, "Сәрсенбаева", "Әйгерім");
    input.identity.phone = Some("+7 701 111 2233".into());
    store.edit_person(p.id, p.version, &input).unwrap();
    let doc = DocumentInput { kind: "income".into(), issue_date: "01.03.2017".into(), note: None };
    let document = store.add_document(DocumentOwner::Person, p.id, &doc, None).unwrap();
    store.remove_document(document.id, document.version).unwrap();
    // Another desk changes the locality; HQ brings the row as it stands after.
    let mut fields = store.all_rows().unwrap().into_iter().find(|r| r.id == p.id).unwrap().fields;
    fields.insert("locality".into(), serde_json::json!("Екібастұз"));
    let other = Uuid::now_v7();
    let change = IncomingChange {
        server_seq: 7,
        envelope_id: Uuid::now_v7(),
        device: other,
        author: "Нұрлан (Екібастұз)".into(),
        hlc: "001493800000000-0000000000".into(),
        rows: vec![IncomingRow { entity: Entity::Person, id: p.id, version: 3, deleted: false, fields }],
    };
    store.apply_pull(&[change], 7, &[]).unwrap();
    // Another person's record is not in it.
    store.add_person(&person(300, "Омарова", "Дана")).unwrap();

    let history = store.history(Entity::Person, p.id).unwrap();
    let seen: Vec<(Entity, OpKind, bool, Vec<&str>)> = history
        .iter()
        .map(|e| (e.entity, e.op, e.here, e.fields.keys().map(String::as_str).collect()))
        .collect();
    assert_eq!(seen.len(), 5, "{seen:?}");
    // Newest first: the other desk's clock (2017-05-03) is after this desk's fixed 2017-05-02.
    assert_eq!(seen[0], (Entity::Person, OpKind::Update, false, vec!["locality"]));
    assert_eq!((history[0].author.as_str(), history[0].device), ("Нұрлан (Екібастұз)", other));
    assert_eq!(history[0].at, "2017-05-03T08:26:40Z");
    assert_eq!((seen[1].0, seen[1].1), (Entity::Document, OpKind::Delete));
    assert_eq!((seen[2].0, seen[2].1), (Entity::Document, OpKind::Insert));
    assert_eq!(seen[3], (Entity::Person, OpKind::Update, true, vec!["phone"]));
    assert_eq!(history[3].fields["phone"], serde_json::json!("+77011112233"));
    assert_eq!((seen[4].0, seen[4].1, seen[4].2), (Entity::Person, OpKind::Insert, true));
    assert!(history[1..].iter().all(|e| e.author == "aigerim" && e.at == "2017-05-02T06:00:00Z"));
}

#[test]
fn a_page_that_names_what_this_desk_lacks_or_removes_what_it_still_names_is_held_and_the_rest_applies() {
    // Another desk's records: three persons, a sub-project with all three as members.
    let (_dir, mut source, _) = new_store();
    let members: Vec<Uuid> = [(100, "Серікова"), (200, "Ахметов"), (300, "Бекова")]
        .into_iter()
        .map(|(serial, name)| source.add_person(&person(serial, name, "Әсел")).unwrap().id)
        .collect();
    source.add_application(&application(members.clone())).unwrap();
    let rows = source.all_rows().unwrap();
    let of = |entity: Entity| -> Vec<IncomingRow> {
        rows.iter().filter(|r| r.entity == entity).cloned().collect()
    };
    let page = |seq: i64, rows: Vec<IncomingRow>| IncomingChange {
        server_seq: seq,
        envelope_id: Uuid::now_v7(),
        device: Uuid::now_v7(),
        author: "other".into(),
        hlc: "001493800000000-0000000000".into(),
        rows,
    };
    let count = |store: &Store, entity: Entity| {
        store.all_rows().unwrap().iter().filter(|r| r.entity == entity).count()
    };

    let (_dir2, mut desk, _) = new_store();
    let enrolment = SyncEnrolment {
        server_url: "https://hq".into(),
        account: "north".into(),
        regions: vec!["550000000".into()],
        all_regions: false,
        hq_public_key: None,
        hq_certificate: None,
    };
    desk.set_enrolment(&enrolment).unwrap();
    let cursor = |desk: &Store| desk.sync_state().unwrap().map(|s| s.cursor);
    // The members first, alone: they name a sub-project and persons this desk does not have.
    desk.apply_pull(&[page(1, of(Entity::ApplicationMember))], 1, &[]).unwrap();
    assert_eq!(cursor(&desk), Some(1));
    assert_eq!(count(&desk, Entity::ApplicationMember), 0);
    let held = desk.held_rows().unwrap();
    assert_eq!(held.len(), 3, "{held:?}");
    assert!(
        held.iter().all(|h| h.entity == "application_member" && h.reason.starts_with("missing:")),
        "{held:?}"
    );

    // The sub-project and its persons arrive: the held members are placed.
    let mut rest = of(Entity::Person);
    rest.extend(of(Entity::Application));
    desk.apply_pull(&[page(2, rest)], 2, &[]).unwrap();
    assert_eq!(count(&desk, Entity::ApplicationMember), 3);
    assert!(desk.held_rows().unwrap().is_empty());

    // A person removed at HQ while a member here still names them: kept, the removal held.
    let mut gone = of(Entity::Person).into_iter().find(|r| r.id == members[2]).unwrap();
    gone.deleted = true;
    gone.version = 2;
    desk.apply_pull(&[page(3, vec![gone.clone()])], 3, &[]).unwrap();
    assert_eq!(cursor(&desk), Some(3));
    assert!(desk.person(&members[2].to_string()).is_ok());
    let held = desk.held_rows().unwrap();
    assert_eq!(held.len(), 1);
    assert!(held[0].deleted && held[0].reason.starts_with("named:application_member:"), "{held:?}");

    // The membership goes too: the held removal is placed after it.
    let mut member = of(Entity::ApplicationMember)
        .into_iter()
        .find(|r| r.fields["person_id"] == serde_json::json!(members[2]))
        .unwrap();
    member.deleted = true;
    member.version = 2;
    desk.apply_pull(&[page(4, vec![member])], 4, &[]).unwrap();
    assert!(desk.person(&members[2].to_string()).is_err());
    assert_eq!(count(&desk, Entity::ApplicationMember), 2);
    assert!(desk.held_rows().unwrap().is_empty());
}

#[test]
fn a_record_made_by_mistake_is_removed_with_what_belongs_to_it_and_kept_while_anything_else_names_it() {
    let (_dir, mut store, _) = new_store();
    let members: Vec<Uuid> = [(100, "Серікова"), (200, "Ахметов"), (300, "Бекова")]
        .into_iter()
        .map(|(serial, name)| store.add_person(&person(serial, name, "Әсел")).unwrap().id)
        .collect();
    let app = store.add_application(&application(members.clone())).unwrap().application;
    let doc = DocumentInput { kind: "income".into(), issue_date: "01.03.2017".into(), note: None };
    store.add_document(DocumentOwner::Person, members[1], &doc, None).unwrap();

    // A member of a group: kept, and the refusal says what names them, in each language.
    let p = store.person(&members[1].to_string()).unwrap();
    let Err(StoreError::Invalid(errors)) = store.remove_record(Entity::Person, p.id, p.version) else {
        panic!("a member was removed")
    };
    assert_eq!(errors.0[0].field, "record");
    assert!(
        errors.render(Lang::En).contains("other records name it: group memberships (1)"),
        "{}",
        errors.render(Lang::En)
    );
    assert!(errors.render(Lang::Kk).contains("топқа мүшелік"), "{}", errors.render(Lang::Kk));
    assert!(errors.render(Lang::Ru).contains("участие в группах"));

    // The application goes with its members, as one envelope; then the person, with their document.
    let before = store.unsent(1000).unwrap().len();
    store.remove_record(Entity::Application, app.id, app.version).unwrap();
    assert!(store.application(&app.id.to_string()).is_err());
    let envelope = store.unsent(1000).unwrap().pop().unwrap().envelope;
    assert_eq!(store.unsent(1000).unwrap().len(), before + 1);
    let removed: Vec<(Entity, OpKind)> = envelope.ops.iter().map(|o| (o.entity, o.op)).collect();
    assert_eq!(removed.iter().filter(|(e, _)| *e == Entity::ApplicationMember).count(), 3);
    assert_eq!(removed.last(), Some(&(Entity::Application, OpKind::Delete)));
    store.remove_record(Entity::Person, p.id, p.version).unwrap();
    assert!(store.person(&p.id.to_string()).is_err());
    assert!(store.documents_of(DocumentOwner::Person, p.id).unwrap().is_empty());
    // A stale version is refused; a kind kept on record cannot be removed.
    let other = store.person(&members[0].to_string()).unwrap();
    assert!(matches!(
        store.remove_record(Entity::Person, other.id, other.version + 1),
        Err(StoreError::Stale { .. })
    ));
    assert!(matches!(store.remove_record(Entity::Screening, other.id, 1), Err(StoreError::Invalid(_))));
}

fn revision(version: &str, cohort: i32, age_max: u32) -> Rulebook {
    let mut r = Rulebook::pilot_2017();
    r.version = version.into();
    r.cohort = cohort;
    r.beneficiary.age_max = age_max;
    r
}

#[test]
fn a_published_rulebook_of_a_later_cohort_becomes_current_and_stays_after_reopening() {
    let (dir, mut store, clock) = new_store();
    let born_1986 = |serial| {
        let mut p = person(serial, "Омарова", "Гүлнар");
        let iin =
            (serial..serial + 100).find_map(|s| Iin::compose(date(1986, 6, 1), Sex::Female, s)).unwrap();
        p.identity.iin = iin.to_string();
        p
    };
    assert!(store.add_person(&born_1986(10)).is_err(), "30 is too old by the pilot's rulebook");
    let next = revision("2018-cohort.1", 2018, 30);
    let adopted = store.adopt_rulebook(&next).unwrap();
    assert!(adopted.current && adopted.for_its_cohort);
    assert_eq!(store.rulebook(), &next);
    let added = store.add_person(&born_1986(10)).unwrap();
    assert_eq!(store.outbox(0, 100).unwrap().last().unwrap().envelope.rulebook_version, "2018-cohort.1");
    // An earlier revision of the same cohort is kept for its decisions, not worked by.
    let earlier = revision("2018-cohort.0", 2018, 29);
    let kept = store.adopt_rulebook(&earlier).unwrap();
    assert!(!kept.current && !kept.for_its_cohort);
    assert_eq!(store.rulebook().version, "2018-cohort.1");
    // A later revision of an earlier cohort moves that cohort, not the current one.
    let pilot_5 = revision("2017-pilot.5", 2017, 29);
    let moved = store.adopt_rulebook(&pilot_5).unwrap();
    assert!(moved.for_its_cohort && !moved.current);
    assert_eq!(store.cohort_rulebook(2017).unwrap(), "2017-pilot.5");
    // A version names one rulebook: other numbers under it are refused, named.
    let taken = store.adopt_rulebook(&revision("2018-cohort.1", 2018, 31)).unwrap_err();
    assert!(taken.message(korpus_domain::Lang::En).contains("2018-cohort.1 is already on this desk"));
    drop(store);
    // Opened again (the built-in seeding runs): the published ones stay as they were.
    let store = Store::open(&dir.path().join("case.db"), &DbKey::passphrase("test key"), clock).unwrap();
    assert_eq!(store.rulebook().version, "2018-cohort.1");
    assert_eq!(store.cohort_rulebook(2017).unwrap(), "2017-pilot.5");
    assert_eq!(store.kept_rulebooks().unwrap().len(), 4);
    assert!(store.person(&added.id.to_string()).is_ok());
}
