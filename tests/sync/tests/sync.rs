//! Desks and HQ on real parts: PostgreSQL, korpus-hq processes, HTTP, SQLCipher desks, the
//! session keyring. Each test has its own HQ database and server.

use korpus_app::sync::client::ClientError;
use korpus_domain::{Entity, Envelope, Hlc, Op, OpKind};
use korpus_store::Store;
use korpus_sync::protocol::{OwnChanges, PushRequest, ReceiptStatus, SealedEnvelope, codes};
use korpus_sync_tests::{Desk, Error, Hq, binary, person, regions, unsent_sealed};
use serde_json::{Value, json};
use uuid::Uuid;

fn count(store: &Store, entity: Entity) -> usize {
    store.all_rows().map(|rows| rows.iter().filter(|r| r.entity == entity).count()).unwrap_or(0)
}

#[tokio::test]
async fn two_devices_of_different_regions_sync_and_converge() -> Result<(), Error> {
    let (r1, r2, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut south = Desk::enrolled(&hq, "south").await?;
    let mut office = Desk::enrolled(&hq, "hq").await?;

    let members: Vec<Uuid> =
        (0..3).map(|i| north.add_person(100 + i * 100, "Серікова", &r1)).collect::<Result<_, _>>()?;
    north.add_application_of(&members, &r1)?;
    south.add_person(1000, "Ахметов", &r2)?;
    south.add_person(1100, "Жұмабаев", &r2)?;

    let report = north.sync().await?;
    assert_eq!((report.applied, report.rejected, report.conflict), (4, 0, 0), "{report:?}");
    south.sync().await?;
    north.sync().await?;
    office.sync().await?;

    // Each desk holds its region's rows and only those, at HQ's versions.
    assert_eq!(count(&north.store, Entity::Person), 3);
    assert_eq!(count(&north.store, Entity::ApplicationMember), 3);
    assert_eq!(count(&south.store, Entity::Person), 2);
    assert_eq!(count(&south.store, Entity::Application), 0);
    assert_eq!(count(&office.store, Entity::Person), 5);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    assert_eq!(south.state_hash()?, hq.state_hash(&[&r2])?);
    assert_eq!(office.state_hash()?, hq.state_hash(&[])?);
    assert_ne!(north.state_hash()?, south.state_hash()?);

    // An edit on one side travels to the other and both agree again.
    let id = members[0];
    let before = north.store.person(&id.to_string())?;
    let mut input = korpus_domain::PersonInput::from(&before.data);
    input.identity.phone = Some("+7 701 123 45 67".into());
    north.store.edit_person(id, before.version, &input)?;
    north.sync().await?;
    office.sync().await?;
    let seen = office.store.person(&id.to_string())?;
    assert_eq!(seen.data.identity.phone.as_deref(), Some("+77011234567"));
    assert_eq!(seen.version, 2);
    assert_eq!(office.state_hash()?, hq.state_hash(&[])?);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn a_device_cannot_read_or_write_another_regions_rows() -> Result<(), Error> {
    let (r1, r2, r3) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut south = Desk::enrolled(&hq, "south").await?;
    let theirs = south.add_person(200, "Ахметов", &r2)?;
    south.sync().await?;

    // North writes a person of a region it does not have (the store does not stop it: the
    // region is a field like any other), and forges an edit of south's person.
    north.add_person(300, "Бекова", &r3)?;
    let forged = Envelope {
        id: Uuid::now_v7(),
        device: north.store.device_id(),
        device_seq: 2,
        hlc: Hlc { wall_ms: 1, counter: 0 },
        author: "north".into(),
        app_version: "0".into(),
        schema_version: 3,
        rulebook_version: "2017-pilot.4".into(),
        ops: vec![Op {
            entity: Entity::Person,
            entity_id: theirs,
            op: OpKind::Update,
            base_version: 1,
            fields: serde_json::Map::from_iter([("surname".to_owned(), json!("Өзгертілген"))]),
        }],
        resolves: None,
    };
    let mut batch = unsent_sealed(&north.store)?;
    batch.push(SealedEnvelope { hash: forged.hash(), envelope: forged });
    let client = north.client.clone().ok_or("not enrolled")?;
    let (answer, _) = client.push(&PushRequest { envelopes: batch }).await?;
    assert_eq!(answer.receipts.len(), 2);
    for r in &answer.receipts {
        assert_eq!((r.status, r.code.as_deref()), (ReceiptStatus::Rejected, Some(codes::REGION_FORBIDDEN)));
    }
    // Nothing of it landed, and both are in quarantine.
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person'").await?, 1);
    assert_eq!(hq.query_i64("SELECT count(*) FROM quarantine").await?, 2);
    assert_eq!(
        hq.query_i64("SELECT count(*) FROM rows WHERE fields ->> 'surname' = 'Өзгертілген'").await?,
        0
    );

    // North's pull never carries south's rows; south's does.
    let (page, _) = client.pull(0, 1000, OwnChanges::Full).await?;
    assert!(page.changes.iter().all(|c| c.rows.iter().all(|r| r.fields["region"] == json!(r1))));
    assert!(page.changes.is_empty());
    assert_eq!(page.cursor, page.head);
    let (page, _) = south.client.clone().ok_or("not enrolled")?.pull(0, 1000, OwnChanges::Full).await?;
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].rows[0].id, theirs);
    Ok(())
}

#[tokio::test]
async fn the_same_batch_pushed_twice_is_applied_once() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let desk = Desk::enrolled(&hq, "north").await?;
    let mut desk = desk;
    for i in 0..5 {
        desk.add_person(100 + i * 100, "Серікова", &r1)?;
    }
    let batch = PushRequest { envelopes: unsent_sealed(&desk.store)? };
    let client = desk.client.clone().ok_or("not enrolled")?;
    let (first, _) = client.push(&batch).await?;
    let (second, _) = client.push(&batch).await?;
    assert!(first.receipts.iter().all(|r| r.status == ReceiptStatus::Applied));
    assert!(second.receipts.iter().all(|r| r.status == ReceiptStatus::Duplicate));
    let seqs = |rs: &[korpus_sync::protocol::Receipt]| rs.iter().map(|r| r.server_seq).collect::<Vec<_>>();
    assert_eq!(seqs(&first.receipts), seqs(&second.receipts));
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 5);
    assert_eq!(hq.query_i64("SELECT server_seq FROM sync_head").await?, 5);

    // The same id with other content is refused, and the original stands.
    let mut tampered = batch.envelopes[0].clone();
    tampered.envelope.author = "someone else".into();
    tampered.hash = tampered.envelope.hash();
    let (third, _) = client.push(&PushRequest { envelopes: vec![tampered] }).await?;
    assert_eq!(third.receipts[0].code.as_deref(), Some(codes::ID_REUSED));
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes WHERE author = 'north'").await?, 5);

    // A full sync after that sends nothing again and takes the receipts.
    let report = desk.sync().await?;
    assert_eq!(report.duplicate, 5);
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 5);
    assert_eq!(desk.store.sync_state()?.map(|s| s.unsent), Some(0));
    Ok(())
}

#[tokio::test]
async fn the_server_killed_mid_batch_loses_nothing_and_doubles_nothing() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let mut hq = Hq::start().await?;
    let mut desk = Desk::enrolled(&hq, "north").await?;
    for i in 0..600u16 {
        desk.add_person(10 + i * 16, "Серікова", &r1)?;
    }
    let batch = PushRequest { envelopes: unsent_sealed(&desk.store)? };
    assert_eq!(batch.envelopes.len(), 600);
    let client = desk.client.clone().ok_or("not enrolled")?;

    // Kill the server while it applies the batch: the push gets no answer.
    let push = tokio::spawn({
        let client = client.clone();
        let batch = batch.clone();
        async move { client.push(&batch).await }
    });
    // Wait until the server holds the batch's transaction open, then kill it.
    let started = std::time::Instant::now();
    let busy = "SELECT count(*) FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND datname = current_database() AND xact_start IS NOT NULL";
    while hq.query_i64(busy).await? == 0 {
        if started.elapsed().as_secs() > 20 {
            return Err("the server never started applying the batch".into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    hq.kill();
    let outcome = push.await?;
    assert!(matches!(outcome, Err(ClientError::Transport(_))), "{outcome:?}");
    // The batch's transaction died with the server: nothing of it is visible.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 0);

    hq.restart().await?;
    let report = desk.sync().await?;
    assert_eq!(report.applied, 600);
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 600);
    assert_eq!(hq.query_i64("SELECT count(DISTINCT id) FROM rows").await?, 600);
    assert_eq!(desk.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn a_revoked_device_is_refused() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut desk = Desk::enrolled(&hq, "north").await?;
    desk.add_person(100, "Серікова", &r1)?;
    desk.sync().await?;
    hq.admin(&["device", "revoke", &desk.store.device_id().to_string()])?;
    desk.add_person(200, "Бекова", &r1)?;
    let err = desk.sync().await.expect_err("a revoked device synced");
    assert_eq!(err.code(), codes::DEVICE_REVOKED);
    let client = desk.client.clone().ok_or("not enrolled")?;
    let pulled = client.pull(0, 10, OwnChanges::Full).await;
    assert!(matches!(pulled, Err(ClientError::Api { status: 403, .. })), "{pulled:?}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 1);
    // Its change waits; nothing was lost.
    assert_eq!(desk.store.sync_state()?.map(|s| s.unsent), Some(1));
    Ok(())
}

#[tokio::test]
async fn an_enrolment_code_works_once() -> Result<(), Error> {
    let hq = Hq::start().await?;
    let code = hq.code("north")?;
    let mut first = Desk::new("a")?;
    korpus_app::sync::enrol(&mut first.store, &hq.url(), &code, "first").await?;
    let mut second = Desk::new("b")?;
    let err = korpus_app::sync::enrol(&mut second.store, &hq.url(), &code, "second")
        .await
        .expect_err("code reused");
    assert_eq!(err.code(), codes::ENROL_CODE_INVALID);
    assert!(second.store.sync_state()?.is_none());
    Ok(())
}

#[tokio::test]
async fn the_same_field_edited_on_two_devices_yields_one_conflict_settled_on_a_desk() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut a = Desk::enrolled(&hq, "north").await?;
    let mut b = Desk::enrolled(&hq, "north").await?;
    let id = a.add_person(100, "Серікова", &r1)?;
    a.sync().await?;
    b.sync().await?;

    let edit = |desk: &mut Desk, phone: &str, locality: Option<&str>| -> Result<(), Error> {
        let current = desk.store.person(&id.to_string())?;
        let mut input = korpus_domain::PersonInput::from(&current.data);
        input.identity.phone = Some(phone.into());
        if let Some(l) = locality {
            input.identity.locality = l.into();
        }
        desk.store.edit_person(id, current.version, &input)?;
        Ok(())
    };
    edit(&mut a, "+77011111111", None)?;
    edit(&mut b, "+77022222222", Some("Жаңа ауыл"))?;
    assert_eq!(a.sync().await?.applied, 1);
    let report = b.sync().await?;
    assert_eq!((report.applied, report.conflict), (0, 1));
    assert_eq!(
        hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'conflict' AND status = 'open'").await?,
        1
    );
    // Syncing again does not make a second conflict.
    b.sync().await?;
    a.sync().await?;
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'conflict'").await?, 1);

    // Both desks hold the case; B keeps its own values until it is settled, A has HQ's.
    for desk in [&a, &b] {
        let cases = desk.store.sync_cases()?;
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].kind, "conflict");
        let conflicts = &cases[0].details["conflicts"];
        assert_eq!(conflicts[0]["field"], json!("phone"));
        assert_eq!(conflicts[0]["theirs"], json!("+77011111111"));
        assert_eq!(conflicts[0]["mine"], json!("+77022222222"));
    }
    let on_b = b.store.person(&id.to_string())?;
    assert_eq!(on_b.data.identity.phone.as_deref(), Some("+77022222222"));
    assert_eq!(on_b.data.identity.locality, "Жаңа ауыл");
    let on_a = a.store.person(&id.to_string())?;
    assert_eq!(on_a.data.identity.phone.as_deref(), Some("+77011111111"));

    // B settles it keeping its phone; a field that is not in conflict cannot be chosen.
    let case = b.store.sync_cases()?[0].id;
    let wrong = std::collections::HashMap::from([("surname".to_owned(), korpus_store::Keep::Mine)]);
    assert!(b.store.resolve_conflict(case, &wrong, korpus_store::Keep::Mine).is_err());
    b.store.resolve_conflict(case, &std::collections::HashMap::new(), korpus_store::Keep::Mine)?;
    assert_eq!(b.store.sync_state()?.map(|s| s.conflicts), Some(0));
    assert_eq!(b.sync().await?.applied, 1);
    a.sync().await?;
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE status = 'resolved'").await?, 1);
    for desk in [&a, &b] {
        assert!(desk.store.sync_cases()?.is_empty());
        let p = desk.store.person(&id.to_string())?;
        assert_eq!(p.data.identity.phone.as_deref(), Some("+77022222222"));
        assert_eq!(p.data.identity.locality, "Жаңа ауыл");
        assert_eq!(desk.state_hash()?, hq.state_hash(&[&r1])?);
    }

    // A second round, settled the other way: HQ's value stays, and both desks agree again.
    edit(&mut a, "+77033333333", None)?;
    edit(&mut b, "+77044444444", None)?;
    a.sync().await?;
    assert_eq!(b.sync().await?.conflict, 1);
    let case = b.store.sync_cases()?[0].id;
    b.store.resolve_conflict(case, &std::collections::HashMap::new(), korpus_store::Keep::Theirs)?;
    b.sync().await?;
    a.sync().await?;
    for desk in [&a, &b] {
        assert!(desk.store.sync_cases()?.is_empty());
        assert_eq!(desk.store.person(&id.to_string())?.data.identity.phone.as_deref(), Some("+77033333333"));
        assert_eq!(desk.state_hash()?, hq.state_hash(&[&r1])?);
    }
    Ok(())
}

