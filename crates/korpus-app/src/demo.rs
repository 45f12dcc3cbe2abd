//! Realistic synthetic cases for demonstrations, trials and benchmarks: Kazakh and Russian names,
//! valid IINs and BINs, the pilot regions with their towns, groups and applications. Every record
//! goes through the same field checks and write path as one typed by a coordinator.

use crate::error::Result;
use chrono::{Datelike, Days, NaiveDate};
use korpus_domain::selection::decisions::{HostOrgDecision, SelectionOutcome};
use korpus_domain::{
    ApplicationInput, Bin, Context, DocumentOwner, HostOrg, HostOrgCriteria, HostOrgInput, IdentityInput,
    Iin, Mentor, MentorInput, Person, PersonInput, Rulebook, Sex, SubProjectApplication, SupportingDocument,
};
use korpus_store::{
    Store, Writer, insert_application, insert_document, insert_host_org, insert_host_org_decision,
    insert_mentor, insert_person,
};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const KK_MALE: &[&str] = &[
    "Ерлан",
    "Нұрлан",
    "Асқар",
    "Дәурен",
    "Бауыржан",
    "Ерболат",
    "Жандос",
    "Айдос",
    "Ержан",
    "Мағжан",
    "Әлібек",
    "Нұрсұлтан",
    "Қайрат",
    "Ғалымжан",
    "Серік",
    "Дархан",
    "Арман",
    "Темірлан",
    "Ілияс",
    "Өмірзақ",
    "Ұлан",
    "Бекзат",
    "Абылай",
    "Санжар",
    "Еламан",
];
const KK_FEMALE: &[&str] = &[
    "Әйгерім",
    "Айгүл",
    "Гүлнар",
    "Жанар",
    "Динара",
    "Аружан",
    "Мөлдір",
    "Назерке",
    "Ақерке",
    "Салтанат",
    "Жұлдыз",
    "Айым",
    "Гүлжан",
    "Ұлжан",
    "Іңкәр",
    "Балжан",
    "Қарлығаш",
    "Томирис",
    "Әсел",
    "Дана",
];
/// Surname stems; men's forms add "ов"/"ев"/"ин" as given, women's add "а".
const KK_SURNAMES: &[&str] = &[
    "Ахметов",
    "Сәрсенбаев",
    "Жұмабеков",
    "Нұрланов",
    "Қасымов",
    "Әбенов",
    "Оспанов",
    "Төлеубаев",
    "Серікбаев",
    "Байжанов",
    "Мұхаметжанов",
    "Ғабдуллин",
    "Өтемісов",
    "Ұзақбаев",
    "Есенов",
    "Құрманов",
    "Ысқақов",
    "Тоқтаров",
    "Бекмағанбетов",
    "Шәріпов",
];
const KK_FATHERS: &[&str] =
    &["Қанат", "Болат", "Серік", "Марат", "Ғани", "Әділ", "Нұржан", "Тимур", "Ерік", "Жомарт"];
const RU_MALE: &[&str] =
    &["Александр", "Дмитрий", "Сергей", "Андрей", "Алексей", "Максим", "Иван", "Артём", "Никита", "Егор"];
const RU_FEMALE: &[&str] =
    &["Анна", "Екатерина", "Мария", "Ольга", "Наталья", "Юлия", "Дарья", "Алёна", "Ксения", "Татьяна"];
