//! The holes a probe found in the sync, each closed and kept closed: forged rows, shadowing
//! pushes, answers that leak another region's records, input answered "try again" for ever.
//! Real parts: PostgreSQL, a korpus-hq process, HTTP, SQLCipher desks, the session keyring.

use korpus_domain::Envelope;
use korpus_sync::protocol::{OwnChanges, PushRequest, Receipt, ReceiptStatus, SealedEnvelope, codes};
use korpus_sync_tests::{Desk, Error, Hq, regions, unsent_sealed};
use serde_json::{Value, json};
use uuid::Uuid;

/// `desk`'s first unsent envelope (a new person), as a forger would start from it.
fn first_unsent(desk: &Desk) -> Result<Envelope, Error> {
    Ok(unsent_sealed(&desk.store)?.into_iter().next().ok_or("nothing unsent")?.envelope)
}

/// `e` with a new id, sequence number and row id, and `field` set to `value`, sealed.
fn forged(e: &Envelope, device_seq: i64, field: &str, value: Value) -> SealedEnvelope {
    let mut e = e.clone();
    e.id = Uuid::now_v7();
    e.device_seq = device_seq;
    e.ops[0].entity_id = Uuid::now_v7();
    e.ops[0].fields.insert(field.to_owned(), value);
    SealedEnvelope { hash: e.hash(), envelope: e }
}

async fn push(desk: &Desk, envelopes: Vec<SealedEnvelope>) -> Result<Vec<Receipt>, Error> {
    let client = desk.client.clone().ok_or("not enrolled")?;
    Ok(client.push(&PushRequest { envelopes }).await?.0.receipts)
}

/// The code and message of a refusal, or what came instead.
fn refusal(r: &Receipt) -> (ReceiptStatus, Option<&str>, &str) {
    (r.status, r.code.as_deref(), r.message.as_deref().unwrap_or_default())
}

#[tokio::test]
async fn hq_checks_every_row_as_the_desks_form_does_for_staff_devices_too() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut staff = Desk::enrolled(&hq, "hq").await?;
    north.add_person(500, "Серікова", &r1)?;
    staff.add_person(501, "Ахметов", &r1)?;
    let template = first_unsent(&north)?;
    let receipts = push(
        &north,
        vec![
            forged(&template, 100, "surname", json!("Ә".repeat(100_000))),
            forged(&template, 101, "income_per_member", json!(-1)),
            forged(&template, 102, "locality", json!("  ")),
        ],
    )
    .await?;
    let named: Vec<_> = receipts.iter().map(refusal).collect();
    assert_eq!(named[0].0, ReceiptStatus::Rejected);
    assert_eq!(named[0].1, Some(codes::INVALID_FIELD));
    assert!(named[0].2.contains("surname"), "{named:?}");
    assert!(named[1].2.contains("income_per_member"), "{named:?}");
    assert!(named[2].2.contains("locality"), "{named:?}");

    // A staff device may write every region the programme has, and no other.
    let template = first_unsent(&staff)?;
    let receipts = push(&staff, vec![forged(&template, 100, "region", json!("999999999"))]).await?;
    let (status, code, message) = refusal(&receipts[0]);
    assert_eq!((status, code), (ReceiptStatus::Rejected, Some(codes::INVALID_FIELD)));
    assert!(message.contains("region") && message.contains("999999999"), "{message}");
    // An envelope of a rulebook HQ does not know is refused, naming it.
    let mut unknown = forged(&template, 101, "surname", json!("Ахметов")).envelope;
    unknown.rulebook_version = "2099-future.1".into();
    let receipts = push(&staff, vec![SealedEnvelope { hash: unknown.hash(), envelope: unknown }]).await?;
    assert!(refusal(&receipts[0]).2.contains("2099-future.1"), "{receipts:?}");

    // None of it is a row; the genuine persons still sync.
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows").await?, 0);
    north.sync().await?;
    staff.sync().await?;
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person'").await?, 2);
    Ok(())
}