/// Ends `holder`'s transaction (which holds HQ's sequence lock) once `watcher` sees two sessions
/// waiting for a lock; within 20 s, or the test fails.
async fn release_when_two_wait(
    holder: &tokio_postgres::Client,
    watcher: &tokio_postgres::Client,
) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'";
    while watcher.query_one(waiting, &[]).await?.get::<_, i64>(0) < 2 {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            holder.batch_execute("COMMIT").await?;
            return Err("the two pushes did not both wait for the lock".into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    holder.batch_execute("COMMIT").await?;
    Ok(())
}

#[tokio::test]
async fn two_pushes_waiting_at_once_for_the_sequence_lock_are_decided_one_after_the_other()
-> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut a = Desk::enrolled(&hq, "north").await?;
    let mut b = Desk::enrolled(&hq, "north").await?;
    let id = a.add_person(100, "Серікова", &r1)?;
    a.sync().await?;
    b.sync().await?;
    for (desk, phone) in [(&mut a, "+77011111111"), (&mut b, "+77022222222")] {
        let current = desk.store.person(&id.to_string())?;
        let mut input = korpus_domain::PersonInput::from(&current.data);
        input.identity.phone = Some(phone.into());
        desk.store.edit_person(id, current.version, &input)?;
    }

    // HQ's sequence lock is held meanwhile, so both pushes arrive and wait for it at once. Each
    // batch is read and decided only under the lock (decided before it, the second would apply
    // on the version the first replaced: docs/decisions.md, "HQ under load"), so the one that
    // takes it second finds the person changed: a conflict, not an overwrite.
    let (holder, connection) = tokio_postgres::connect(&hq.database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    holder.batch_execute("BEGIN; SELECT server_seq FROM sync_head FOR UPDATE").await?;
    // Watched from another connection: a transaction sees the activity view as it first read it.
    let (watcher, connection) = tokio_postgres::connect(&hq.database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let release = release_when_two_wait(&holder, &watcher);
    let (first, second, released) = tokio::join!(a.sync(), b.sync(), release);
    released?;
    let (first, second) = (first?, second?);
    let mut answers = [(first.applied, first.conflict), (second.applied, second.conflict)];
    answers.sort();
    assert_eq!(answers, [(0, 1), (1, 0)], "{first:?}\n{second:?}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM receipts WHERE status = 'conflict'").await?, 1);
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'conflict'").await?, 1);

    // The same batch pushed twice at once (a retry while the first try still waits): the second
    // finds the envelope answered by the first, and answers it as a duplicate.
    a.add_person(200, "Ахметов", &r1)?;
    let request = PushRequest { envelopes: unsent_sealed(&a.store)? };
    let client = a.client.clone().ok_or("not enrolled")?;
    holder.batch_execute("BEGIN; SELECT server_seq FROM sync_head FOR UPDATE").await?;
    let release = release_when_two_wait(&holder, &watcher);
    let (first, second, released) = tokio::join!(client.push(&request), client.push(&request), release);
    released?;
    let mut statuses = [first?.0.receipts[0].status, second?.0.receipts[0].status];
    statuses.sort_by_key(|s| format!("{s:?}"));
    assert_eq!(statuses, [ReceiptStatus::Applied, ReceiptStatus::Duplicate]);
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person'").await?, 2);
    Ok(())
}

#[tokio::test]
async fn the_same_iin_on_two_devices_yields_a_case_on_both_desks() -> Result<(), Error> {
    let (r1, r2, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut south = Desk::enrolled(&hq, "south").await?;
    let a = north.add_person(500, "Серікова", &r1)?;
    let b = south.add_person(500, "Серікова", &r2)?;
    north.sync().await?;
    south.sync().await?;
    north.sync().await?;
    // Each desk sees its own row; the other region's is only counted.
    for (desk, mine) in [(&north, a), (&south, b)] {
        let cases = desk.store.sync_cases()?;
        assert_eq!(cases.len(), 1, "{cases:?}");
        assert_eq!(cases[0].kind, "duplicate_iin");
        assert_eq!(cases[0].details["rows"], json!([mine]));
        assert_eq!(cases[0].details["elsewhere"], json!(1));
    }
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases").await?, 1);
    Ok(())
}

#[tokio::test]
async fn one_person_put_in_a_group_on_each_of_two_desks_yields_one_case_on_both() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut a = Desk::enrolled(&hq, "north").await?;
    let mut b = Desk::enrolled(&hq, "north").await?;
    let shared = a.add_person(810, "Серікова", &r1)?;
    a.sync().await?;
    b.sync().await?;
    // Each desk makes a group of three around the same person before it hears of the other's.
    let mut groups = Vec::new();
    for (desk, first) in [(&mut a, 811u16), (&mut b, 821)] {
        let members =
            [shared, desk.add_person(first, "Ахметов", &r1)?, desk.add_person(first + 1, "Бекова", &r1)?];
        groups.push(desk.add_application_of(&members, &r1)?);
    }
    a.sync().await?;
    b.sync().await?;
    a.sync().await?;
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'person_in_two_subprojects'").await?, 1);
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases").await?, 1);
    let key = hq
        .query_i64(&format!(
            "SELECT count(*) FROM cases WHERE kind = 'person_in_two_subprojects' AND details ->> 'key' = '{shared}'"
        ))
        .await?;
    assert_eq!(key, 1, "the case names the person in both groups");
    for desk in [&a, &b] {
        let cases = desk.store.sync_cases()?;
        assert_eq!(cases.len(), 1, "{cases:?}");
        assert_eq!(cases[0].kind, "person_in_two_subprojects");
    }
    assert_ne!(groups[0], groups[1]);
    Ok(())
}

#[tokio::test]
async fn bad_requests_get_a_4xx_with_a_code_never_a_500() -> Result<(), Error> {
    let hq = Hq::start().await?;
    let desk = Desk::enrolled(&hq, "north").await?;
    let token = korpus_app::secrets::load_token(desk.store.device_id())?.ok_or("no token")?;
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", hq.url());
    let check = |status: u16, code: &str, response: (u16, Value)| {
        assert_eq!(response.0, status, "{response:?}");
        assert_eq!(response.1["code"], json!(code), "{response:?}");
    };
    async fn send(r: reqwest::RequestBuilder) -> Result<(u16, Value), Error> {
        let response = r.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }
    let push = || http.post(url("/v1/push")).bearer_auth(&token).header("content-type", "application/json");
    check(401, codes::UNAUTHORISED, send(http.post(url("/v1/push")).body("{}")).await?);
    check(401, codes::UNAUTHORISED, send(http.get(url("/v1/pull")).bearer_auth("KT00")).await?);
    check(400, codes::MALFORMED, send(push().body("{not json")).await?);
    check(422, codes::MALFORMED, send(push().body(r#"{"envelopes": [{"envelope": 5}]}"#)).await?);
    let huge = format!(r#"{{"envelopes": [], "pad": "{}"}}"#, "x".repeat(17 * 1024 * 1024));
    // A body over the limit is measured after decompression: a small compression bomb is refused.
    let bomb = zstd::encode_all(huge.as_bytes(), 19)?;
    assert!(bomb.len() < 100_000);
    check(413, codes::TOO_LARGE, send(push().header("content-encoding", "zstd").body(bomb)).await?);
    check(400, codes::BAD_PARAMETER, send(http.get(url("/v1/pull?limit=0")).bearer_auth(&token)).await?);
    check(400, codes::BAD_PARAMETER, send(http.get(url("/v1/pull?after=x")).bearer_auth(&token)).await?);
    check(404, codes::UNSUPPORTED_VERSION, send(http.get(url("/v2/pull"))).await?);
    check(
        400,
        codes::BAD_PARAMETER,
        send(http.post(url("/v1/enrol")).json(&json!({
            "code": "X", "device_id": Uuid::now_v7(), "device_name": "", "public_key": "00"
        })))
        .await?,
    );
    // Nothing was written by any of it.
    assert_eq!(hq.query_i64("SELECT count(*) FROM receipts").await?, 0);
    Ok(())
}

#[tokio::test]
async fn the_command_line_enrols_syncs_and_speaks_kazakh_when_hq_is_away() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let mut hq = Hq::start().await?;
    let dir = tempfile::TempDir::new()?;
    let db = dir.path().join("korpus.db");
    let korpus = |args: &[&str]| korpus_sync_tests::korpus_cli(&db, "cli test", args);
    assert!(korpus(&["init"])?.status.success());
    let code = hq.code("north")?;
    let enrolled = korpus(&["sync", "enrol", "--server", &hq.url(), "--code", &code, "--name", "CLI"])?;
    assert!(enrolled.status.success(), "{}", String::from_utf8_lossy(&enrolled.stderr));
    assert!(String::from_utf8_lossy(&enrolled.stdout).contains(&r1));
    let iin = person(100, "Серікова", &r1).identity.iin;
    let added = korpus(&[
        "person",
        "add",
        "--iin",
        &iin,
        "--surname",
        "Серікова",
        "--given-name",
        "Аружан",
        "--region",
        &r1,
        "--locality",
        "Ауыл",
        "--education",
        "tvet_student",
    ])?;
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let synced = korpus(&["--json", "sync"])?;
    assert!(synced.status.success(), "{}", String::from_utf8_lossy(&synced.stderr));
    let report: Value = serde_json::from_slice(&synced.stdout)?;
    assert_eq!(report["applied"], json!(1));
    let hash = korpus(&["sync", "state-hash"])?;
    assert_eq!(String::from_utf8(hash.stdout)?.trim(), hq.state_hash(&[&r1])?);
    // A side that is neither mine nor theirs is named, in Kazakh, and nothing is written.
    let case = Uuid::now_v7().to_string();
    let wrong = korpus(&["sync", "resolve", &case, "--field", "phone=both"])?;
    assert!(!wrong.status.success());
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(message.contains("Қай нұсқа қалады") && message.contains("«both»"), "{message}");
    let status: Value = serde_json::from_slice(&korpus(&["--json", "sync", "status"])?.stdout)?;
    assert_eq!(status["unsent"], json!(0), "{status}");

    // Another desk's certificate code is verified by HQ, which holds every enrolled key: one
    // signed with that desk's key from its own block is genuine, one signed with a stranger's is not.
    let mut other = Desk::enrolled(&hq, "south").await?;
    other.sync().await?;
    let block = other.store.certificate_blocks()?.into_iter().next().ok_or("no block")?;
    let mut certificate = korpus_domain::closing::certification::Certificate {
        cohort: 2017,
        region: r1.clone(),
        holder: korpus_domain::closing::certification::Holder::Person,
        holder_id: Uuid::now_v7(),
        full_name: "Әбенова Ғалия".into(),
        arm: None,
        completed_on: chrono::NaiveDate::from_ymd_opt(2017, 11, 30).ok_or("date")?,
        number: format!("2017-{:06}", block.first),
        issued_on: chrono::NaiveDate::from_ymd_opt(2017, 12, 20).ok_or("date")?,
        device_id: other.store.device_id(),
        rulebook_version: "2017-pilot.3".into(),
        outcomes: Vec::new(),
        signature: String::new(),
    };
    let code = |c: &korpus_domain::closing::certification::Certificate| {
        korpus_domain::closing::certificate_code::CertificateCode::of(c).text()
    };
    certificate.signature = korpus_domain::closing::certificate_code::sign(
        &certificate,
        &korpus_app::secrets::device_signing_key(other.store.device_id())?,
    );
    let genuine = korpus(&["verify-certificate", &code(&certificate)])?;
    let said = String::from_utf8_lossy(&genuine.stdout);
    assert!(
        genuine.status.success() && said.contains("түпнұсқа"),
        "{said}{}",
        String::from_utf8_lossy(&genuine.stderr)
    );
    certificate.signature = korpus_domain::closing::certificate_code::sign(
        &certificate,
        &ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
    );
    let forged = korpus(&["verify-certificate", &code(&certificate)])?;
    let said = String::from_utf8_lossy(&forged.stdout);
    assert_eq!(forged.status.code(), Some(1), "{said}");
    assert!(said.contains("түпнұсқа ЕМЕС") && said.contains("қолтаңба сәйкес келмейді"), "{said}");

    hq.kill();
    let away = korpus(&["sync", "--attempts", "1"])?;
    assert_eq!(away.status.code(), Some(5));
    let message = String::from_utf8_lossy(&away.stderr);
    assert!(message.contains("Штабқа қосылу мүмкін емес"), "{message}");
    Ok(())
}

#[tokio::test]
async fn a_connection_cut_mid_push_resumes_and_applies_each_envelope_once() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    // Every connection dies after 6 KB from the desk: a few batches get through, one is cut.
    let proxy = korpus_sync_tests::FaultProxy::cutting(hq.port, "upstream", 6_000).await?;
    let mut desk = Desk::enrolled_via(&hq, "north", &proxy.url()).await?;
    for i in 0..200u16 {
        desk.add_person(10 + i * 16, "Серікова", &r1)?;
    }
    let report = desk.sync_small(10, 50).await?;
    assert!(report.progress.retries > 0, "the link was never cut: {report:?}");
    assert_eq!(report.applied + report.duplicate, 200);
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 200);
    assert_eq!(desk.store.sync_state()?.map(|s| s.unsent), Some(0));
    assert_eq!(desk.state_hash()?, hq.state_hash(&[&r1])?);
    proxy.heal().await?;
    Ok(())
}

#[tokio::test]
async fn a_connection_cut_mid_pull_resumes_from_its_cursor() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    for i in 0..200u16 {
        north.add_person(10 + i * 16, "Серікова", &r1)?;
    }
    north.sync().await?;
    // Every connection dies after 8 KB from HQ: pages come through a few at a time.
    let proxy = korpus_sync_tests::FaultProxy::cutting(hq.port, "downstream", 8_000).await?;
    let mut office = Desk::enrolled_via(&hq, "hq", &proxy.url()).await?;
    let report = office.sync_small(10, 10).await?;
    assert!(report.progress.retries > 0, "the link was never cut: {report:?}");
    assert_eq!(report.progress.pulled, 200);
    assert_eq!(office.store.sync_state()?.map(|s| s.cursor), Some(200));
    assert_eq!(office.state_hash()?, hq.state_hash(&[])?);
    // Healed, the next sync has nothing left to fetch.
    proxy.heal().await?;
    assert_eq!(office.sync_small(10, 10).await?.progress.pulled, 0);
    Ok(())
}

#[tokio::test]
async fn sync_by_file_reaches_the_same_state_as_online_sync() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut online = Desk::enrolled(&hq, "north").await?;
    // Enrolled in town; then days in a village with no network.
    let mut village = Desk::enrolled(&hq, "north").await?;
    for i in 0..3u16 {
        online.add_person(100 + i * 100, "Серікова", &r1)?;
    }
    online.sync().await?;
    let mut ids = Vec::new();
    for i in 0..4u16 {
        ids.push(village.add_person(2000 + i * 100, "Ахметова", &r1)?);
    }
    let first = village.store.person(&ids[0].to_string())?;
    let mut input = korpus_domain::PersonInput::from(&first.data);
    input.identity.locality = "Жаңа ауыл".into();
    village.store.edit_person(ids[0], first.version, &input)?;

    let dir = tempfile::TempDir::new()?;
    let (export, answer) = (dir.path().join("north.korpus"), dir.path().join("north.answer"));
    let (bytes, count) = korpus_app::sync::export_file(&village.store)?;
    assert_eq!(count, 5);
    std::fs::write(&export, &bytes)?;

    // A forged copy (one letter of a name changed, the signature kept) changes nothing at HQ.
    let mut signed: korpus_sync::file::SignedExport =
        serde_json::from_slice(&zstd::decode_all(bytes.as_slice())?)?;
    signed.payload = signed.payload.replacen("Ахметова", "Ахметов", 1);
    let forged = dir.path().join("forged.korpus");
    std::fs::write(&forged, zstd::encode_all(serde_json::to_vec(&signed)?.as_slice(), 3)?)?;
    let refused =
        hq.admin(&["import", &forged.display().to_string(), "--answer", &answer.display().to_string()]);
    assert!(refused.is_err_and(|e| e.to_string().contains(codes::BAD_SIGNATURE)));
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 3);

    let summary =
        hq.admin(&["import", &export.display().to_string(), "--answer", &answer.display().to_string()])?;
    assert!(summary.starts_with("5 envelopes: 5 applied"), "{summary}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes WHERE via = 'file'").await?, 5);
    // The same file twice applies nothing more.
    let again =
        hq.admin(&["import", &export.display().to_string(), "--answer", &answer.display().to_string()])?;
    assert!(again.starts_with("5 envelopes: 0 applied, 5 duplicate"), "{again}");

    let report = korpus_app::sync::import_answer(&mut village.store, &std::fs::read(&answer)?)?;
    assert_eq!(report.duplicate, 5);
    assert_eq!(report.progress.cursor, 8);
    assert_eq!(village.store.sync_state()?.map(|s| (s.unsent, s.cursor)), Some((0, 8)));
    online.sync().await?;
    let hq_hash = hq.state_hash(&[&r1])?;
    assert_eq!(village.state_hash()?, hq_hash);
    assert_eq!(online.state_hash()?, hq_hash);
    assert_eq!(count_persons(&village.store), 7);

    // When the network comes, an online sync finds nothing left to do.
    let report = village.sync().await?;
    assert_eq!((report.applied, report.duplicate, report.progress.pulled), (0, 0, 0));
    Ok(())
}

