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
async fn a_desk_restored_from_an_older_copy_takes_its_own_lost_changes_whole() -> Result<(), Error> {
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