#[tokio::test]
async fn a_push_with_a_wrong_hash_shadows_nothing_and_fails_no_batch() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    north.add_person(500, "Серікова", &r1)?;
    north.add_person(501, "Ахметов", &r1)?;
    let genuine = unsent_sealed(&north.store)?;
    assert_eq!(genuine.len(), 2);
    // The first envelope with a wrong hash, then one with a wrong hash and the sequence number of
    // an envelope of the same batch, between good ones: each refused, the batch answered.
    let mut wrong = genuine[0].clone();
    wrong.hash = "0".repeat(64);
    let mut reused = genuine[1].clone();
    reused.envelope.id = Uuid::now_v7();
    let receipts = push(&north, vec![wrong.clone(), genuine[1].clone(), reused]).await?;
    let codes_given: Vec<_> = receipts.iter().map(|r| (r.status, r.code.as_deref())).collect();
    assert_eq!(
        codes_given,
        [
            (ReceiptStatus::Rejected, Some(codes::HASH_MISMATCH)),
            (ReceiptStatus::Applied, None),
            (ReceiptStatus::Rejected, Some(codes::HASH_MISMATCH)),
        ]
    );
    assert_eq!(hq.query_i64("SELECT count(*) FROM receipts").await?, 1);
    // The genuine envelope with the id the wrong one used is applied, and the desk's own sync
    // leaves nothing unsent.
    let receipts = push(&north, vec![genuine[0].clone()]).await?;
    assert_eq!(receipts[0].status, ReceiptStatus::Applied, "{receipts:?}");
    north.sync().await?;
    assert!(unsent_sealed(&north.store)?.is_empty());
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person'").await?, 2);
    Ok(())
}