fn count_persons(store: &Store) -> usize {
    count(store, Entity::Person)
}

#[tokio::test]
async fn scanned_files_travel_once_in_chunks_that_resume_and_only_to_their_region() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    // Every connection from the desk dies after 400 KB: a 700 KB scan cannot go in one piece.
    let proxy = korpus_sync_tests::FaultProxy::cutting(hq.port, "upstream", 400_000).await?;
    let mut a = Desk::enrolled_via(&hq, "north", &proxy.url()).await?;
    // And every connection to the second desk dies after 300 KB from HQ.
    let slow = korpus_sync_tests::FaultProxy::cutting(hq.port, "downstream", 300_000).await?;
    let mut b = Desk::enrolled_via(&hq, "north", &slow.url()).await?;
    let south = Desk::enrolled(&hq, "south").await?;
    // Random bytes, like a photographed page: compression does not shrink them below the cuts.
    let mut scan: Vec<u8> = (0..43_750).flat_map(|_| *Uuid::new_v4().as_bytes()).collect();
    scan[..9].copy_from_slice(b"%PDF-1.7\n");
    let file = korpus_store::DocumentFile { name: "анықтама.pdf", bytes: &scan };
    let document = korpus_domain::DocumentInput {
        kind: "unemployment_status".into(),
        issue_date: "01.03.2017".into(),
        note: None,
    };
    // Two documents of two persons with the same scan: one file.
    for serial in [100u16, 200] {
        let person = a.add_person(serial, "Серікова", &r1)?;
        a.store.add_document(korpus_domain::DocumentOwner::Person, person, &document, Some(file))?;
    }
    let report = a.sync_small(50, 50).await?;
    assert_eq!(report.files_up, 1, "{report:?}");
    assert!(report.progress.retries > 0, "the link was never cut: {report:?}");
    assert!(report.progress.bytes_up < 1_000_000, "{report:?}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM blobs").await?, 1);
    assert_eq!(hq.query_i64("SELECT size FROM blobs").await?, 700_000);
    assert_eq!(hq.query_i64("SELECT count(*) FROM blob_uploads").await?, 0);
    // Nothing left to send the next time.
    assert_eq!(a.sync_small(50, 50).await?.files_up, 0);

    let report = b.sync_small(50, 50).await?;
    assert_eq!(report.files_down, 1);
    assert!(report.progress.retries > 0, "the download was never cut: {report:?}");
    assert!(a.store.blobs_to_upload()?.is_empty());
    let docs = b.store.all_rows()?;
    let sha256 = docs
        .iter()
        .find(|r| r.entity == Entity::Document)
        .and_then(|r| r.fields["file_sha256"].as_str().map(str::to_owned))
        .ok_or("no document on the second desk")?;
    assert_eq!(b.store.scanned_file(&sha256)?, scan);

    // A desk of another region can neither read nor write it.
    let client = south.client.clone().ok_or("not enrolled")?;
    let denied = client.blob_status(&sha256).await;
    assert!(
        matches!(&denied, Err(ClientError::Api { status: 404, code, .. }) if code == codes::UNKNOWN_BLOB),
        "{denied:?}"
    );
    let denied = client.download_chunk(&sha256, 0, 1000).await;
    assert!(matches!(&denied, Err(ClientError::Api { status: 404, .. })), "{denied:?}");
    let denied = client.upload_chunk(&sha256, 0, vec![1, 2, 3]).await;
    assert!(matches!(&denied, Err(ClientError::Api { status: 404, .. })), "{denied:?}");
    Ok(())
}

