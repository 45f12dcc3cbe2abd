//! No echoes (issue 19, point 3): a desk's pull does not bring back whole what the desk wrote
//! itself. HQ names its own envelopes that applied as written by their numbers; one HQ merged with
//! another desk's change comes whole; a desk restored from an older copy, which lacks some of its
//! own envelopes, takes them whole. Real parts: PostgreSQL, a korpus-hq process, HTTP, SQLCipher
//! desks, the session keyring.

use korpus_sync::protocol::OwnChanges;
use korpus_sync_tests::{Desk, Error, Hq, person, regions};

#[tokio::test]
async fn a_desk_gets_its_own_changes_back_as_numbers_and_another_desk_gets_them_whole() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    for serial in 0..30 {
        north.add_person(serial * 7, "Ахметова", &r1)?;
    }
    let report = north.sync().await?;
    assert_eq!((report.applied, report.progress.pulled, report.whole_pages), (30, 0, 0));
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes WHERE clean").await?, 30);

    // What HQ answers for them: their numbers, against the rows whole.
    let client = north.client.clone().ok_or("not enrolled")?;
    let (brief, brief_traffic) = client.pull(0, 1000, OwnChanges::Brief).await?;
    assert!(brief.changes.is_empty(), "{:?}", brief.changes);
    assert_eq!(brief.own, vec![[1, 30]]);
    assert_eq!((brief.cursor, brief.head), (30, 30));
    let (full, full_traffic) = client.pull(0, 1000, OwnChanges::Full).await?;
    assert_eq!(full.changes.len(), 30);
    assert!(full.own.is_empty());
    assert!(
        brief_traffic.down * 10 < full_traffic.down,
        "brief {} bytes, whole {} bytes",
        brief_traffic.down,
        full_traffic.down
    );
    // A page holds at most `limit` runs of them, and the cursor stops where it ends.
    let (small, _) = client.pull(0, 1, OwnChanges::Brief).await?;
    assert_eq!((small.own.clone(), small.cursor), (vec![[1, 30]], 30));

    // Another desk of the region gets every row whole.
    let mut village = Desk::enrolled(&hq, "north").await?;
    let report = village.sync().await?;
    assert_eq!((report.progress.pulled, report.whole_pages), (30, 0));
    assert_eq!(village.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn an_edit_hq_merged_with_another_desks_comes_back_whole() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut village = Desk::enrolled(&hq, "north").await?;
    let id = north.add_person(11, "Сейтова", &r1)?;
    north.sync().await?;
    village.sync().await?;

    // The village desk changes the phone, north the surname, from the same version.
    let mut input = person(11, "Сейтова", &r1);
    input.identity.phone = Some("+77011234567".into());
    village.store.edit_person(id, 1, &input)?;
    village.sync().await?;
    let mut input = person(11, "Сейтова-Нұрланқызы", &r1);
    north.store.edit_person(id, 1, &input.clone())?;
    let report = north.sync().await?;
    assert_eq!(report.applied, 1);
    // North's edit was merged (HQ had version 2, north wrote on 1): it came back whole, with the
    // village's phone, at HQ's version.
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes WHERE NOT clean").await?, 1);
    let here = north.store.person(&id.to_string())?;
    assert_eq!(here.version, 3);
    assert_eq!(here.data.identity.surname, "Сейтова-Нұрланқызы");
    let phone = village.store.person(&id.to_string())?.data.identity.phone;
    assert!(phone.is_some());
    assert_eq!(here.data.identity.phone, phone);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);

    // An edit on top of it, written at HQ's version, applies as written again.
    input.identity.locality = "Жаңа ауыл".into();
    north.store.edit_person(id, 3, &input)?;
    let report = north.sync().await?;
    assert_eq!((report.applied, report.progress.pulled), (1, 0));
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes WHERE NOT clean").await?, 1);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    village.sync().await?;
    assert_eq!(village.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn a_desk_restored_from_an_older_copy_takes_its_own_changes_whole_and_numbers_new_ones_after_hqs()
-> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    for serial in 0..3 {
        north.add_person(serial * 7, "Бекова", &r1)?;
    }
    north.sync().await?;
    let copy = north.snapshot()?;
    let mut later = Vec::new();
    for serial in 3..7 {
        later.push(north.add_person(serial * 7, "Бекова", &r1)?);
    }
    north.sync().await?;

    // The laptop's disk is replaced; the copy of before the last four goes back on.
    north.restore(&copy)?;
    assert!(north.store.person(&later[0].to_string()).is_err());
    let report = north.sync().await?;
    // HQ named the four by number; this database does not hold them, so it took the page whole.
    assert_eq!((report.whole_pages, report.progress.pulled), (1, 4));
    for id in &later {
        assert_eq!(north.store.person(&id.to_string())?.data.identity.surname, "Бекова");
    }
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);

    // What the coordinator types on the restored copy is numbered as before the restore (4, 5):
    // HQ refuses those numbers, the desk numbers them again after HQ's highest, and they apply.
    let typed = [north.add_person(7 * 7, "Бекова", &r1)?, north.add_person(8 * 7, "Бекова", &r1)?];
    let report = north.sync().await?;
    assert_eq!((report.renumbered, report.applied, report.rejected), (2, 2, 0));
    for id in typed {
        assert_eq!(
            hq.query_i64(&format!("SELECT count(*) FROM rows WHERE id = '{id}' AND NOT deleted")).await?,
            1
        );
    }
    let seqs = hq
        .query_i64(&format!(
            "SELECT count(DISTINCT device_seq) FROM receipts WHERE device = '{}' AND device_seq BETWEEN 1 AND 9",
            north.store.device_id()
        ))
        .await?;
    assert_eq!(seqs, 9);
    assert_eq!(north.store.sync_state()?.ok_or("not enrolled")?.unsent, 0);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn a_pull_sent_back_to_the_start_by_a_settled_removal_takes_every_page_whole() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut village = Desk::enrolled(&hq, "north").await?;
    let p = north.add_person(21, "Жұмабаева", &r1)?;
    let q = north.add_person(28, "Омарова", &r1)?;
    north.sync().await?;
    village.sync().await?;

    // The village changes Q; north takes that, then changes Q itself and removes P, while the
    // village changes P.
    let mut village_q = person(28, "Омарова", &r1);
    village_q.identity.phone = Some("+77015550001".into());
    village.store.edit_person(q, 1, &village_q)?;
    village.sync().await?;
    north.sync().await?;
    let mut north_q = village_q.clone();
    north_q.identity.locality = "Өзен".into();
    north.store.edit_person(q, 2, &north_q)?;
    north.store.remove_record(korpus_domain::Entity::Person, p, 1)?;
    let mut village_p = person(21, "Жұмабаева", &r1);
    village_p.identity.phone = Some("+77015550002".into());
    village.store.edit_person(p, 1, &village_p)?;
    village.sync().await?;
    let report = north.sync().await?;
    assert_eq!((report.applied, report.conflict), (1, 1));

    // North takes HQ's side: P comes back, and the pull starts again from the beginning. Q's
    // older change by the village comes again; north's own later one must follow it whole.
    let case =
        north.store.sync_cases()?.into_iter().find(|c| c.kind == "conflict").ok_or("no conflict case")?;
    korpus_app::sync::resolve(&mut north.store, case.id, "theirs", &Default::default())?;
    assert!(north.store.replaying()?);
    north.sync().await?;
    assert!(!north.store.replaying()?);
    let q_here = north.store.person(&q.to_string())?;
    assert_eq!((q_here.version, q_here.data.identity.locality.as_str()), (3, "Өзен"));
    assert_eq!(
        north.store.person(&p.to_string())?.data.identity.phone,
        village.store.person(&p.to_string())?.data.identity.phone
    );
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn a_page_taken_whole_does_not_undo_a_later_change_of_the_desks_own() -> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    // A copy taken while P is not yet sent.
    let p = north.add_person(63, "Тұрсынова", &r1)?;
    let copy = north.snapshot()?;
    north.sync().await?;
    north.add_person(70, "Тұрсынова", &r1)?;
    north.sync().await?;

    // Put back, the desk sends P again (HQ has it: server_seq 1) and changes P's phone. Pages of
    // two: the first names P's registration and Q's, which this copy lacks, so it comes whole;
    // P's registration in it is older than the desk's own change of P, which HQ applied as
    // written and names in the next page only.
    north.restore(&copy)?;
    let mut input = person(63, "Тұрсынова", &r1);
    input.identity.phone = Some("+77015550003".into());
    north.store.edit_person(p, 1, &input)?;
    let report = north.sync_small(50, 2).await?;
    assert_eq!((report.duplicate, report.applied, report.renumbered), (1, 1, 1));
    assert!(report.whole_pages >= 1);
    let here = north.store.person(&p.to_string())?;
    assert_eq!(here.version, 2);
    assert!(here.data.identity.phone.is_some());
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}