const RU_SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Петров",
    "Волков",
    "Фёдоров",
    "Ковалёв",
    "Семёнов",
];
const RU_FATHERS: &[(&str, &str)] = &[
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Викторович", "Викторовна"),
    ("Николаевич", "Николаевна"),
    ("Владимирович", "Владимировна"),
];
const LOCALITIES: &[(&str, &[&str])] = &[
    ("190000000", &["Талдықорған", "Қонаев", "Есік", "Қаскелең", "Текелі", "Жаркент", "Үштөбе"]),
    ("350000000", &["Қарағанды", "Теміртау", "Жезқазған", "Балқаш", "Саран", "Шахтинск", "Қарқаралы"]),
    ("550000000", &["Павлодар", "Екібастұз", "Ақсу", "Баянауыл", "Ертіс"]),
    ("510000000", &["Шымкент", "Түркістан", "Кентау", "Сарыағаш", "Арыс", "Жетісай", "Ленгер"]),
];
const ORG_WORDS: &[&str] = &[
    "Жастар ордасы",
    "Болашақ",
    "Шаңырақ",
    "Ақ жол",
    "Жарқын",
    "Самғау",
    "Ынтымақ",
    "Дарын",
    "Сарыарқа",
    "Жігер",
];
const ORG_FORMS: &[(&str, &str)] = &[
    ("қоғамдық бірлестігі", "non_commercial"),
    ("қоғамдық қоры", "non_commercial"),
    ("жастар ұйымы", "youth_organisation"),
    ("ЖШС", "private_csr"),
];
const PROJECTS: &[(&str, &str)] = &[
    ("Жасыл аула", "ecology_landscaping"),
    ("Ауыл кітапханасы", "education"),
    ("Спорт алаңы", "healthy_lifestyle_sport"),
    ("Жастар театры", "culture_leisure"),
    ("Ардагерлерге көмек", "volunteering"),
    ("Робототехника үйірмесі", "science_technology"),
    ("Туристік соқпақ", "tourism"),
    ("Отбасы мерекесі", "family_values"),
    ("Жас азамат", "patriotic_civic"),
    ("Жылыжай", "rural_development"),
];
const EDUCATION: &[&str] =
    &["school_leaver", "tvet_student", "university_student", "tvet_graduate", "university_graduate", "other"];

/// What `demo_data` added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    /// Persons added.
    pub persons: usize,
    /// Host organisations added.
    pub host_orgs: usize,
    /// Applications added.
    pub applications: usize,
    /// Mentors added.
    pub mentors: usize,
    /// Supporting documents of host organisations and mentors added.
    pub documents: usize,
    /// Competition decisions on host organisations.
    pub host_org_decisions: usize,
}

/// An application and the persons of its group.
type Grouped = (SubProjectApplication, Vec<Uuid>);

/// Records written per transaction: large enough to amortise the commit, small enough to keep
/// memory flat.
const BATCH: usize = 2_000;

struct Names {
    rng: StdRng,
    used_iins: HashSet<String>,
}