#[tokio::test]
async fn decisions_are_checked_as_state_transitions_never_merged() -> Result<(), Error> {
    let hq = Hq::start().await?;
    let mut desk = Desk::enrolled(&hq, "hq").await?;
    korpus_app::demo::demo_data(&mut desk.store, 200, 1)?;
    desk.sync().await?;
    let mentor =
        desk.store.all_rows()?.into_iter().find(|r| r.entity == Entity::Mentor).ok_or("no mentor")?;
    assert_eq!(mentor.fields["stage"], json!("applied"));
    let client = desk.client.clone().ok_or("not enrolled")?;
    let mut seq = desk.store.outbox_len()?;
    let mut version = mentor.version;
    let mut decide = async |field: &str, value: Value| -> Result<korpus_sync::protocol::Receipt, Error> {
        seq += 1;
        let e = Envelope {
            id: Uuid::now_v7(),
            device: desk.store.device_id(),
            device_seq: seq,
            hlc: Hlc { wall_ms: seq, counter: 0 },
            author: "hq".into(),
            app_version: "0".into(),
            schema_version: 5,
            rulebook_version: "2017-pilot.4".into(),
            ops: vec![Op {
                entity: Entity::Mentor,
                entity_id: mentor.id,
                op: OpKind::Update,
                base_version: version,
                fields: serde_json::Map::from_iter([(field.to_owned(), value)]),
            }],
            resolves: None,
        };
        let (answer, _) = client
            .push(&PushRequest { envelopes: vec![SealedEnvelope { hash: e.hash(), envelope: e }] })
            .await?;
        let receipt = answer.receipts.into_iter().next().ok_or("no receipt")?;
        if receipt.status == ReceiptStatus::Applied {
            version += 1;
        }
        Ok(receipt)
    };
    let skipped = decide("stage", json!("selected")).await?;
    assert_eq!(
        (skipped.status, skipped.code.as_deref()),
        (ReceiptStatus::Rejected, Some(codes::INVALID_TRANSITION))
    );
    assert_eq!(decide("stage", json!("screened")).await?.status, ReceiptStatus::Applied);
    let early = decide("certified_on", json!("2017-09-01")).await?;
    assert_eq!(early.code.as_deref(), Some(codes::INVALID_TRANSITION), "{early:?}");
    let back = decide("stage", json!("applied")).await?;
    assert_eq!(back.code.as_deref(), Some(codes::INVALID_TRANSITION), "{back:?}");
    assert_eq!(decide("stage", json!("interviewed")).await?.status, ReceiptStatus::Applied);
    assert_eq!(decide("stage", json!("selected")).await?.status, ReceiptStatus::Applied);
    assert_eq!(decide("certified_on", json!("2017-09-01")).await?.status, ReceiptStatus::Applied);
    let changed = decide("certified_on", json!("2017-10-01")).await?;
    assert_eq!(changed.code.as_deref(), Some(codes::INVALID_TRANSITION), "{changed:?}");
    let stage = hq
        .query_i64(&format!(
            "SELECT count(*) FROM rows WHERE id = '{}' AND fields ->> 'stage' = 'selected'
               AND fields ->> 'certified_on' = '2017-09-01'",
            mentor.id
        ))
        .await?;
    assert_eq!(stage, 1);
    Ok(())
}

#[tokio::test]
async fn one_batch_applies_around_a_bad_envelope_and_finds_duplicates_within_itself() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut desk = Desk::enrolled(&hq, "north").await?;
    let first = desk.add_person(600, "Серікова", &r1)?;
    desk.add_person(700, "Ахметов", &r1)?;
    // The first person edited twice: one row, at version 3, after one batch.
    for phone in ["+77011111111", "+77012222222"] {
        let current = desk.store.person(&first.to_string())?;
        let mut input = korpus_domain::PersonInput::from(&current.data);
        input.identity.phone = Some(phone.into());
        desk.store.edit_person(first, current.version, &input)?;
    }
    let mut batch = unsent_sealed(&desk.store)?;
    assert_eq!(batch.len(), 4);
    // A second person with the first one's IIN, and an envelope whose text holds U+0000 (which
    // PostgreSQL cannot store), both in the middle of the batch.
    let mut twin = batch[0].envelope.clone();
    twin.id = Uuid::now_v7();
    twin.device_seq = 100;
    twin.ops[0].entity_id = Uuid::now_v7();
    let mut broken = twin.clone();
    broken.id = Uuid::now_v7();
    broken.device_seq = 101;
    broken.ops[0].entity_id = Uuid::now_v7();
    broken.ops[0].fields.insert("locality".into(), json!("Ауыл\u{0}"));
    for e in [broken, twin.clone()] {
        batch.insert(2, SealedEnvelope { hash: e.hash(), envelope: e });
    }

    let client = desk.client.clone().ok_or("not enrolled")?;
    let (answer, _) = client.push(&PushRequest { envelopes: batch.clone() }).await?;
    let statuses: Vec<_> = answer.receipts.iter().map(|r| (r.status, r.code.as_deref())).collect();
    assert_eq!(
        statuses,
        [
            (ReceiptStatus::Applied, None),
            (ReceiptStatus::Applied, None),
            (ReceiptStatus::Applied, None),
            (ReceiptStatus::Rejected, Some(codes::INVALID_FIELD)),
            (ReceiptStatus::Applied, None),
            (ReceiptStatus::Applied, None),
        ]
    );
    assert_eq!(
        answer.receipts[3].message.as_deref(),
        Some("ops[0].fields.locality: holds the character U+0000")
    );
    let seqs: Vec<_> = answer.receipts.iter().map(|r| r.server_seq).collect();
    assert_eq!(seqs, [Some(1), Some(2), Some(3), None, Some(4), Some(5)]);
    assert_eq!(hq.query_i64("SELECT server_seq FROM sync_head").await?, 5);
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person'").await?, 3);
    assert_eq!(
        hq.query_i64(&format!(
            "SELECT version FROM rows WHERE id = '{first}' AND fields ->> 'phone' = '+77012222222'"
        ))
        .await?,
        3
    );
    assert_eq!(hq.query_i64(&format!("SELECT count(*) FROM row_changes WHERE id = '{first}'")).await?, 3);
    assert_eq!(
        hq.query_i64("SELECT count(*) FROM quarantine WHERE body -> 'ops' -> 0 -> 'fields' ->> 'locality' = 'Ауыл\u{FFFD}'")
            .await?,
        1
    );
    // The twin and the first person share an IIN: one case, though both came in this batch.
    let (a, b) = if first < twin.ops[0].entity_id {
        (first, twin.ops[0].entity_id)
    } else {
        (twin.ops[0].entity_id, first)
    };
    assert_eq!(
        hq.query_i64(&format!(
            "SELECT count(*) FROM cases WHERE kind = 'duplicate_iin' AND subject = 'person:{a}:{b}' AND regions = ARRAY['{r1}']"
        ))
        .await?,
        1
    );
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'duplicate_iin'").await?, 1);
    // The twin and the broken one were numbered 100 and 101: a hole in the device's numbering.
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'device_seq_gap'").await?, 1);
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases").await?, 2);

    // The same batch again: the same answers, nothing doubled.
    let (again, _) = client.push(&PushRequest { envelopes: batch }).await?;
    let statuses: Vec<_> = again.receipts.iter().map(|r| (r.status, r.server_seq)).collect();
    assert_eq!(
        statuses,
        [
            (ReceiptStatus::Duplicate, Some(1)),
            (ReceiptStatus::Duplicate, Some(2)),
            (ReceiptStatus::Duplicate, Some(3)),
            (ReceiptStatus::Rejected, None),
            (ReceiptStatus::Duplicate, Some(4)),
            (ReceiptStatus::Duplicate, Some(5)),
        ]
    );
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await?, 5);
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases").await?, 2);
    Ok(())
}

/// A screening is a decision HQ checks: it travels to every desk of its region as recorded, and
/// one whose outcomes its inputs do not give (a forged pass) is quarantined.
#[tokio::test]
async fn a_screening_travels_as_recorded_and_a_forged_pass_is_refused() -> Result<(), Error> {
    use korpus_domain::rules::{Subject, Verdict};
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut office = Desk::enrolled(&hq, "hq").await?;
    let members: Vec<Uuid> =
        (0..3).map(|i| north.add_person(400 + i * 100, "Серікова", &r1)).collect::<Result<_, _>>()?;
    let app = north
        .store
        .add_application(&korpus_domain::ApplicationInput {
            path: "initiative_group".into(),
            leader_id: members.first().copied(),
            members: members.clone(),
            name: "Жастар театры".into(),
            territory: "Ауыл".into(),
            goal: "Театр ашу".into(),
            target_group: "Жастар".into(),
            description: "Ауыл жастары сахнаға шығады".into(),
            direction: "culture_leisure".into(),
            budget: "700000".into(),
            region: r1.clone(),
            host_org_id: None,
        })?
        .application
        .id;
    let lines = north.store.screen_cohort(2017)?;
    assert_eq!(lines[0].result, Verdict::Pass);
    let report = north.sync().await?;
    assert_eq!((report.applied, report.rejected), (5, 0), "{report:?}");
    office.sync().await?;
    let seen =
        office.store.latest_screening(Subject::Application, app)?.ok_or("no screening at the office")?;
    assert_eq!(seen.data.evaluation.result, Verdict::Pass);
    assert_eq!(office.state_hash()?, hq.state_hash(&[])?);

    // The same screening with its inputs changed to a group of six and its "pass" left alone.
    let mut fields =
        north.store.all_rows()?.into_iter().find(|r| r.entity == Entity::Screening).ok_or("no row")?.fields;
    let mut members_json = fields["inputs"]["members"].as_array().cloned().ok_or("no members")?;
    for i in 0..3 {
        let mut extra = members_json[i].clone();
        extra["id"] = json!(Uuid::now_v7());
        members_json.push(extra);
    }
    fields["inputs"]["members"] = Value::Array(members_json);
    let op = Op {
        entity: Entity::Screening,
        entity_id: Uuid::now_v7(),
        op: OpKind::Insert,
        base_version: 0,
        fields,
    };
    let receipt = &push_forged(&north, 7, vec![op]).await?;
    assert_eq!(
        (receipt.status, receipt.code.as_deref()),
        (ReceiptStatus::Rejected, Some(codes::INVALID_TRANSITION))
    );
    assert!(receipt.message.as_deref().unwrap_or("").contains("GROUP_SIZE"), "{receipt:?}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'screening'").await?, 1);
    Ok(())
}

/// Pushes `ops` as one envelope of `desk`, sealed as a desk would, and returns the receipt.
async fn push_forged(
    desk: &Desk,
    device_seq: i64,
    ops: Vec<Op>,
) -> Result<korpus_sync::protocol::Receipt, Error> {
    let forged = Envelope {
        id: Uuid::now_v7(),
        device: desk.store.device_id(),
        device_seq,
        hlc: Hlc { wall_ms: 1, counter: 0 },
        author: "north".into(),
        app_version: "0".into(),
        schema_version: 7,
        rulebook_version: "2017-pilot.2".into(),
        ops,
        resolves: None,
    };
    let client = desk.client.clone().ok_or("not enrolled")?;
    let (answer, _) = client
        .push(&PushRequest { envelopes: vec![SealedEnvelope { hash: forged.hash(), envelope: forged }] })
        .await?;
    Ok(answer.receipts.into_iter().next().ok_or("no receipt")?)
}

/// Three applications of `region` on `desk`, scored by a commission of three, the best two
/// selected and drawn: the decision and the lottery.
fn draw_three(
    north: &mut Desk,
    r1: &str,
) -> Result<
    (
        korpus_store::Record<korpus_domain::selection::commission::CommissionDecision>,
        korpus_store::Record<korpus_domain::selection::decisions::LotteryRecord>,
    ),
    Error,