#[tokio::test]
async fn another_region_learns_nothing_from_replays_or_duplicates() -> Result<(), Error> {
    let (r1, r2, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut south = Desk::enrolled(&hq, "south").await?;
    let a = north.add_person(500, "Серікова", &r1)?;
    let sent = unsent_sealed(&north.store)?;
    north.sync().await?;
    // South replays north's envelope: refused as another device's, with no server number.
    let receipts = push(&south, sent).await?;
    assert_eq!(refusal(&receipts[0]).1, Some(codes::WRONG_DEVICE));
    assert_eq!(receipts[0].server_seq, None);

    // The same IIN registered in south: each desk's case names its own row and counts the other.
    let b = south.add_person(500, "Серікова", &r2)?;
    south.sync().await?;
    north.sync().await?;
    for (desk, mine) in [(&north, a), (&south, b)] {
        let cases = desk.store.sync_cases()?;
        assert_eq!(cases.len(), 1, "{cases:?}");
        assert_eq!(cases[0].kind, "duplicate_iin");
        assert_eq!(cases[0].details["rows"], json!([mine]), "{cases:?}");
        assert_eq!(cases[0].details["elsewhere"], json!(1));
    }
    // HQ staff see both.
    let staff = Desk::enrolled(&hq, "hq").await?;
    let mut staff = staff;
    staff.sync().await?;
    let rows = staff.store.sync_cases()?[0].details["rows"].as_array().cloned().unwrap_or_default();
    assert!(rows.contains(&json!(a)) && rows.contains(&json!(b)), "{rows:?}");
    Ok(())
}

#[tokio::test]
async fn an_enrolment_that_fails_every_time_is_a_4xx_never_a_503() -> Result<(), Error> {
    let hq = Hq::start().await?;
    let code = hq.code("north")?;
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{}/v1/enrol", hq.url()))
        .json(&json!({
            "code": code, "device_id": Uuid::now_v7(), "device_name": "Ноутбук\u{0}",
            "public_key": "ab".repeat(32),
        }))
        .send()
        .await?;
    assert_eq!(answer.status().as_u16(), 400);
    let body: Value = answer.json().await?;
    assert_eq!(body["code"], json!(codes::BAD_PARAMETER));
    assert!(body["message"].as_str().unwrap_or_default().contains("device_name"), "{body}");
    // The code was not spent.
    let answer = http
        .post(format!("{}/v1/enrol", hq.url()))
        .json(&json!({
            "code": code, "device_id": Uuid::now_v7(), "device_name": "Ноутбук",
            "public_key": "ab".repeat(32),
        }))
        .send()
        .await?;
    assert_eq!(answer.status().as_u16(), 200, "{:?}", answer.text().await);
    Ok(())
}

#[tokio::test]
async fn no_envelope_leaves_a_dangling_link_and_a_desk_holds_one_it_still_receives() -> Result<(), Error> {
    use korpus_domain::{Entity, Op, OpKind};
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let leader = north.add_person(500, "Серікова", &r1)?;
    let person = north.add_person(600, "Ахметов", &r1)?;
    let third = north.add_person(700, "Бекова", &r1)?;
    north.sync().await?;

    // A member whose person HQ does not have, and one whose sub-project HQ does not have.
    let member = |person: Uuid, application: Uuid| Op {
        entity: Entity::ApplicationMember,
        entity_id: Uuid::now_v7(),
        op: OpKind::Insert,
        base_version: 0,
        fields: serde_json::Map::from_iter([
            ("application_id".to_owned(), json!(application)),
            ("person_id".to_owned(), json!(person)),
            ("region".to_owned(), json!(r1)),
        ]),
    };
    let mut template = first_unsent_or_new(&mut north, &r1)?;
    let seal = |e: &mut Envelope, seq: i64, ops: Vec<Op>| {
        e.id = Uuid::now_v7();
        e.device_seq = seq;
        e.ops = ops;
        SealedEnvelope { hash: e.hash(), envelope: e.clone() }
    };
    let ghost = seal(&mut template, 100, vec![member(Uuid::now_v7(), Uuid::now_v7())]);
    let receipts = push(&north, vec![ghost]).await?;
    let (status, code, message) = refusal(&receipts[0]);
    assert_eq!((status, code), (ReceiptStatus::Rejected, Some(codes::UNKNOWN_ROW)));
    assert!(message.contains("application_id") || message.contains("person_id"), "{message}");

    // A sub-project with both persons, then the removal of a person who is still its member.
    let app = north.add_application_of(&[leader, person, third], &r1)?;
    north.sync().await?;
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'application_member'").await?, 3);
    let remove = Op {
        entity: Entity::Person,
        entity_id: person,
        op: OpKind::Delete,
        base_version: 1,
        fields: Default::default(),
    };
    let receipts = push(&north, vec![seal(&mut template, 101, vec![remove])]).await?;
    let (status, code, message) = refusal(&receipts[0]);
    assert_eq!((status, code), (ReceiptStatus::Rejected, Some(codes::INVALID_TRANSITION)));
    assert!(message.contains("application_member") && message.contains("person_id"), "{message}");
    assert_eq!(
        hq.query_i64(&format!("SELECT count(*) FROM rows WHERE id = '{person}' AND NOT deleted")).await?,
        1
    );

    // A dangling member HQ took before it checked links reaches a new desk of the region: the
    // desk holds it, applies the rest and names it; its pulls go on.
    let device = north.store.device_id();
    let dangling = Uuid::now_v7();
    let ghost_person = Uuid::now_v7();
    let inserted = hq
        .query_i64(&format!(
            "WITH h AS (UPDATE sync_head SET server_seq = server_seq + 1 RETURNING server_seq),
             e AS (INSERT INTO envelopes (server_seq, id, device, device_seq, hash, author, body, via)
                   SELECT server_seq, '{}', '{device}', 9999, 'old', 'before the fix', '{{}}', 'online' FROM h
                   RETURNING server_seq),
             c AS (INSERT INTO row_changes (server_seq, entity, id, region, version, deleted, fields)
                   SELECT server_seq, 'application_member', '{dangling}', '{r1}', 1, false,
                     '{{\"application_id\": \"{app}\", \"person_id\": \"{ghost_person}\", \"region\": \"{r1}\"}}'
                   FROM e RETURNING 1)
             SELECT count(*) FROM c",
            Uuid::now_v7()
        ))
        .await?;
    assert_eq!(inserted, 1);
    let mut fresh = Desk::enrolled(&hq, "north").await?;
    fresh.sync().await?;
    let held = fresh.store.held_rows()?;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!((held[0].entity.as_str(), held[0].id.clone()), ("application_member", dangling.to_string()));
    assert_eq!(held[0].reason, format!("missing:person:{ghost_person}"));
    let state = fresh.store.sync_state()?.ok_or("not enrolled")?;
    assert_eq!(state.cursor, hq.query_i64("SELECT server_seq FROM sync_head").await?);
    // Everything else arrived: the four persons (the forger's template added one), the
    // sub-project and its three members.
    let rows = fresh.store.all_rows()?;
    assert_eq!(rows.iter().filter(|r| r.entity == Entity::ApplicationMember).count(), 3);
    assert_eq!(rows.iter().filter(|r| r.entity == Entity::Person).count(), 4);
    // The next sync goes through as well, the row still held; the command line names it.
    fresh.sync().await?;
    assert_eq!(fresh.store.held_rows()?.len(), 1);
    let status = std::process::Command::new(korpus_sync_tests::binary("korpus")?)
        .args(["sync", "status"])
        .env("KORPUS_DB", fresh.db_path())
        .env("KORPUS_DB_KEY", "test")
        .env("KORPUS_LANG", "kk")
        .output()?;
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert!(text.contains("Орнына қойылуын күтетін жазбалар (1)"), "{text}");
    assert!(text.contains(&dangling.to_string()) && text.contains(&ghost_person.to_string()), "{text}");
    assert!(text.contains("топ мүшесі") && text.contains("қатысушы"), "{text}");
    Ok(())
}

/// `desk`'s first unsent envelope, after adding a person to make one when nothing waits.
fn first_unsent_or_new(desk: &mut Desk, region: &str) -> Result<Envelope, Error> {
    if unsent_sealed(&desk.store)?.is_empty() {
        desk.add_person(900, "Омарова", region)?;
    }
    first_unsent(desk)
}

#[tokio::test]
async fn an_answer_not_signed_by_hq_is_refused_and_the_desk_keeps_its_unsent_changes() -> Result<(), Error> {
    use korpus_app::AppError;
    use korpus_sync::file::{self, ANSWER_FORMAT, ANSWER_VERSION, AnswerFile, SignedExport};
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut village = Desk::enrolled(&hq, "north").await?;
    // The desk got HQ's key at enrolment: the one HQ's capabilities name.
    let hq_key = village.store.sync_state()?.and_then(|s| s.hq_public_key).ok_or("no HQ key")?;
    let capabilities = korpus_app::sync::Client::new(&hq.url(), None)?.capabilities().await?;
    assert_eq!(capabilities.hq_public_key.as_deref(), Some(hq_key.as_str()));
    village.add_person(500, "Серікова", &r1)?;
    village.add_person(600, "Ахметов", &r1)?;
    let sent = unsent_sealed(&village.store)?;

    // An answer marking both applied, made without HQ's key: refused, both still wait.
    let forged = AnswerFile {
        format: ANSWER_FORMAT.into(),
        version: ANSWER_VERSION,
        device: village.store.device_id(),
        receipts: sent
            .iter()
            .enumerate()
            .map(|(i, s)| Receipt {
                id: s.envelope.id,
                device_seq: s.envelope.device_seq,
                status: ReceiptStatus::Applied,
                server_seq: Some(i as i64 + 1),
                code: None,
                message: None,
                conflicts: Vec::new(),
                rows: Vec::new(),
            })
            .collect(),
        changes: Vec::new(),
        cursor: 2,
        head: 2,
        cases: Vec::new(),
        blocks: Vec::new(),
        device_seq: None,
    };
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let bytes = file::write_answer(&forged, &stranger)?;
    let refused = korpus_app::sync::import_answer(&mut village.store, &bytes);
    assert!(matches!(&refused, Err(e @ AppError::Sync(_)) if e.code() == "SYNC_NOT_FROM_HQ"), "{refused:?}");
    assert!(
        refused
            .as_ref()
            .err()
            .map(|e| e.message(korpus_domain::Lang::Kk))
            .unwrap_or_default()
            .contains("қолтаңба")
    );
    assert_eq!(village.store.sync_state()?.map(|s| s.unsent), Some(2));

    // HQ's genuine answer to the export, edited on its way (its cursor moved): refused too.
    let dir = tempfile::TempDir::new()?;
    let (export, answer) = (dir.path().join("north.korpus"), dir.path().join("north.answer"));
    std::fs::write(&export, korpus_app::sync::export_file(&village.store)?.0)?;
    hq.admin(&["import", &export.display().to_string(), "--answer", &answer.display().to_string()])?;
    let genuine = std::fs::read(&answer)?;
    let mut signed: SignedExport = serde_json::from_slice(&zstd::decode_all(genuine.as_slice())?)?;
    signed.payload = signed.payload.replacen("\"cursor\":2", "\"cursor\":1", 1);
    let edited = zstd::encode_all(serde_json::to_vec(&signed)?.as_slice(), 3)?;
    assert!(korpus_app::sync::import_answer(&mut village.store, &edited).is_err());
    assert_eq!(village.store.sync_state()?.map(|s| s.unsent), Some(2));
    // The genuine one is taken, with a block of certificate numbers for a desk that syncs only
    // by file (it had none from HQ, so its export asked).
    assert_eq!(village.store.hq_numbers_left(2017)?, 0);
    let report = korpus_app::sync::import_answer(&mut village.store, &genuine)?;
    assert_eq!(village.store.sync_state()?.map(|s| (s.unsent, s.cursor)), Some((0, 2)));
    assert_eq!(report.numbers_reserved, u64::from(korpus_app::sync::NUMBERS_BLOCK));
    assert_eq!(village.store.hq_numbers_left(2017)?, korpus_app::sync::NUMBERS_BLOCK);
    assert_eq!(hq.query_i64("SELECT count(*) FROM certificate_blocks").await?, 1);

    // Online, a page is believed only with HQ's signature: a client holding another key refuses.
    let token = korpus_app::secrets::load_token(village.store.device_id())?.ok_or("no token")?;
    let wrong_key = hex::encode(stranger.verifying_key().to_bytes());
    let client = korpus_app::sync::Client::new(&hq.url(), Some(token))?.with_hq_key(Some(wrong_key));
    let pulled = client.pull(0, 10, OwnChanges::Full).await;
    assert!(matches!(pulled, Err(korpus_app::sync::ClientError::NotFromHq)), "{pulled:?}");
    assert!(village.client.clone().ok_or("not enrolled")?.pull(0, 10, OwnChanges::Full).await.is_ok());
    Ok(())
}

#[tokio::test]
async fn a_hole_in_a_desks_numbering_or_a_number_used_twice_is_a_case_on_its_desk() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    for (serial, name) in [(500, "Серікова"), (600, "Ахметов"), (700, "Бекова")] {
        north.add_person(serial, name, &r1)?;
    }
    let sent = unsent_sealed(&north.store)?;
    let open = |kind: &str| format!("SELECT count(*) FROM cases WHERE kind = '{kind}' AND status = 'open'");
    // The second envelope lost on its way: a hole, its number named.
    push(&north, vec![sent[0].clone(), sent[2].clone()]).await?;
    assert_eq!(hq.query_i64(&open("device_seq_gap")).await?, 1);
    assert_eq!(
        hq.query_i64("SELECT (details -> 'missing' ->> 0)::int8 FROM cases WHERE kind = 'device_seq_gap'")
            .await?,
        sent[1].envelope.device_seq
    );
    // It comes: the hole is closed, the case resolved.
    push(&north, vec![sent[1].clone()]).await?;
    assert_eq!(hq.query_i64(&open("device_seq_gap")).await?, 0);

    // A desk restored from an older copy numbers a new change 3 again: refused, and a case.
    let mut again = forged(&sent[2].envelope, sent[2].envelope.device_seq, "locality", json!("Ақсу"));
    again.envelope.ops[0].fields.insert("iin".into(), sent[2].envelope.ops[0].fields["iin"].clone());
    again.hash = again.envelope.hash();
    let receipts = push(&north, vec![again]).await?;
    assert_eq!(refusal(&receipts[0]).1, Some(codes::SEQ_REUSED));
    assert_eq!(hq.query_i64(&open("device_seq_reused")).await?, 1);
    north.sync().await?;
    let panel = korpus_app::sync::panel(&north.store)?;
    let case = panel.cases.iter().find(|c| c.kind == "device_seq_reused").ok_or("no case on the desk")?;
    assert_eq!(case.sequence.as_ref().map(|s| s.numbers.clone()), Some(vec![sent[2].envelope.device_seq]));
    Ok(())
}