impl Names {
    fn identity(&mut self, birth: NaiveDate, region: &str, localities: &[&'static str]) -> IdentityInput {
        let rng = &mut self.rng;
        let sex = if rng.random_bool(0.52) { Sex::Female } else { Sex::Male };
        let kazakh = rng.random_bool(0.75);
        let female = sex == Sex::Female;
        let pick = |rng: &mut StdRng, list: &[&'static str]| *list.choose(rng).unwrap_or(&"Ахмет");
        let (given, surname, patronymic) = if kazakh {
            let given = pick(rng, if female { KK_FEMALE } else { KK_MALE });
            let stem = pick(rng, KK_SURNAMES);
            let surname = if female { format!("{stem}а") } else { stem.to_owned() };
            let father = pick(rng, KK_FATHERS);
            (given, surname, format!("{father}{}", if female { "қызы" } else { "ұлы" }))
        } else {
            let given = pick(rng, if female { RU_FEMALE } else { RU_MALE });
            let stem = pick(rng, RU_SURNAMES);
            let surname = if female { format!("{stem}а") } else { stem.to_owned() };
            let (m, f) = *RU_FATHERS.choose(rng).unwrap_or(&RU_FATHERS[0]);
            (given, surname, (if female { f } else { m }).to_owned())
        };
        let iin = loop {
            let serial = rng.random_range(0..10_000u16);
            if let Some(iin) = Iin::compose(birth, sex, serial).map(|i| i.to_string())
                && self.used_iins.insert(iin.clone())
            {
                break iin;
            }
        };
        let rng = &mut self.rng;
        IdentityInput {
            iin,
            surname,
            given_name: given.to_owned(),
            patronymic: Some(patronymic),
            sex: None,
            birth_date: None,
            phone: Some(format!(
                "+7 70{} {:03} {:02} {:02}",
                rng.random_range(0..9),
                rng.random_range(0..1000),
                rng.random_range(0..100),
                rng.random_range(0..100)
            )),
            region: region.to_owned(),
            locality: pick(rng, localities).to_owned(),
        }
    }
}

fn day_between(rng: &mut StdRng, first: NaiveDate, last: NaiveDate) -> NaiveDate {
    let span = (last - first).num_days().max(0) as u64;
    first.checked_add_days(Days::new(rng.random_range(0..=span))).unwrap_or(first)
}

/// Adds `persons` synthetic persons to `store`, with host organisations (one per hundred
/// persons), mentors (one per two hundred) and applications grouping about 40 % of the persons
/// in groups of the rulebook's sizes. The same `seed` gives the same names and numbers.
pub fn demo_data(store: &mut Store, persons: usize, seed: u64) -> Result<DemoSummary> {
    let mut names = Names { rng: StdRng::seed_from_u64(seed), used_iins: store.registered_iins()? };
    let mut used_bins = store.registered_bins()?;
    let rulebook = store.rulebook().clone();
    let ctx = Context { rulebook: &rulebook, today: store.context().today };
    let Some(people) = make_persons(&mut names, &ctx, persons)? else {
        return Ok(DemoSummary {
            persons: 0,
            host_orgs: 0,
            applications: 0,
            mentors: 0,
            documents: 0,
            host_org_decisions: 0,
        });
    };
    let orgs = make_host_orgs(&mut names, &mut used_bins, &ctx, (persons / 100).max(LOCALITIES.len()))?;
    let mentors = make_mentors(&mut names, &ctx, (persons / 200).max(LOCALITIES.len()))?;
    let documents = make_documents(&mut names.rng, &rulebook, &orgs, &mentors);
    let decisions = make_host_org_decisions(&rulebook, &orgs, &documents);
    let selected: HashSet<Uuid> =
        decisions.iter().filter(|(_, d)| d.memorandum_number.is_some()).map(|(_, d)| d.host_org_id).collect();
    let open_to_groups: Vec<(Uuid, HostOrg)> =
        orgs.iter().filter(|(id, _)| selected.contains(id)).cloned().collect();
    let applications = make_applications(&mut names, &ctx, &people, &open_to_groups)?;
    let summary = DemoSummary {
        persons: people.len(),
        host_orgs: orgs.len(),
        applications: applications.len(),
        mentors: mentors.len(),
        documents: documents.len(),
        host_org_decisions: decisions.len(),
    };
    write_all(store, &people, insert_person)?;
    write_all(store, &orgs, insert_host_org)?;
    write_all(store, &mentors, insert_mentor)?;
    write_all(store, &documents, insert_document)?;
    write_all(store, &decisions, |w, _, d| insert_host_org_decision(w, d))?;
    write_all(store, &applications, |w, id, (app, members)| {
        insert_application(w, id, app, members, &rulebook)
    })?;
    Ok(summary)
}

/// Writes `records` in transactions of [`BATCH`], an envelope each.
fn write_all<T>(
    store: &mut Store,
    records: &[(Uuid, T)],
    insert: impl Fn(&mut Writer<'_>, Uuid, &T) -> korpus_store::Result<()>,
) -> Result<()> {
    for chunk in records.chunks(BATCH) {
        store.write_batch(|b| chunk.iter().try_for_each(|(id, r)| b.record(|w| insert(w, *id, r))))?;
    }
    Ok(())
}

/// Persons of the rulebook's ages on its reference date, a realistic share of them vulnerable;
/// none when the rulebook's ages make no date.
fn make_persons(names: &mut Names, ctx: &Context<'_>, persons: usize) -> Result<Option<Vec<(Uuid, Person)>>> {
    let rulebook = ctx.rulebook;
    let reference = rulebook.reference_date;
    let (oldest, youngest) = (
        reference
            .with_year(reference.year() - rulebook.beneficiary.age_max as i32 - 1)
            .and_then(|d| d.succ_opt()),
        reference.with_year(reference.year() - rulebook.beneficiary.age_min as i32),
    );
    let (Some(oldest), Some(youngest)) = (oldest, youngest) else {
        return Ok(None);
    };
    let mut people = Vec::with_capacity(persons);
    for _ in 0..persons {
        let (region, localities) = *LOCALITIES.choose(&mut names.rng).unwrap_or(&LOCALITIES[0]);
        let birth = day_between(&mut names.rng, oldest, youngest);
        let identity = names.identity(birth, region, localities);
        let rng = &mut names.rng;
        let mut vulnerability = Vec::new();
        let mut income = None;
        match rng.random_range(0..10) {
            0..=2 => vulnerability.push("neet".to_owned()),
            3 => vulnerability.extend(["neet".to_owned(), "registered_unemployed".to_owned()]),
            4 => vulnerability.push("unproductively_self_employed".to_owned()),
            5 => {
                vulnerability.push("working_poor".to_owned());
                income = Some(rng.random_range(4_000..9_000).to_string());
            }
            _ => {}
        }
        let input = PersonInput {
            identity,
            education: (*EDUCATION.choose(rng).unwrap_or(&"other")).to_owned(),
            vulnerability,
            disability: rng.random_bool(0.05),
            income_per_member: income,
        };
        people.push((Uuid::now_v7(), input.validate(ctx)?));
    }

    Ok(Some(people))
}

/// Host organisations in every region: most meet every criterion, some fail one, some are not
/// checked yet.
fn make_host_orgs(
    names: &mut Names,
    used_bins: &mut HashSet<String>,
    ctx: &Context<'_>,
    org_count: usize,
) -> Result<Vec<(Uuid, HostOrg)>> {
    let reference = ctx.rulebook.reference_date;
    let mut orgs = Vec::with_capacity(org_count);
    for i in 0..org_count {
        let rng = &mut names.rng;
        let (region, localities) = LOCALITIES[i % LOCALITIES.len()];
        let registered = day_between(
            rng,
            NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(reference),
            NaiveDate::from_ymd_opt(2015, 12, 31).unwrap_or(reference),
        );
        let bin = loop {
            let serial = rng.random_range(0..100_000u32);
            let bin = Bin::compose((registered.year() % 100) as u8, registered.month() as u8, 4, 0, serial)
                .map(|b| b.to_string());
            if let Some(bin) = bin
                && used_bins.insert(bin.clone())
            {
                break bin;
            }
        };
        let (form, org_type) = *ORG_FORMS.choose(rng).unwrap_or(&ORG_FORMS[0]);
        let locality = *localities.choose(rng).unwrap_or(&localities[0]);
        // A realistic competition: most organisations confirm every criterion, some are found
        // wanting on one, and some have not been checked yet.
        let criteria = match rng.random_range(0..20) {
            0..=13 => HostOrgCriteria::all(Some(true)),
            14..=16 => {
                let mut c = HostOrgCriteria::all(Some(true));
                let failing = *HostOrgCriteria::FIELDS.choose(rng).unwrap_or(&"no_debts");
                c.set(failing, Some(false));
                c
            }
            _ => HostOrgCriteria {
                no_debts: Some(true),
                head_and_accountant: Some(true),
                ..HostOrgCriteria::default()
            },
        };
        let input = HostOrgInput {
            bin,
            name: format!("«{}» {form} ({locality})", ORG_WORDS.choose(rng).unwrap_or(&ORG_WORDS[0])),
            org_type: org_type.to_owned(),
            region: region.to_owned(),
            locality: locality.to_owned(),
            registration_date: registered.to_string(),
            head_name: Some(format!(
                "{} {}",
                KK_SURNAMES.choose(rng).unwrap_or(&"Ахметов"),
                KK_MALE.choose(rng).unwrap_or(&"Ерлан")
            )),
            accountant_name: Some(format!(
                "{}а {}",
                KK_SURNAMES.choose(rng).unwrap_or(&"Ахметов"),
                KK_FEMALE.choose(rng).unwrap_or(&"Әсел")
            )),
            phone: None,
            criteria,
        };
        orgs.push((Uuid::now_v7(), input.validate(ctx)?));
    }

    Ok(orgs)
}

/// Mentors: adults older than the rulebook's minimum on the cohort's reference date.
fn make_mentors(names: &mut Names, ctx: &Context<'_>, mentor_count: usize) -> Result<Vec<(Uuid, Mentor)>> {
    let rulebook = ctx.rulebook;
    let reference = rulebook.reference_date;
    let mut mentors = Vec::with_capacity(mentor_count);
    for i in 0..mentor_count {
        let (region, localities) = LOCALITIES[i % LOCALITIES.len()];
        let min_age = rulebook.mentor.age_min_exclusive as i32 + 1;
        let birth = day_between(
            &mut names.rng,
            reference.with_year(reference.year() - 60).unwrap_or(reference),
            reference.with_year(reference.year() - min_age - 1).unwrap_or(reference),
        );
        let identity = names.identity(birth, region, localities);
        let rng = &mut names.rng;
        let input = MentorInput {
            identity,
            occupation: (*[
                "social_worker",
                "tvet_staff",
                "entrepreneur",
                "youth_resource_centre",
                "active_resident",
            ]
            .choose(rng)
            .unwrap_or(&"other"))
            .to_owned(),
            workplace: None,
            experience_years: rng.random_range(1..25).to_string(),
            education: (*["higher", "specialised_secondary", "general_secondary"]
                .choose(rng)
                .unwrap_or(&"higher"))
            .to_owned(),
            project_experience: rng.random_bool(0.6),
        };
        mentors.push((Uuid::now_v7(), input.validate(ctx, None)?));
    }

    Ok(mentors)
}

/// Applications: about 40 % of each region's persons, in groups of the rulebook's sizes, half of
/// them through a host organisation with room for one more.
fn make_applications(
    names: &mut Names,
    ctx: &Context<'_>,
    people: &[(Uuid, Person)],
    orgs: &[(Uuid, HostOrg)],
) -> Result<Vec<(Uuid, Grouped)>> {
    let rulebook = ctx.rulebook;
    let (size_min, size_max) = (rulebook.group.size_min as usize, rulebook.group.size_max as usize);
    let mut by_region: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for (id, p) in people {
        by_region.entry(p.identity.region.as_str()).or_default().push(*id);
    }
    let mut org_slots: HashMap<&str, Vec<(Uuid, u32)>> = HashMap::new();
    for (id, org) in orgs {
        org_slots.entry(org.region.as_str()).or_default().push((*id, 0));
    }
    let mut applications = Vec::new();
    let mut regions: Vec<&str> = by_region.keys().copied().collect();
    regions.sort_unstable();
    for region in regions {
        let mut pool = by_region.remove(region).unwrap_or_default();
        pool.shuffle(&mut names.rng);
        let mut grouped = 0;
        while grouped < pool.len() * 2 / 5 {
            let size = names.rng.random_range(size_min..=size_max);
            if grouped + size > pool.len() {
                break;
            }
            let members = pool[grouped..grouped + size].to_vec();
            grouped += size;
            let rng = &mut names.rng;
            let slot = org_slots.get_mut(region).and_then(|slots| {
                let free: Vec<usize> =
                    (0..slots.len()).filter(|&i| slots[i].1 < rulebook.host_org.max_applications).collect();
                let &i = free.choose(rng)?;
                slots[i].1 += 1;
                Some(slots[i].0)
            });
            let through_org = slot.filter(|_| rng.random_bool(0.5));
            let (project, direction) = *PROJECTS.choose(rng).unwrap_or(&PROJECTS[0]);
            let locality = LOCALITIES
                .iter()
                .find(|(r, _)| *r == region)
                .and_then(|(_, l)| l.choose(rng))
                .copied()
                .unwrap_or("");
            let input = ApplicationInput {
                path: if through_org.is_some() { "host_org" } else { "initiative_group" }.to_owned(),
                host_org_id: through_org,
                leader_id: Some(members[0]),
                members,
                name: format!("{project} — {locality}"),
                territory: locality.to_owned(),
                goal: format!("{project}: {locality} жастарының бастамасы"),
                target_group: "Ауыл жастары, оның ішінде осал жастар".to_owned(),
                description:
                    "Жоба жастардың бос уақытын пайдалы өткізуге және ауылдың әлеуметтік өміріне үлес қосады."
                        .to_owned(),
                direction: direction.to_owned(),
                budget: (rng.random_range(300..=1_000) * 1_000).to_string(),
                region: region.to_owned(),
            };
            applications.push((Uuid::now_v7(), input.validate(ctx)?));
        }
    }

    Ok(applications)
}

/// The competition's decisions (P:98-100): an organisation that confirms every criterion and
/// brought every document is selected, with its memorandum of cooperation signed; one found wanting
/// is not; one whose criteria are not checked yet has no decision. Only selected organisations
/// submit applications.
fn make_host_org_decisions(
    rulebook: &Rulebook,
    orgs: &[(Uuid, HostOrg)],
    documents: &[(Uuid, SupportingDocument)],
) -> Vec<(Uuid, HostOrgDecision)> {
    let decided_on = rulebook.reference_date + Days::new(6);
    let mut decisions = Vec::new();
    for (n, (id, org)) in orgs.iter().enumerate() {
        let c = &org.criteria;
        let answers = [
            c.registered_in_region,
            c.charter_matches,
            c.youth_experience,
            c.head_and_accountant,
            c.no_debts,
            c.not_unscrupulous,
            c.documents_complete,
        ];
        if answers.iter().any(Option::is_none) {
            continue;
        }
        let brought = documents.iter().filter(|(_, d)| d.owner_id == *id).count();
        let selected =
            answers.iter().all(|a| *a == Some(true)) && brought >= rulebook.documents.host_org.len();
        decisions.push((
            Uuid::now_v7(),
            HostOrgDecision {
                cohort: rulebook.cohort,
                region: org.region.clone(),
                host_org_id: *id,
                decided_on,
                decided_by: "Ахметова Сәуле".to_owned(),
                outcome: if selected { SelectionOutcome::Selected } else { SelectionOutcome::Rejected },
                notes: None,
                memorandum_number: selected.then(|| format!("{}-М", n + 1)),
                memorandum_date: selected.then_some(decided_on + Days::new(3)),
            },
        ));
    }
    decisions
}

/// Supporting documents: most candidates brought the whole list, some one short.
fn make_documents(
    rng: &mut StdRng,
    rulebook: &Rulebook,
    orgs: &[(Uuid, HostOrg)],
    mentors: &[(Uuid, Mentor)],
) -> Vec<(Uuid, SupportingDocument)> {
    let reference = rulebook.reference_date;
    let mut documents = Vec::new();
    for (owner, id, region, kinds) in orgs
        .iter()
        .map(|(id, o)| (DocumentOwner::HostOrg, *id, o.region.clone(), &rulebook.documents.host_org))
        .chain(mentors.iter().map(|(id, m)| {
            (DocumentOwner::Mentor, *id, m.identity.region.clone(), &rulebook.documents.mentor)
        }))
    {
        let short = rng.random_range(0..5) == 0;
        for kind in kinds.iter().skip(usize::from(short)) {
            documents.push((
                Uuid::now_v7(),
                SupportingDocument {
                    owner,
                    owner_id: id,
                    kind: *kind,
                    issue_date: day_between(rng, reference - Days::new(90), reference),
                    note: None,
                    file_sha256: None,
                    file_name: None,
                    file_size: None,
                    region: region.clone(),
                },
            ));
        }
    }
    documents
}