> {
    use korpus_domain::selection::commission::{CommissionMemberInput, ScoreInput};
    let r1 = r1.to_owned();
    let mut apps = Vec::new();
    for a in 0..3u16 {
        let members: Vec<Uuid> = (0..3)
            .map(|i| north.add_person(1000 + a * 300 + i * 100, "Серікова", &r1))
            .collect::<Result<_, _>>()?;
        let input = korpus_domain::ApplicationInput {
            path: "initiative_group".into(),
            leader_id: members.first().copied(),
            members,
            name: format!("Жастар театры {a}"),
            territory: "Ауыл".into(),
            goal: "Театр ашу".into(),
            target_group: "Жастар".into(),
            description: "Ауыл жастары сахнаға шығады".into(),
            direction: "culture_leisure".into(),
            budget: "700000".into(),
            region: r1.clone(),
            host_org_id: None,
        };
        apps.push(north.store.add_application(&input)?.application.id);
    }
    north.store.screen_cohort(2017)?;
    let criteria: Vec<String> =
        north.store.rulebook().commission.criteria.iter().map(|c| c.code.clone()).collect();
    for (i, name) in ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"].iter().enumerate()
    {
        let role = if i == 0 { "chair" } else { "member" };
        let input = CommissionMemberInput {
            region: r1.clone(),
            full_name: (*name).into(),
            position: None,
            role: role.into(),
        };
        let member = north.store.add_commission_member(&input)?.id;
        for (a, app) in apps.iter().enumerate() {
            let points = criteria.iter().map(|c| (c.clone(), (2 + a + i).to_string())).collect();
            let sheet = ScoreInput { points, conflict_of_interest: false };
            north.store.record_score(&app.to_string(), &member.to_string(), &sheet)?;
        }
    }
    let decision = north.store.decide_commission(&korpus_store::CommissionDecisionInput {
        region: r1.clone(),
        cut_off: "top:2".into(),
        decided_on: "20.05.2017".into(),
        decided_by: "Ахметова Сәуле".into(),
        reason: None,
    })?;
    let lottery = north.store.draw_lottery(&korpus_store::LotteryDrawInput {
        region: r1.clone(),
        seed: "Жеребе 2017: 04 11 27".into(),
        drawn_on: "25.05.2017".into(),
        drawn_by: "Сейітов Нұрлан".into(),
        reason: None,
    })?;
    Ok((decision, lottery))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commission_decision_and_its_lottery_reach_every_desk_and_a_forged_draw_is_refused()
-> Result<(), Error> {
    use korpus_domain::selection::decisions::{decision_id, kinds};
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut office = Desk::enrolled(&hq, "hq").await?;
    let (decision, lottery) = draw_three(&mut north, &r1)?;
    let report = north.sync().await?;
    assert_eq!(report.rejected, 0, "{report:?}");
    office.sync().await?;
    let seen = office.store.lottery(&lottery.id.to_string())?;
    assert_eq!(seen.data, lottery.data, "the office holds the very record drawn in the north");
    assert_eq!(office.store.arms(2017)?, lottery.data.arms());
    assert!(office.store.verify_lottery(&lottery.id.to_string())?.discrepancies.is_empty());
    assert_eq!(office.store.ranking(&r1)?.decision.map(|d| d.id), Some(decision.id));
    assert_eq!(office.state_hash()?, hq.state_hash(&[])?);

    let row = |entity: Entity| -> Result<serde_json::Map<String, Value>, Error> {
        Ok(north.store.all_rows()?.into_iter().find(|r| r.entity == entity).ok_or("no row")?.fields)
    };
    // A replacement draw with one group's arm written over: HQ draws again and refuses it.
    let mut forged = row(Entity::Lottery)?;
    forged["supersedes"] = json!(lottery.id);
    forged["reason"] = json!("the seed was misread");
    let arm = forged["draw"]["assignments"][0]["arm"].as_str().unwrap_or("A").to_owned();
    forged["draw"]["assignments"][0]["arm"] = json!(if arm == "A" { "B" } else { "A" });
    let id = decision_id(kinds::LOTTERY, 2017, &r1, Some(lottery.id));
    let insert =
        |entity, entity_id, fields| Op { entity, entity_id, op: OpKind::Insert, base_version: 0, fields };
    let receipt = push_forged(&north, 1000, vec![insert(Entity::Lottery, id, forged)]).await?;
    assert_eq!(
        (receipt.status, receipt.code.as_deref()),
        (ReceiptStatus::Rejected, Some(codes::INVALID_TRANSITION))
    );
    assert!(receipt.message.as_deref().unwrap_or("").contains("does not verify"), "{receipt:?}");

    // A second "first" lottery of the region under an id of its own choosing: refused by its id.
    let receipt =
        push_forged(&north, 1001, vec![insert(Entity::Lottery, Uuid::now_v7(), row(Entity::Lottery)?)])
            .await?;
    assert_eq!(receipt.code.as_deref(), Some(codes::INVALID_TRANSITION), "{receipt:?}");
    assert!(receipt.message.as_deref().unwrap_or("").contains("lottery has the id"), "{receipt:?}");

    // The decision again under its own id: it is on record, once.
    let receipt = push_forged(
        &north,
        1002,
        vec![insert(Entity::CommissionDecision, decision.id, row(Entity::CommissionDecision)?)],
    )
    .await?;
    assert_eq!(receipt.code.as_deref(), Some(codes::ROW_EXISTS), "{receipt:?}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'lottery'").await?, 1);

    // A drawn group edited around the desk's checks: a person swapped in, a member removed, the
    // budget raised. HQ refuses each as a transition the decision does not allow.
    let drawn = lottery.data.input.units[0].application_id;
    let rows = north.store.all_rows()?;
    let member = rows
        .iter()
        .find(|r| r.entity == Entity::ApplicationMember && r.fields["application_id"] == json!(drawn))
        .ok_or("no member")?;
    let stranger = north.add_person(2900, "Бөтенова", &r1)?;
    north.sync().await?;
    let mut joined = member.fields.clone();
    joined["person_id"] = json!(stranger);
    let version = |entity: Entity, id: Uuid| -> Result<i64, Error> {
        Ok(north
            .store
            .all_rows()?
            .into_iter()
            .find(|r| r.entity == entity && r.id == id)
            .ok_or("no row")?
            .version)
    };
    let member_version = version(Entity::ApplicationMember, member.id)?;
    let change =
        |entity, entity_id, op, base_version, fields| Op { entity, entity_id, op, base_version, fields };
    let forged_edits = [
        change(Entity::ApplicationMember, Uuid::now_v7(), OpKind::Insert, 0, joined),
        change(Entity::ApplicationMember, member.id, OpKind::Delete, member_version, serde_json::Map::new()),
        change(
            Entity::ApplicationMember,
            member.id,
            OpKind::Update,
            member_version,
            serde_json::Map::from_iter([("person_id".to_owned(), json!(stranger))]),
        ),
        change(
            Entity::Application,
            drawn,
            OpKind::Update,
            version(Entity::Application, drawn)?,
            serde_json::Map::from_iter([("budget".to_owned(), json!(1_000_000))]),
        ),
    ];
    for (seq, op) in (1003..).zip(forged_edits) {
        let what = format!("{} {:?}", op.entity, op.op);
        let receipt = push_forged(&north, seq, vec![op]).await?;
        assert_eq!(
            (receipt.status, receipt.code.as_deref()),
            (ReceiptStatus::Rejected, Some(codes::INVALID_TRANSITION)),
            "{what}: {receipt:?}"
        );
        let message = receipt.message.unwrap_or_default();
        assert!(
            message.contains("fixed by the evaluation commission's decision of 2017-05-20"),
            "{what}: {message}"
        );
    }
    let members_at_hq = hq
        .query_i64(&format!(
            "SELECT count(*) FROM rows WHERE entity = 'application_member' AND NOT deleted
             AND fields ->> 'application_id' = '{drawn}'"
        ))
        .await?;
    assert_eq!(members_at_hq, 3);
    // What the decision does not fix still travels: the sub-project's name.
    let receipt = push_forged(
        &north,
        1010,
        vec![change(
            Entity::Application,
            drawn,
            OpKind::Update,
            version(Entity::Application, drawn)?,
            serde_json::Map::from_iter([("name".to_owned(), json!("Жастар театры (жаңа атауы)"))]),
        )],
    )
    .await?;
    assert_eq!(receipt.status, ReceiptStatus::Applied, "{receipt:?}");

    // A member of the drawn group leaves: the withdrawal travels, and the office counts the
    // person in the arm drawn, apart as withdrawn.
    use korpus_domain::delivery::withdrawals::{WithdrawalInput, withdrawal_id};
    let leaver = member.fields["person_id"].as_str().ok_or("no person")?.to_owned();
    let input = WithdrawalInput {
        left_on: "01.08.2017".into(),
        reason: "moved_away".into(),
        notes: None,
        recorded_by: "Айгерім".into(),
    };
    north.store.withdraw(&drawn.to_string(), Some(&leaver), &input)?;
    let report = north.sync().await?;
    assert_eq!(report.rejected, 0, "{report:?}");
    office.sync().await?;
    assert_eq!(office.store.withdrawals(drawn)?.len(), 1);
    let total = office.store.indicators(2017)?.total;
    assert_eq!((total.beneficiaries.people, total.active.people, total.withdrawn), (6, 5, 1));
    let recorded = north
        .store
        .all_rows()?
        .into_iter()
        .find(|r| r.entity == Entity::Withdrawal)
        .ok_or("no withdrawal")?
        .fields;
    // Forged: a stranger "leaving" the group through another member's membership, and the
    // withdrawal rewritten. HQ refuses both.
    let mut forged = recorded.clone();
    forged["person_id"] = json!(stranger);
    let id = withdrawal_id(drawn, Some(stranger));
    let receipt = push_forged(&north, 1011, vec![insert(Entity::Withdrawal, id, forged)]).await?;
    assert_eq!(receipt.code.as_deref(), Some(codes::INVALID_TRANSITION), "{receipt:?}");
    assert!(receipt.message.as_deref().unwrap_or("").contains("member_id"), "{receipt:?}");
    let leaver_id = Uuid::parse_str(&leaver)?;
    let receipt = push_forged(
        &north,
        1012,
        vec![change(
            Entity::Withdrawal,
            withdrawal_id(drawn, Some(leaver_id)),
            OpKind::Update,
            1,
            serde_json::Map::from_iter([("reason".to_owned(), json!("health"))]),
        )],
    )
    .await?;
    assert_eq!(receipt.status, ReceiptStatus::Rejected, "{receipt:?}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'withdrawal'").await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_grievance_and_its_history_travel_and_are_stepped_on_either_desk() -> Result<(), Error> {
    use korpus_domain::delivery::grievances::{GrievanceInput, GrievanceStatus, GrievanceStepInput};
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut office = Desk::enrolled(&hq, "hq").await?;
    let input = GrievanceInput {
        received_on: "04.08.2017".into(),
        channel: "phone".into(),
        kind: "complaint".into(),
        category: "training".into(),
        anonymous: true,
        from_name: None,
        from_contact: None,
        text: "Тренинг орны алыс, жол ақысы төленбейді".into(),
    };
    let id = north.store.record_grievance(&r1, &input, None, None)?.grievance.id.to_string();
    let step = |step: &str, on: &str, note: Option<&str>| GrievanceStepInput {
        step: step.into(),
        taken_on: on.into(),
        note: note.map(Into::into),
    };
    north.store.grievance_step(&id, 1, &step("acknowledge", "07.08.2017", None))?;
    north.store.grievance_step(&id, 2, &step("assign", "07.08.2017", Some("Серікова А.")))?;
    north.store.plan_training(&r1)?;
    let report = north.sync().await?;
    assert_eq!((report.applied, report.rejected, report.conflict), (4, 0, 0), "{report:?}");

    office.sync().await?;
    let seen = office.store.grievance(&id)?;
    assert_eq!(seen.line.grievance.data.status, GrievanceStatus::Assigned);
    assert_eq!(seen.history.len(), 2);
    assert_eq!(office.store.training_events(Some(&r1))?.len(), 6);
    // The office resolves it; the north sees the resolution and the whole history.
    office.store.grievance_step(
        &id,
        seen.line.grievance.version,
        &step("resolve", "10.08.2017", Some("Жол ақысы өтелді")),
    )?;
    office.sync().await?;
    north.sync().await?;
    let back = north.store.grievance(&id)?;
    assert_eq!(back.line.grievance.data.status, GrievanceStatus::Resolved);
    assert_eq!(back.history.len(), 3);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    assert_eq!(office.state_hash()?, hq.state_hash(&[])?);
    Ok(())
}

#[tokio::test]
async fn a_sync_is_complete_when_hq_has_no_numbers_left_and_the_desk_keeps_its_own_series()
-> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    // The cohort's numbers are nearly all reserved: not one block of 100 is left.
    let next = hq
        .query_i64(
            "WITH s AS (INSERT INTO certificate_series (cohort, next) VALUES (2017, 999990)
             ON CONFLICT (cohort) DO UPDATE SET next = 999990 RETURNING next) SELECT next::bigint FROM s",
        )
        .await?;
    assert_eq!(next, 999_990);
    let mut desk = Desk::enrolled(&hq, "north").await?;
    desk.add_person(10, "Серікова", &r1)?;
    let report = desk.sync().await?;
    assert_eq!((report.applied, report.numbers_reserved), (1, 0), "{report:?}");
    assert_eq!(desk.store.hq_numbers_left(2017)?, 0);
    assert_eq!(desk.store.sync_state()?.map(|s| s.unsent), Some(0));
    assert_eq!(hq.query_i64("SELECT count(*) FROM certificate_blocks").await?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_rolls_reports_outreach_and_a_certificate_travel_and_a_certificate_is_never_rewritten()
-> Result<(), Error> {
    use korpus_domain::closing::certification::Holder;
    use korpus_domain::closing::reports::{ReportInput, expected_reports};
    use korpus_domain::delivery::training::{TrainingStage, arm_gives_grant, arm_gives_training};
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut office = Desk::enrolled(&hq, "hq").await?;
    let (_, lottery) = draw_three(&mut north, &r1)?;
    let (app, arm) = lottery.data.arms().into_iter().next().ok_or("nothing drawn")?;
    let key = app.to_string();
    let members: Vec<Uuid> = north.store.application(&key)?.members.iter().map(|m| m.id).collect();

    if arm_gives_grant(arm) {
        let input = korpus_domain::closing::money::GrantContractInput {
            number: "ГК-17/001".into(),
            signed_on: "26.06.2017".into(),
            sum_tenge: "700 000".into(),
        };
        north.store.save_contract(&key, None, &input)?;
    }
    north.store.record_scholarships(&r1, "2017-07")?;
    for kind in expected_reports(arm) {
        north.store.submit_report(
            &key,
            &ReportInput { kind: kind.code().into(), submitted_on: "14.12.2017".into() },
        )?;
    }
    if arm_gives_training(arm) {
        for event in north.store.plan_training(&r1)? {
            if matches!(
                event.data.stage,
                TrainingStage::Phase1Beneficiaries | TrainingStage::Phase3Beneficiaries
            ) {
                for day in 1..=u32::try_from(event.data.dates.len())? {
                    let marks: Vec<korpus_store::AttendanceMark> = members
                        .iter()
                        .map(|m| korpus_store::AttendanceMark { attendee_id: m.to_string(), present: true })
                        .collect();
                    north.store.record_attendance(&event.id.to_string(), day, &marks)?;
                }
            }
        }
    }
    let outreach = korpus_domain::closing::outreach::OutreachInput {
        kind: "promotion".into(),
        held_on: "12.04.2017".into(),
        place: "Орталық алаң".into(),
        partner: None,
        reached: "120".into(),
        women: "70".into(),
        vulnerable: "45".into(),
        notes: None,
    };
    north.store.record_outreach(&r1, &outreach)?;
    let key = korpus_app::secrets::device_signing_key(north.store.device_id())?;
    let certificate =
        north.store.issue_certificate(Holder::Person, &members[0].to_string(), "20.12.2017", &key)?;
    let report = north.sync().await?;
    assert_eq!(report.rejected, 0, "{report:?}");

    office.sync().await?;
    let seen = office.store.certificate(&certificate.data.number)?;
    assert_eq!(seen.data, certificate.data, "the office holds the certificate as issued");
    assert_eq!(office.store.grants(Some(&r1))?, north.store.grants(Some(&r1))?);
    assert_eq!(office.store.report_lines(Some(&r1))?, north.store.report_lines(Some(&r1))?);
    assert_eq!(office.store.money_totals()?, north.store.money_totals()?);
    assert_eq!(office.store.outreach_totals()?.last().map(|t| t.reached), Some(120));
    assert_eq!(count(&office.store, Entity::Scholarship), 6);
    assert_eq!(office.state_hash()?, hq.state_hash(&[])?);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);

    // A certificate is made once: renamed or issued again under its id, it is refused.
    let rename = Op {
        entity: Entity::Certificate,
        entity_id: certificate.id,
        op: OpKind::Update,
        base_version: 1,
        fields: serde_json::Map::from_iter([("full_name".to_owned(), json!("Басқа Адам"))]),
    };
    let receipt = push_forged(&north, 1000, vec![rename]).await?;
    assert_eq!(receipt.code.as_deref(), Some(codes::INVALID_TRANSITION), "{receipt:?}");
    let row =
        north.store.all_rows()?.into_iter().find(|r| r.entity == Entity::Certificate).ok_or("no row")?;
    let again = Op {
        entity: Entity::Certificate,
        entity_id: certificate.id,
        op: OpKind::Insert,
        base_version: 0,
        fields: row.fields,
    };
    let receipt = push_forged(&north, 1001, vec![again]).await?;
    assert_eq!(receipt.code.as_deref(), Some(codes::ROW_EXISTS), "{receipt:?}");

    // Numbers: issued before any block, the certificate took the desk's own series; the sync
    // reserved a block of 100 at HQ, and the office's sync the next 100, not one number shared.
    let device = north.store.device_id().simple().to_string().to_uppercase();
    assert_eq!(certificate.data.number, format!("2017-L{device}-0001"));
    assert_eq!(report.numbers_reserved, 100);
    let hq_blocks = |desk: &Desk| -> Result<Vec<(u32, u32)>, Error> {
        Ok(desk
            .store
            .certificate_blocks()?
            .into_iter()
            .filter(|b| b.source == korpus_domain::closing::certificate_number::BlockSource::Hq)
            .map(|b| (b.first, b.last))
            .collect())
    };
    assert_eq!(hq_blocks(&north)?, [(1, 100)]);
    assert_eq!(hq_blocks(&office)?, [(101, 200)]);
    let second =
        north.store.issue_certificate(Holder::Person, &members[1].to_string(), "20.12.2017", &key)?;
    assert_eq!(second.data.number, "2017-000001");
    assert_eq!(north.sync().await?.rejected, 0);

    // HQ verifies a code for anyone: genuine and on record; one letter of the name changed, not.
    let client = north.client.clone().ok_or("not enrolled")?;
    let code = korpus_domain::closing::certificate_code::CertificateCode::of(&second.data);
    let check = client.verify_certificate(&code.text()).await?;
    assert_eq!((check.genuine, check.problem.as_deref(), check.on_record), (true, None, Some(true)));
    let mut edited = code.clone();
    edited.full_name.push('а');
    let check = client.verify_certificate(&edited.text()).await?;
    assert_eq!((check.genuine, check.problem.as_deref()), (false, Some("bad_signature")));
    assert_eq!(client.verify_certificate("hello").await?.problem.as_deref(), Some("not_a_code"));

    // A desk cannot issue from another desk's block, nor sign for another key.
    let forged = |number: &str, key: &ed25519_dalek::SigningKey| -> Result<Op, Error> {
        let mut c = second.data.clone();
        c.holder_id = members[2];
        c.number = number.to_owned();
        c.signature = korpus_domain::closing::certificate_code::sign(&c, key);
        let Value::Object(fields) = serde_json::to_value(&c)? else { return Err("not an object".into()) };
        Ok(Op {
            entity: Entity::Certificate,
            entity_id: korpus_domain::closing::certification::certificate_id(2017, members[2]),
            op: OpKind::Insert,
            base_version: 0,
            fields,
        })
    };
    let receipt = push_forged(&north, 1002, vec![forged("2017-000150", &key)?]).await?;
    assert_eq!(receipt.code.as_deref(), Some(codes::NUMBER_NOT_RESERVED), "{receipt:?}");
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let receipt = push_forged(&north, 1003, vec![forged("2017-000050", &stranger)?]).await?;
    assert_eq!(receipt.code.as_deref(), Some(codes::BAD_SIGNATURE), "{receipt:?}");
    Ok(())
}