#[tokio::test]
async fn a_removal_travels_as_one_envelope_hq_checks_and_every_desk_of_the_region_follows()
-> Result<(), Error> {
    use korpus_domain::Entity;
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut other = Desk::enrolled(&hq, "north").await?;
    let members: Vec<Uuid> = [(500, "Серікова"), (600, "Ахметов"), (700, "Бекова")]
        .into_iter()
        .map(|(serial, name)| north.add_person(serial, name, &r1))
        .collect::<Result<_, _>>()?;
    let app = north.add_application_of(&members, &r1)?;
    north.sync().await?;
    other.sync().await?;
    let count = |desk: &Desk, entity: Entity| -> Result<usize, Error> {
        Ok(desk.store.all_rows()?.iter().filter(|r| r.entity == entity).count())
    };
    assert_eq!(count(&other, Entity::ApplicationMember)?, 3);

    // The application goes with its group; then its leader, whom nothing names any more.
    let version = north.store.application(&app.to_string())?.application.version;
    north.store.remove_record(Entity::Application, app, version)?;
    let leader = north.store.person(&members[0].to_string())?;
    north.store.remove_record(Entity::Person, leader.id, leader.version)?;
    let report = north.sync().await?;
    assert_eq!((report.applied, report.rejected), (2, 0), "{report:?}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE deleted").await?, 5);
    other.sync().await?;
    assert_eq!(count(&other, Entity::Application)?, 0);
    assert_eq!(count(&other, Entity::ApplicationMember)?, 0);
    assert_eq!(count(&other, Entity::Person)?, 2);
    assert!(other.store.held_rows()?.is_empty());
    assert_eq!(other.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn a_person_who_moves_oblast_leaves_the_old_regions_desks_and_an_edit_sent_late_is_a_case()
-> Result<(), Error> {
    use korpus_domain::{Entity, Op, OpKind};
    let (r1, r2, _) = regions();
    let hq = Hq::start().await?;
    let mut staff = Desk::enrolled(&hq, "hq").await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut late = Desk::enrolled(&hq, "north").await?;
    let mut south = Desk::enrolled(&hq, "south").await?;
    let mover = north.add_person(500, "Серікова", &r1)?;
    let members: Vec<Uuid> = [(600, "Ахметов"), (700, "Бекова"), (800, "Омарова")]
        .into_iter()
        .map(|(serial, name)| north.add_person(serial, name, &r1))
        .collect::<Result<_, _>>()?;
    north.add_application_of(&members, &r1)?;
    for desk in [&mut north, &mut late, &mut south, &mut staff] {
        desk.sync().await?;
    }
    // A desk of the old region edits the person and does not sync yet.
    let current = late.store.person(&mover.to_string())?;
    let mut input = korpus_domain::PersonInput::from(&current.data);
    input.identity.phone = Some("+77017654321".into());
    late.store.edit_person(mover, current.version, &input)?;

    // HQ staff move the person to the other region; a member of a group cannot move alone.
    let move_op = |id: Uuid, version: i64| Op {
        entity: Entity::Person,
        entity_id: id,
        op: OpKind::Update,
        base_version: version,
        fields: serde_json::Map::from_iter([("region".to_owned(), json!(r2))]),
    };
    let mut template = first_unsent_or_new(&mut staff, &r1)?;
    staff.sync().await?;
    let seal = |e: &mut Envelope, seq: i64, ops: Vec<Op>| {
        e.id = Uuid::now_v7();
        e.device_seq = seq;
        e.ops = ops;
        SealedEnvelope { hash: e.hash(), envelope: e.clone() }
    };
    let seq = template.device_seq + 1;
    let receipts = push(&staff, vec![seal(&mut template, seq, vec![move_op(members[1], 1)])]).await?;
    let (status, code, message) = refusal(&receipts[0]);
    assert_eq!((status, code), (ReceiptStatus::Rejected, Some(codes::INVALID_TRANSITION)), "{message}");
    assert!(message.contains("application_member"), "{message}");
    let receipts = push(&staff, vec![seal(&mut template, seq + 1, vec![move_op(mover, 1)])]).await?;
    assert_eq!(receipts[0].status, ReceiptStatus::Applied, "{receipts:?}");

    // The old region's desk lets it go; the new region's desk gets it.
    north.sync().await?;
    assert!(north.store.person(&mover.to_string()).is_err());
    south.sync().await?;
    assert_eq!(south.store.person(&mover.to_string())?.data.identity.region, r2);
    // The late edit reaches HQ after the move: refused as moved, kept as a case for both regions.
    let report = late.sync().await?;
    assert_eq!(report.rejected, 1, "{report:?}");
    assert!(late.store.person(&mover.to_string()).is_err());
    south.sync().await?;
    for desk in [&late, &south] {
        let panel = korpus_app::sync::panel(&desk.store)?;
        let case = panel.cases.iter().find(|c| c.kind == "moved_row_edit").ok_or("no case")?;
        assert_eq!(case.moved, Some((r1.clone(), r2.clone())));
    }
    let case: Value = {
        let cases = south.store.sync_cases()?;
        cases.into_iter().find(|c| c.kind == "moved_row_edit").map(|c| c.details).ok_or("no case")?
    };
    assert_eq!(case["fields"][0]["phone"], json!("+77017654321"));
    for (desk, region) in [(&north, &r1), (&late, &r1), (&south, &r2)] {
        assert_eq!(desk.state_hash()?, hq.state_hash(&[region])?);
        assert!(desk.store.held_rows()?.is_empty());
    }
    Ok(())
}

#[tokio::test]
async fn a_change_hq_refuses_is_taken_back_on_the_desk_that_made_it() -> Result<(), Error> {
    use korpus_domain::Entity;
    let (r1, r2, _) = regions();
    let hq = Hq::start().await?;
    let mut staff = Desk::enrolled(&hq, "hq").await?;
    let mut builder = Desk::enrolled(&hq, "north").await?;
    let mut remover = Desk::enrolled(&hq, "north").await?;
    let members: Vec<Uuid> = [(500, "Серікова"), (600, "Ахметов"), (700, "Бекова")]
        .into_iter()
        .map(|(serial, name)| builder.add_person(serial, name, &r1))
        .collect::<Result<_, _>>()?;
    builder.add_application_of(&members, &r1)?;
    let loner = builder.add_person(800, "Омарова", &r1)?;
    for desk in [&mut builder, &mut remover, &mut staff] {
        desk.sync().await?;
    }

    // HQ staff move a group's member alone to the other region: the desk takes it, HQ refuses
    // it, and the desk puts the person back as HQ holds them.
    let member = staff.store.person(&members[1].to_string())?;
    let mut input = korpus_domain::PersonInput::from(&member.data);
    input.identity.region = r2.clone();
    staff.store.edit_person(member.id, member.version, &input)?;
    let report = staff.sync().await?;
    assert_eq!(report.rejected, 1, "{report:?}");
    let member = staff.store.person(&members[1].to_string())?;
    assert_eq!((member.data.identity.region.as_str(), member.version), (r1.as_str(), 1));
    assert_eq!(staff.state_hash()?, hq.state_hash(&[&r1, &r2])?);

    // One desk puts a person into a new group while another, not knowing it, removes the
    // person: HQ refuses the removal (a member names the person), and the remover gets the
    // person back, with the group from its pull.
    let others = [builder.add_person(900, "Жұмабаев", &r1)?, builder.add_person(901, "Ерланова", &r1)?];
    builder.add_application_of(&[loner, others[0], others[1]], &r1)?;
    builder.sync().await?;
    let person = remover.store.person(&loner.to_string())?;
    remover.store.remove_record(Entity::Person, loner, person.version)?;
    assert!(remover.store.person(&loner.to_string()).is_err());
    let report = remover.sync().await?;
    assert_eq!((report.applied, report.rejected), (0, 1), "{report:?}");
    assert_eq!(remover.store.person(&loner.to_string())?.version, 1);
    assert_eq!(remover.state_hash()?, hq.state_hash(&[&r1])?);
    assert_eq!(korpus_app::sync::panel(&remover.store)?.rejected, 1);
    Ok(())
}