#[tokio::test]
async fn a_conflict_settled_on_a_copy_since_put_back_is_let_go_and_the_row_comes_back_as_hq_holds_it()
-> Result<(), Error> {
    let (r1, _, _) = regions();
    let hq = Hq::start().await?;
    let mut north = Desk::enrolled(&hq, "north").await?;
    let mut village = Desk::enrolled(&hq, "north").await?;
    let p = north.add_person(77, "Әлиева", &r1)?;
    north.sync().await?;
    village.sync().await?;
    // The same field changed on both desks: north's change is a conflict.
    let mut theirs = person(77, "Әлиева", &r1);
    theirs.identity.phone = Some("+77015550004".into());
    village.store.edit_person(p, 1, &theirs)?;
    village.sync().await?;
    let mut mine = person(77, "Әлиева", &r1);
    mine.identity.phone = Some("+77015550005".into());
    north.store.edit_person(p, 1, &mine)?;
    let report = north.sync().await?;
    assert_eq!(report.conflict, 1);
    let copy = north.snapshot()?;

    // Settled on the desk, taking HQ's side; then the copy from before is put back. HQ holds no
    // open case for the change the copy still keeps waiting.
    let case = north.store.sync_cases()?.into_iter().find(|c| c.kind == "conflict").ok_or("no case")?;
    korpus_app::sync::resolve(&mut north.store, case.id, "theirs", &Default::default())?;
    north.sync().await?;
    north.restore(&copy)?;
    assert_eq!(north.store.sync_state()?.ok_or("not enrolled")?.conflicts, 1);
    north.sync().await?;
    let state = north.store.sync_state()?.ok_or("not enrolled")?;
    assert_eq!(
        (state.conflicts, state.unsent, state.cursor),
        (0, 0, hq.query_i64("SELECT server_seq FROM sync_head").await?)
    );
    assert!(!north.store.replaying()?);
    assert_eq!(north.store.person(&p.to_string())?.data.identity.phone, theirs.identity.phone);
    assert_eq!(north.state_hash()?, hq.state_hash(&[&r1])?);
    Ok(())
}