/// A host organisation of `region` selected in the 2017 competition, its memorandum signed: one
/// that may submit applications for groups (P:98-100).
fn selected_host_org(desk: &mut Desk, region: &str) -> Result<Uuid, Error> {
    use korpus_domain::selection::decisions::{HostOrgDecision, SelectionOutcome};
    use korpus_domain::{Bin, HostOrgCriteria, HostOrgInput};
    let yes = Some(true);
    let org = desk.store.add_host_org(&HostOrgInput {
        bin: (0..100).find_map(|s| Bin::compose(12, 3, 4, 0, s)).ok_or("no BIN")?.to_string(),
        name: "«Жастар ордасы» қоғамдық бірлестігі".into(),
        org_type: "non_commercial".into(),
        region: region.to_owned(),
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
    })?;
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2017, 4, d).ok_or("no date");
    let decision = HostOrgDecision {
        cohort: 2017,
        region: region.to_owned(),
        host_org_id: org.id,
        decided_on: day(20)?,
        decided_by: "Ахметова Сәуле".into(),
        outcome: SelectionOutcome::Selected,
        notes: None,
        memorandum_number: Some("7-М".into()),
        memorandum_date: Some(day(21)?),
    };
    desk.store.write(|w| korpus_store::insert_host_org_decision(w, &decision))?;
    Ok(org.id)
}

/// `count` applications of groups of three through `org`, their persons' IINs from `serial` on.
fn host_org_applications(
    desk: &mut Desk,
    org: Uuid,
    region: &str,
    serial: u16,
    count: u16,
) -> Result<Vec<(Uuid, korpus_domain::ApplicationInput)>, Error> {
    let mut made = Vec::new();
    for a in 0..count {
        let members: Vec<Uuid> = (0..3)
            .map(|i| desk.add_person(serial + a * 30 + i * 10, "Нұрланова", region))
            .collect::<Result<_, _>>()?;
        let input = korpus_domain::ApplicationInput {
            path: "host_org".into(),
            leader_id: None,
            members,
            name: format!("Аула {serial}-{a}"),
            territory: "Ауыл".into(),
            goal: "Аула жасау".into(),
            target_group: "Жастар".into(),
            description: "Ауыл жастарына арналған аула".into(),
            direction: "ecology_landscaping".into(),
            budget: "700000".into(),
            region: region.to_owned(),
            host_org_id: Some(org),
        };
        made.push((desk.store.add_application(&input)?.application.id, input));
    }
    Ok(made)
}

#[tokio::test]
async fn an_eighth_application_of_one_host_org_across_two_desks_is_a_case_until_the_count_is_back_within()
-> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    hq.admin(&["coordinator", "add", "--login", "north2", "--name", "Дана", "--region", &r1])?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut other = Desk::enrolled(&hq, "north2").await?;
    let org = selected_host_org(&mut north, &r1)?;
    north.sync().await?;
    other.sync().await?;
    // Offline, each desk holds at most seven of its applications: four here, four there.
    let first = host_org_applications(&mut north, org, &r1, 3000, 4)?;
    let second = host_org_applications(&mut other, org, &r1, 3300, 4)?;
    for desk in [&mut north, &mut other] {
        let report = desk.sync().await?;
        assert_eq!(report.rejected, 0, "{report:?}");
    }
    north.sync().await?;
    assert_eq!(count(&north.store, Entity::Application), 8, "HQ takes all eight: each was valid where made");
    let eighth = second.iter().chain(&first).map(|(id, _)| *id).max().ok_or("none")?;
    for desk in [&north, &other] {
        let cases = desk.store.sync_cases()?;
        assert_eq!(cases.len(), 1, "{cases:?}");
        assert_eq!(cases[0].kind, "host_org_over_limit");
        assert_eq!(cases[0].details["rows"], json!([eighth]), "the one made last is beyond the limit");
        assert_eq!(
            (cases[0].details["count"].clone(), cases[0].details["max"].clone()),
            (json!(8), json!(7))
        );
        let panel = korpus_app::sync::panel(&desk.store)?;
        let shown = panel.cases[0].host_org.clone().ok_or("no host organisation shown")?;
        assert_eq!(shown.name, "«Жастар ордасы» қоғамдық бірлестігі");
        assert_eq!((shown.count, shown.max), (8, 7));
        assert!(shown.beyond[0].starts_with("Аула 3"), "{shown:?}");
    }
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'host_org_over_limit'").await?, 1);

    // A ninth widens the same case; two groups moved to the initiative-group path bring the count
    // back to seven and resolve it.
    let ninth = host_org_applications(&mut other, org, &r1, 3600, 1)?;
    other.sync().await?;
    let cases = other.store.sync_cases()?;
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0].details["count"], json!(9));
    assert_eq!(cases[0].details["rows"].as_array().map(Vec::len), Some(2));
    for (id, input) in [&ninth[0], &second[3]] {
        let version = other.store.application(&id.to_string())?.application.version;
        let moved = korpus_domain::ApplicationInput {
            path: "initiative_group".into(),
            leader_id: input.members.first().copied(),
            host_org_id: None,
            ..input.clone()
        };
        other.store.edit_application(*id, version, &moved)?;
    }
    other.sync().await?;
    north.sync().await?;
    for desk in [&north, &other] {
        assert!(desk.store.sync_cases()?.is_empty(), "{:?}", desk.store.sync_cases()?);
    }
    assert_eq!(
        hq.query_i64("SELECT count(*) FROM cases WHERE kind = 'host_org_over_limit' AND status = 'resolved'")
            .await?,
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_records_history_names_the_other_desks_author_and_what_they_changed() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut a = Desk::enrolled(&hq, "north").await?;
    // A second laptop of the region, its user named as that desk names them.
    let mut b = Desk::new("Бауыржан Сейітов")?;
    let code = hq.code("north")?;
    korpus_app::sync::enrol(&mut b.store, &hq.url(), &code, "second laptop").await?;
    b.client = Some(korpus_app::sync::client_for(&b.store)?);
    let id = a.add_person(100, "Серікова", &r1)?;
    a.sync().await?;
    b.sync().await?;
    let on_b = b.store.history(korpus_domain::Entity::Person, id)?;
    assert_eq!(on_b.len(), 1, "{on_b:?}");
    assert_eq!(
        (on_b[0].here, on_b[0].author.as_str(), on_b[0].op),
        (false, "north", korpus_domain::OpKind::Insert)
    );
    assert_eq!(on_b[0].device, a.store.device_id());
    assert_eq!(on_b[0].fields["surname"], json!("Серікова"));

    let current = b.store.person(&id.to_string())?;
    let mut input = korpus_domain::PersonInput::from(&current.data);
    input.identity.phone = Some("+77022222222".into());
    b.store.edit_person(id, current.version, &input)?;
    b.sync().await?;
    a.sync().await?;
    let on_a = a.store.history(korpus_domain::Entity::Person, id)?;
    assert_eq!(on_a.len(), 2, "{on_a:?}");
    assert_eq!((on_a[0].here, on_a[0].author.as_str()), (false, "Бауыржан Сейітов"));
    assert_eq!(on_a[0].fields.keys().collect::<Vec<_>>(), ["phone"]);
    assert_eq!(on_a[0].fields["phone"], json!("+77022222222"));
    assert!(on_a[0].at >= on_a[1].at && !on_a[0].at.is_empty());
    assert_eq!(
        (on_a[1].here, on_a[1].author.as_str(), on_a[1].op),
        (true, "north", korpus_domain::OpKind::Insert)
    );
    Ok(())
}

#[tokio::test]
async fn a_lost_laptop_is_replaced_from_hq_and_its_last_backup_and_revoked_with_its_numbers()
-> Result<(), Error> {
    use korpus_domain::closing::certificate_code::{CertificateCode, sign};
    use korpus_domain::closing::certificate_number::BlockSource;
    use korpus_domain::closing::certification::{Certificate, Holder};
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut lost = Desk::enrolled(&hq, "north").await?;
    // Synced before the backup: a person with a scanned document.
    let synced = lost.add_person(100, "Серікова", &r1)?;
    let scan = b"%PDF-1.7\n a scanned certificate of unemployment".to_vec();
    let file = korpus_store::DocumentFile { name: "анықтама.pdf", bytes: &scan };
    let document = korpus_domain::DocumentInput {
        kind: "unemployment_status".into(),
        issue_date: "01.03.2017".into(),
        note: None,
    };
    lost.store.add_document(korpus_domain::DocumentOwner::Person, synced, &document, Some(file))?;
    lost.sync().await?;
    let lost_blocks: Vec<(u32, u32)> = lost
        .store
        .certificate_blocks()?
        .into_iter()
        .filter(|b| b.source == BlockSource::Hq)
        .map(|b| (b.first, b.last))
        .collect();
    assert_eq!(lost_blocks, [(1, 100)]);
    // Two registered and not sent; the backup; then the first reaches HQ, and one more is
    // registered and never sent before the laptop is lost.
    let sent_late = lost.add_person(200, "Бекова", &r1)?;
    let only_in_backup = lost.add_person(300, "Жанова", &r1)?;
    let unsent_scan = b"%PDF-1.7\n a disability certificate never sent".to_vec();
    let file = korpus_store::DocumentFile { name: "мүгедектік.pdf", bytes: &unsent_scan };
    lost.store.add_document(korpus_domain::DocumentOwner::Person, only_in_backup, &document, Some(file))?;
    let folder = tempfile::TempDir::new()?;
    lost.store.set_backup_settings(Some(folder.path()), 5)?;
    let backup = lost.store.backup(korpus_store::BackupReason::Manual)?;
    let client = lost.client.clone().ok_or("not enrolled")?;
    let first = unsent_sealed(&lost.store)?.into_iter().take(1).collect();
    client.push(&PushRequest { envelopes: first }).await?;
    let never_sent = lost.add_person(400, "Асанова", &r1)?;
    // A certificate number of the lost desk's block, signed with its key: genuine until revoked.
    let signing = korpus_app::secrets::device_signing_key(lost.store.device_id())?;
    let mut made = Certificate {
        cohort: 2017,
        region: r1.clone(),
        holder: Holder::Person,
        holder_id: synced,
        full_name: "Серікова Айгүл".into(),
        arm: None,
        completed_on: chrono::NaiveDate::from_ymd_opt(2017, 12, 1).ok_or("date")?,
        number: "2017-000005".into(),
        issued_on: chrono::NaiveDate::from_ymd_opt(2017, 12, 20).ok_or("date")?,
        device_id: lost.store.device_id(),
        rulebook_version: "2017-pilot.2".into(),
        outcomes: Vec::new(),
        signature: String::new(),
    };
    made.signature = sign(&made, &signing);
    let unused = CertificateCode::of(&made).text();
    assert!(client.verify_certificate(&unused).await?.genuine);

    // The new laptop: enrolled anew for the same account, its region restored from HQ.
    let mut new = Desk::enrolled(&hq, "north").await?;
    let report = new.sync().await?;
    assert_eq!(report.files_down, 1, "{report:?}");
    let sha256 = new
        .store
        .all_rows()?
        .iter()
        .find(|r| r.entity == Entity::Document)
        .and_then(|r| r.fields["file_sha256"].as_str().map(str::to_owned))
        .ok_or("no document on the new desk")?;
    assert_eq!(new.store.scanned_file(&sha256)?, scan);
    assert!(new.store.certificate_blocks()?.iter().any(|b| b.source == BlockSource::Hq && b.first == 101));
    assert_eq!(count(&new.store, Entity::Person), 2, "what HQ held: the synced person and the one sent late");

    // Its own backup is no lost desk's; another account's desk cannot replay this one.
    let key = korpus_store::DbKey::passphrase("test");
    let own = new.store.backup(korpus_store::BackupReason::Manual)?;
    let refused =
        korpus_app::sync::replay_backup(&mut new.store, &own.path, &key, true).await.expect_err("own");
    assert_eq!(refused.code(), "validation");
    let mut south = Desk::enrolled(&hq, "south").await?;
    let refused =
        korpus_app::sync::replay_backup(&mut south.store, &backup.path, &key, true).await.expect_err("south");
    assert_eq!(refused.code(), codes::NOT_YOUR_DEVICE);

    // The lost desk's backup replayed: what HQ held is answered as held, the rest applied.
    let replayed = korpus_app::sync::replay_backup(&mut new.store, &backup.path, &key, true).await?;
    assert_eq!((replayed.envelopes, replayed.duplicate, replayed.applied), (3, 1, 2), "{replayed:?}");
    assert_eq!(replayed.files, 1);
    assert!(replayed.revoked);
    assert_eq!(replayed.retired, ["2017: 1..=100"]);
    // The rows come down; the scan the lost desk never sent goes up once its document is here.
    new.sync().await?;
    new.sync().await?;
    assert!(new.store.blobs_to_upload()?.is_empty());
    assert_eq!(hq.query_i64("SELECT count(*) FROM blobs").await?, 2);
    let persons: std::collections::BTreeSet<Uuid> =
        new.store.all_rows()?.iter().filter(|r| r.entity == Entity::Person).map(|r| r.id).collect();
    assert_eq!(persons, [synced, sent_late, only_in_backup].into_iter().collect());
    assert!(!persons.contains(&never_sent), "written after the last backup, it is lost with the laptop");
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person'").await?, 3);
    assert_eq!(hq.query_i64("SELECT count(*) - count(DISTINCT id) FROM envelopes").await?, 0);
    assert_eq!(new.state_hash()?, hq.state_hash(&[&r1])?);

    // Replayed again: nothing is applied twice. The lost desk is refused, its numbers retired.
    // Again, from the command line: nothing is applied twice.
    let again = std::process::Command::new(binary("korpus")?)
        .args(["--json", "sync", "replay"])
        .arg(&backup.path)
        .env("KORPUS_DB", new.db_path())
        .env("KORPUS_DB_KEY", "test")
        .output()?;
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let answer = String::from_utf8_lossy(&again.stdout);
    assert!(answer.contains("\"duplicate\": 3") && answer.contains("\"applied\": 0"), "{answer}");
    let err = lost.sync().await.expect_err("a revoked desk synced");
    assert_eq!(err.code(), codes::DEVICE_REVOKED);
    let check = client.verify_certificate(&unused).await?;
    assert_eq!((check.genuine, check.problem.as_deref()), (false, Some("number_not_reserved")));
    Ok(())
}

#[tokio::test]
async fn desks_sync_over_tls_pinning_hqs_certificate_and_hq_reaches_postgres_over_tls() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start_tls().await?;
    assert!(hq.url().starts_with("https://"));
    let mut a = Desk::enrolled(&hq, "north").await?;
    let mut b = Desk::enrolled(&hq, "north").await?;
    a.add_person(100, "Серікова", &r1)?;
    assert_eq!(a.sync().await?.applied, 1);
    b.sync().await?;
    assert_eq!(count(&b.store, Entity::Person), 1);
    let given = hq.certificate().map(|c| c.trim().to_owned());
    assert_eq!(b.store.sync_state()?.and_then(|s| s.hq_certificate), given, "pinned at enrolment");
    // HQ's connections to PostgreSQL are TLS, every one (this query's own is left out).
    let ours = "FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()";
    assert!(hq.query_i64(&format!("SELECT count(*) {ours} AND s.ssl")).await? > 0);
    assert_eq!(hq.query_i64(&format!("SELECT count(*) {ours} AND NOT s.ssl")).await?, 0);

    // A desk that does not pin it trusts the system's roots, which do not know HQ's certificate:
    // nothing is sent, and the error says it is the certificate, not the network.
    let mut stranger = Desk::new("c")?;
    let err = korpus_app::sync::enrol(&mut stranger.store, &hq.url(), &hq.code("north")?, "c")
        .await
        .expect_err("an untrusted certificate was accepted");
    assert_eq!(err.code(), "SYNC_CERTIFICATE");
    assert!(err.message(korpus_domain::Lang::En).starts_with("HQ's certificate is not one this desk trusts"));
    assert!(stranger.store.sync_state()?.is_none());
    // Not a certificate: named by its field, before anything is sent.
    let err = korpus_app::sync::enrol_pinned(
        &mut stranger.store,
        &hq.url(),
        &hq.code("north")?,
        "c",
        Some("hello"),
    )
    .await
    .expect_err("not a certificate");
    assert_eq!(err.fields(korpus_domain::Lang::En)[0].field, "certificate");

    // The command line: enrolled with the certificate HQ gave, it syncs over HTTPS.
    let dir = tempfile::TempDir::new()?;
    let pem = dir.path().join("hq.pem");
    std::fs::write(&pem, hq.certificate().ok_or("no certificate")?)?;
    let korpus = |args: &[&str]| -> Result<std::process::Output, Error> {
        Ok(std::process::Command::new(binary("korpus")?)
            .args(args)
            .env("KORPUS_DB", dir.path().join("korpus.db"))
            .env("KORPUS_DB_KEY", "cli tls")
            .env("KORPUS_LANG", "en")
            .output()?)
    };
    assert!(korpus(&["init"])?.status.success());
    let code = hq.code("north")?;
    let url = hq.url();
    let pem_arg = pem.to_str().ok_or("path")?;
    let enrolled = korpus(&["sync", "enrol", "--server", &url, "--code", &code, "--certificate", pem_arg])?;
    assert!(enrolled.status.success(), "{}", String::from_utf8_lossy(&enrolled.stderr));
    let synced = korpus(&["--json", "sync"])?;
    assert!(synced.status.success(), "{}", String::from_utf8_lossy(&synced.stderr));
    let listed = korpus(&["--json", "person", "list"])?;
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Серікова"));
    Ok(())
}

/// Issue 20, point 5: HQ publishes a new cohort's rulebook, checked as a built-in one; a desk
/// takes it at its next sync and its forms check by it (a 30-year-old refused before is taken
/// after, and HQ accepts the envelope made under it); another desk with no network takes HQ's
/// signed file from the command line. A file changed on its way, a rulebook of a later schema
/// (by sync and by file) and a version reused with other numbers are refused, named, in Kazakh.
#[tokio::test]
async fn a_rulebook_published_at_hq_reaches_desks_by_sync_and_by_file_and_a_new_cohort_runs_by_it()
-> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let dir = tempfile::TempDir::new()?;
    let file = |name: &str, text: &str| -> Result<String, Error> {
        let path = dir.path().join(name);
        std::fs::write(&path, text)?;
        Ok(path.display().to_string())
    };
    let next = file("2018.toml", &korpus_sync_tests::rulebook_2018())?;
    let published = hq.admin(&["rulebook", "publish", &next])?;
    assert!(published.contains("published rulebook 2018-cohort.1 of cohort 2018"), "{published}");
    assert!(hq.admin(&["rulebook", "publish", &next])?.contains("already published"));
    // The same version with other numbers, a later schema, numbers that disagree: refused.
    let reused =
        file("reused.toml", &korpus_sync_tests::rulebook_2018().replace("age_max = 30 ", "age_max = 31 "))?;
    let refused = hq.admin(&["rulebook", "publish", &reused]).map_err(|e| e.to_string()).unwrap_err();
    assert!(refused.contains("2018-cohort.1 already names other numbers"), "{refused}");
    let later =
        file("later.toml", &korpus_sync_tests::rulebook_2018().replace("schema = 1 ", "schema = 2 "))?;
    let refused = hq.admin(&["rulebook", "publish", &later]).map_err(|e| e.to_string()).unwrap_err();
    assert!(refused.contains("schema 2"), "{refused}");
    let inverted =
        file("inverted.toml", &korpus_sync_tests::rulebook_2018().replace("size_min = 3", "size_min = 6"))?;
    let refused = hq.admin(&["rulebook", "publish", &inverted]).map_err(|e| e.to_string()).unwrap_err();
    assert!(refused.contains("size_min"), "{refused}");
    assert_eq!(hq.admin(&["rulebook", "list"])?.lines().count(), 1);

    // A desk enrolled before: 30 is too old by the pilot's rulebook.
    let mut desk = Desk::enrolled(&hq, "north").await?;
    let thirty = chrono::NaiveDate::from_ymd_opt(1986, 6, 1).ok_or("date")?;
    let young = korpus_sync_tests::person_born(300, "Омарова", &r1, thirty);
    let error = desk.store.add_person(&young).map_err(|e| e.message(korpus_domain::Lang::En)).unwrap_err();
    assert!(error.contains("age 30") && error.contains("18-29"), "{error}");
    let report = desk.sync().await?;
    assert_eq!(report.rulebooks.taken, ["2018-cohort.1"]);
    assert_eq!(report.rulebooks.now_current.as_deref(), Some("2018-cohort.1"));
    assert!(report.message(korpus_domain::Lang::Kk).contains("2018-cohort.1"));
    assert_eq!(desk.store.rulebook().version, "2018-cohort.1");
    assert_eq!(desk.store.rulebook().cohort, 2018);
    let added = desk.store.add_person(&young)?;
    let sealed = unsent_sealed(&desk.store)?;
    assert_eq!(sealed.len(), 1);
    assert_eq!(sealed[0].envelope.rulebook_version, "2018-cohort.1");
    // HQ checks the envelope by the published rulebook: applied, not refused as too old.
    let report = desk.sync().await?;
    assert_eq!((report.applied, report.rejected), (1, 0), "{report:?}");
    assert!(report.rulebooks.taken.is_empty());
    assert_eq!(hq.query_i64(&format!("SELECT count(*) FROM rows WHERE id = '{}'", added.id)).await?, 1);

    // A later HQ published a rulebook of a schema this build does not read: the sync completes,
    // says so, and asks for it again next time.
    let future = serde_json::to_value(korpus_domain::Rulebook::pilot_2017())?;
    let mut future = future;
    future["schema"] = json!(2);
    future["version"] = json!("2019-future.1");
    future["cohort"] = json!(2019);
    future["group"]["quota"] = json!(4);
    hq.query_i64(&format!(
        "INSERT INTO rulebooks (version, cohort, schema, body) VALUES ('2019-future.1', 2019, 2, '{}')
         RETURNING seq",
        future.to_string().replace('\'', "''")
    ))
    .await?;
    for _ in 0..2 {
        let report = desk.sync().await?;
        assert_eq!(report.rulebooks.refused.len(), 1, "{report:?}");
        assert_eq!(report.rulebooks.refused[0].version, "2019-future.1");
        let said = report.message(korpus_domain::Lang::Kk);
        assert!(said.contains("2019-future.1") && said.contains("Korpus-ты жаңартыңыз"), "{said}");
        assert_eq!(desk.store.rulebook().version, "2018-cohort.1");
    }

    // A desk with no network: HQ's signed file on a USB stick, from the command line.
    let usb = dir.path().join("2018-cohort.1.rulebook");
    hq.admin(&["rulebook", "export", "2018-cohort.1", "--out", &usb.display().to_string()])?;
    let db = dir.path().join("korpus.db");
    let korpus = |args: &[&str]| korpus_sync_tests::korpus_cli(&db, "rulebook test", args);
    assert!(korpus(&["init"])?.status.success());
    // Not enrolled: no HQ key to check the file with.
    let unchecked = korpus(&["rulebook", "import", &usb.display().to_string()])?;
    assert_eq!(unchecked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unchecked.stderr).contains("штабқа тіркелмеген"));
    let code = hq.code("north")?;
    let enrolled = korpus(&["sync", "enrol", "--server", &hq.url(), "--code", &code, "--name", "USB"])?;
    assert!(enrolled.status.success(), "{}", String::from_utf8_lossy(&enrolled.stderr));
    // One number changed on the stick: refused whole, nothing taken.
    let bytes = std::fs::read(&usb)?;
    let mut signed: Value = serde_json::from_slice(&zstd::decode_all(&bytes[..])?)?;
    let payload = signed["payload"].as_str().ok_or("payload")?.replace("\"age_max\":30", "\"age_max\":35");
    assert!(payload.contains("\"age_max\":35"));
    signed["payload"] = json!(payload);
    let edited = dir.path().join("edited.rulebook");
    std::fs::write(&edited, zstd::encode_all(&serde_json::to_vec(&signed)?[..], 3)?)?;
    let out = korpus(&["rulebook", "import", &edited.display().to_string()])?;
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Ережелер жинағы") && said.contains("қол қоймаған"), "{said}");
    let shown: Value = serde_json::from_slice(&korpus(&["--json", "rulebook", "show"])?.stdout)?;
    assert_eq!(shown["current"], json!("2017-pilot.4"));
    // The genuine file: the 2018 cohort is current.
    let out = korpus(&["rulebook", "import", &usb.display().to_string()])?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2018-cohort.1"));
    let shown: Value = serde_json::from_slice(&korpus(&["--json", "rulebook", "show"])?.stdout)?;
    assert_eq!((shown["current"].clone(), shown["cohort"].clone()), (json!("2018-cohort.1"), json!(2018)));
    // HQ's file of the later schema's rulebook: refused by name, in Russian when asked.
    let later_file = dir.path().join("2019.rulebook");
    hq.admin(&["rulebook", "export", "2019-future.1", "--out", &later_file.display().to_string()])?;
    let out = korpus(&["--lang", "ru", "rulebook", "import", &later_file.display().to_string()])?;
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("2019-future.1") && said.contains("обновите Korpus"), "{said}");
    let shown: Value = serde_json::from_slice(&korpus(&["--json", "rulebook", "show"])?.stdout)?;
    assert_eq!(shown["current"], json!("2018-cohort.1"));
    Ok(())
}
