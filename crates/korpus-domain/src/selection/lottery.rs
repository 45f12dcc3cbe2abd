//! The random assignment of selected groups to arms A, B and C (PROGRAMME.md, The three groups):
//! a deterministic draw from a canonical list of groups and a seed drawn in public, stratified,
//! whole groups together, with a written rule for remainders. `docs/lottery.md` describes the
//! algorithm precisely enough to re-implement it; its worked example is a test here, and
//! `docs/lottery_reference.py`, written from that page alone, is checked against this code.

use crate::codes::code_enum;
use crate::rulebook::{ArmShares, Stratum};
use crate::validation::FieldError;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The version of the algorithm new draws are made with; kept with every draw.
pub const ALGORITHM: &str = Algorithm::CURRENT.name();

/// A version of the algorithm. Each draw keeps the version that made it, and is verified by that
/// version: a draw made under `korpus-lottery/1` verifies under `/1` for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `korpus-lottery/1`: the canonical input lists each group and its strata.
    V1,
    /// `korpus-lottery/2`: each group's members (by IIN) are part of the canonical input, so a
    /// person swapped into a drawn group changes the input hash.
    V2,
}

impl Algorithm {
    /// The version new draws are made with.
    pub const CURRENT: Algorithm = Algorithm::V2;

    /// The version's name, as a record keeps it.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::V1 => "korpus-lottery/1",
            Algorithm::V2 => "korpus-lottery/2",
        }
    }

    /// The version named `name`, if this build implements it.
    pub fn parse(name: &str) -> Option<Algorithm> {
        [Algorithm::V1, Algorithm::V2].into_iter().find(|a| a.name() == name)
    }
}

/// The longest seed taken, in characters.
const SEED_MAX: usize = 200;

code_enum! {
    /// An arm of the randomised evaluation (PROGRAMME.md lines 66-71).
    Arm, "arm" {
        /// Training, grant and mentor.
        A = "A",
        /// Grant only.
        B = "B",
        /// Training and mentor, no grant.
        C = "C",
    }
}

impl Arm {
    /// The arm's weight in `shares`.
    pub fn weight(self, shares: &ArmShares) -> u32 {
        match self {
            Arm::A => shares.a,
            Arm::B => shares.b,
            Arm::C => shares.c,
        }
    }
}

/// Unicode's `White_Space` characters (PropList.txt), on which a typed seed is split. Written out
/// rather than left to a language's `split()`: Rust's `split_whitespace` is exactly this set, but
/// Python's `str.split()` also splits on U+001C to U+001F, and JavaScript's `\s` on U+FEFF, so
/// the page names the set and every implementation uses it.
pub const WHITE_SPACE: [char; 25] = [
    '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2001}',
    '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}',
    '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
];

/// A seed as drawn in public and typed in: trimmed, with every run of white space made one space.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seed(String);

impl Seed {
    /// Reads a seed as typed, naming `field` when it is empty, too long (over 200 code points once
    /// normalised) or holds a control character (general category Cc) that is not white space.
    pub fn parse(field: &'static str, typed: &str) -> Result<Seed, FieldError> {
        let seed = typed.split(WHITE_SPACE).filter(|piece| !piece.is_empty()).collect::<Vec<_>>().join(" ");
        if seed.is_empty() {
            return Err(FieldError::new(field, "error-required"));
        }
        let count = seed.chars().count();
        if count > SEED_MAX {
            return Err(FieldError::new(field, "error-too-long").arg("max", SEED_MAX).arg("count", count));
        }
        if seed.chars().any(char::is_control) {
            return Err(FieldError::new(field, "error-control-characters"));
        }
        Ok(Seed(seed))
    }

    /// The seed's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One selected group as the lottery sees it: its application, the values of its strata and its
/// members.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unit {
    /// The values of the strata, in the order the input names them (region first).
    pub stratum: Vec<String>,
    /// The group's application.
    pub application_id: Uuid,
    /// The IINs of the group's members, ascending once canonical (`korpus-lottery/2`; empty in
    /// the records of `/1`, and then left out of their JSON, which stays as it was).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// What a draw is made from: the cohort and region, the arms' weights, the strata and the groups.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryInput {
    /// The programme year.
    pub cohort: i32,
    /// The region (KATO code) drawn for.
    pub region: String,
    /// The arms' weights (from the rulebook).
    pub weights: ArmShares,
    /// The strata (from the rulebook), region first.
    pub strata: Vec<Stratum>,
    /// The groups, in canonical order once [`LotteryInput::canonical`] has run.
    pub units: Vec<Unit>,
}

/// A group's arm.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The group's application.
    pub application_id: Uuid,
    /// Its arm.
    pub arm: Arm,
}

/// The result of a draw.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// [`ALGORITHM`].
    pub algorithm: String,
    /// The seed.
    pub seed: Seed,
    /// SHA-256 of the canonical input, in lowercase hex.
    pub input_sha256: String,
    /// SHA-256 of the canonical output, in lowercase hex.
    pub output_sha256: String,
    /// Every group's arm, in canonical input order.
    pub assignments: Vec<Assignment>,
}

/// Why a draw cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LotteryError {
    /// No group to draw.
    #[error("there is no group to draw")]
    Empty,
    /// Every weight is zero.
    #[error("every arm's weight is zero")]
    NoWeight,
    /// A group's stratum values do not match the strata named, or hold a tab or newline.
    #[error("group {0}: its stratum values do not fit the strata")]
    BadStratum(Uuid),
    /// A group is listed twice.
    #[error("group {0} is listed twice")]
    Duplicate(Uuid),
    /// The strata do not begin with the region.
    #[error("the strata must begin with the region")]
    StrataWithoutRegion,
    /// A group lies in another region than the lottery's.
    #[error("group {0} is not in the lottery's region")]
    OtherRegion(Uuid),
    /// A group has no member (`korpus-lottery/2` draws people, not only groups).
    #[error("group {0} has no member")]
    NoMembers(Uuid),
    /// A member is not written as an IIN (12 digits).
    #[error("group {0}: a member is not an IIN of 12 digits")]
    BadMember(Uuid),
    /// A person is a member of two groups, or twice of one.
    #[error("person {0} is a member of two groups")]
    MemberTwice(String),
}

impl LotteryInput {
    /// The input in canonical order (groups sorted by stratum values, then by id), checked.
    pub fn canonical(mut self) -> Result<LotteryInput, LotteryError> {
        if self.units.is_empty() {
            return Err(LotteryError::Empty);
        }
        if self.weights.a + self.weights.b + self.weights.c == 0 {
            return Err(LotteryError::NoWeight);
        }
        if self.strata.first() != Some(&Stratum::Region) {
            return Err(LotteryError::StrataWithoutRegion);
        }
        let clean = |v: &str| !v.is_empty() && !v.contains(['\t', '\n', '\r']);
        for u in &self.units {
            if u.stratum.len() != self.strata.len() || !u.stratum.iter().all(|v| clean(v)) {
                return Err(LotteryError::BadStratum(u.application_id));
            }
            if u.stratum[0] != self.region {
                return Err(LotteryError::OtherRegion(u.application_id));
            }
        }
        self.units.sort_by(|x, y| {
            x.stratum
                .cmp(&y.stratum)
                .then_with(|| x.application_id.to_string().cmp(&y.application_id.to_string()))
        });
        let mut ids: Vec<Uuid> = self.units.iter().map(|u| u.application_id).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(LotteryError::Duplicate(pair[0]));
        }
        let mut everyone: BTreeSet<String> = BTreeSet::new();
        for u in &mut self.units {
            if !u.members.iter().all(|m| m.len() == 12 && m.bytes().all(|b| b.is_ascii_digit())) {
                return Err(LotteryError::BadMember(u.application_id));
            }
            u.members.sort_unstable();
            if let Some(twice) = u.members.iter().find(|m| !everyone.insert((*m).clone())) {
                return Err(LotteryError::MemberTwice(twice.clone()));
            }
        }
        Ok(self)
    }

    /// The canonical text of the input under the current algorithm (docs/lottery.md, "The
    /// canonical input"). Call on a [`LotteryInput::canonical`] input.
    pub fn text(&self) -> String {
        self.text_of(Algorithm::CURRENT)
    }

    /// The canonical text of the input under `algorithm`: `/1` leaves the members out.
    pub fn text_of(&self, algorithm: Algorithm) -> String {
        let strata: Vec<&str> = self.strata.iter().map(|s| s.code()).collect();
        let mut text = format!(
            "{}\ncohort\t{}\nregion\t{}\nweights\t{}\t{}\t{}\nstrata\t{}\n",
            algorithm.name(),
            self.cohort,
            self.region,
            self.weights.a,
            self.weights.b,
            self.weights.c,
            strata.join("\t")
        );
        for u in &self.units {
            text.push_str(&format!("unit\t{}\t{}\n", u.application_id, u.stratum.join("\t")));
            if algorithm == Algorithm::V2 {
                text.push_str(&format!("members\t{}\n", u.members.join("\t")));
            }
        }
        text
    }
}

/// Lowercase hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The random stream of a draw (docs/lottery.md, step 3): ChaCha20 keyed by the input and the
/// seed, read as 64-bit little-endian numbers. Public so that the page's example of `below(n)`
/// can be checked against it.
pub struct Stream(ChaCha20Rng);

impl Stream {
    fn new(input_text: &str, seed: &Seed) -> Stream {
        let mut hasher = Sha256::new();
        hasher.update(input_text.as_bytes());
        hasher.update(format!("seed\t{}\n", seed.as_str()).as_bytes());
        Stream::from_key(hasher.finalize().into())
    }

    /// The stream of a 32-byte key.
    pub fn from_key(key: [u8; 32]) -> Stream {
        Stream(ChaCha20Rng::from_seed(key))
    }

    /// The next draw: 8 bytes of the stream as an unsigned little-endian number.
    pub fn next_draw(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A whole number in `0..n` (`n` > 0), uniform: numbers of the incomplete last band of 2^64
    /// are drawn again (rejection), so no value is favoured. `on_draw` is told each draw and
    /// whether it was kept. Written out rather than taken from `rand`, whose range sampling is
    /// not part of any specification another language could follow.
    pub fn below_with(&mut self, n: u64, mut on_draw: impl FnMut(u64, bool)) -> u64 {
        // 2^64 mod n, computed without 2^64.
        let rejected = (u64::MAX % n + 1) % n;
        loop {
            let x = self.next_draw();
            let kept = rejected == 0 || x < 0u64.wrapping_sub(rejected);
            on_draw(x, kept);
            if kept {
                return x % n;
            }
        }
    }

    fn below(&mut self, n: u64) -> u64 {
        self.below_with(n, |_, _| {})
    }

    /// Fisher–Yates, from the last place down to the second.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// How many groups of a stratum of `n` each arm gets: each its whole share, then one more for
/// the arms with the largest remainders, ties broken by `tie_order` (docs/lottery.md, step 3).
fn quotas(n: u64, weights: &ArmShares, tie_order: &[Arm; 3]) -> BTreeMap<Arm, u64> {
    let total = u64::from(weights.a + weights.b + weights.c);
    let mut quotas: BTreeMap<Arm, u64> = BTreeMap::new();
    let mut remainders: Vec<(u64, usize, Arm)> = Vec::new();
    for arm in Arm::ALL.iter().copied() {
        let exact = n * u64::from(arm.weight(weights));
        quotas.insert(arm, exact / total);
        let rank = tie_order.iter().position(|a| *a == arm).unwrap_or(0);
        remainders.push((exact % total, rank, arm));
    }
    let left = n - quotas.values().sum::<u64>();
    remainders.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    for (_, _, arm) in remainders.into_iter().take(left as usize) {
        *quotas.entry(arm).or_default() += 1;
    }
    quotas
}

/// Draws the arms of every group of `input` with `seed` (docs/lottery.md, "The draw"), under the
/// current algorithm.
pub fn draw(input: LotteryInput, seed: &Seed) -> Result<Draw, LotteryError> {
    draw_with(Algorithm::CURRENT, input, seed)
}

/// Draws under `algorithm`: `/2` needs every group's members, `/1` leaves them out.
pub fn draw_with(algorithm: Algorithm, input: LotteryInput, seed: &Seed) -> Result<Draw, LotteryError> {
    let input = input.canonical()?;
    if algorithm == Algorithm::V2
        && let Some(empty) = input.units.iter().find(|u| u.members.is_empty())
    {
        return Err(LotteryError::NoMembers(empty.application_id));
    }
    let text = input.text_of(algorithm);
    let mut stream = Stream::new(&text, seed);
    let mut arms: BTreeMap<Uuid, Arm> = BTreeMap::new();
    let mut start = 0;
    while start < input.units.len() {
        let stratum = &input.units[start].stratum;
        let end = start + input.units[start..].iter().take_while(|u| &u.stratum == stratum).count();
        let mut tie_order = [Arm::A, Arm::B, Arm::C];
        stream.shuffle(&mut tie_order);
        let mut order: Vec<Uuid> = input.units[start..end].iter().map(|u| u.application_id).collect();
        stream.shuffle(&mut order);
        let quotas = quotas(order.len() as u64, &input.weights, &tie_order);
        let mut next = order.into_iter();
        for (arm, count) in &quotas {
            for id in next.by_ref().take(*count as usize) {
                arms.insert(id, *arm);
            }
        }
        start = end;
    }
    let assignments: Vec<Assignment> = input
        .units
        .iter()
        .filter_map(|u| {
            arms.get(&u.application_id).map(|arm| Assignment { application_id: u.application_id, arm: *arm })
        })
        .collect();
    Ok(Draw {
        algorithm: algorithm.name().to_owned(),
        seed: seed.clone(),
        input_sha256: sha256_hex(text.as_bytes()),
        output_sha256: sha256_hex(output_text(&assignments).as_bytes()),
        assignments,
    })
}

/// The canonical text of the output: one line per group, in canonical input order.
pub fn output_text(assignments: &[Assignment]) -> String {
    assignments.iter().map(|a| format!("assignment\t{}\t{}\n", a.application_id, a.arm)).collect()
}

/// What verifying a recorded draw found different.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discrepancy {
    /// The record names an algorithm this build does not implement.
    #[error("algorithm {0} is not known to this build")]
    Algorithm(String),
    /// The input cannot be drawn at all.
    #[error("the input cannot be drawn: {0}")]
    Input(String),
    /// The recorded input hash is not the hash of the input given.
    #[error("input hash: recorded {recorded}, recomputed {recomputed}")]
    InputHash {
        /// In the record.
        recorded: String,
        /// Of the input given.
        recomputed: String,
    },
    /// A group drawn now is not in the record.
    #[error("group {0} is not in the recorded draw")]
    Added(Uuid),
    /// A group of the record is not in the input given.
    #[error("group {0} of the recorded draw is missing")]
    Removed(Uuid),
    /// A person is a member of a drawn group now who was not when it was drawn.
    #[error("group {application_id}: member {iin} was not in it when it was drawn")]
    MemberAdded {
        /// The group.
        application_id: Uuid,
        /// The person's IIN.
        iin: String,
    },
    /// A person who was a member of a drawn group when it was drawn is not now.
    #[error("group {application_id}: member {iin} of the draw is missing")]
    MemberRemoved {
        /// The group.
        application_id: Uuid,
        /// The person's IIN.
        iin: String,
    },
    /// A group's arm differs.
    #[error("group {application_id}: recorded {recorded}, recomputed {recomputed}")]
    Arm {
        /// The group.
        application_id: Uuid,
        /// In the record.
        recorded: Arm,
        /// Drawn again.
        recomputed: Arm,
    },
    /// The recorded output hash is not the hash of the recorded assignments.
    #[error("output hash: recorded {recorded}, recomputed {recomputed}")]
    OutputHash {
        /// In the record.
        recorded: String,
        /// Of the recorded assignments.
        recomputed: String,
    },
}

impl Discrepancy {
    /// What differs, in the three languages.
    pub fn text(&self) -> crate::Text {
        let short = |hash: &str| hash.chars().take(16).collect::<String>();
        let (key, args): (&str, Vec<crate::messages::Arg>) = match self {
            Discrepancy::Algorithm(name) => (
                "lottery-differs-algorithm",
                vec![
                    ("algorithm", name.clone()),
                    ("ours", [Algorithm::V1, Algorithm::V2].map(Algorithm::name).join(", ")),
                ],
            ),
            Discrepancy::MemberAdded { application_id, iin } => (
                "lottery-differs-member-added",
                vec![("group", application_id.to_string()), ("iin", iin.clone())],
            ),
            Discrepancy::MemberRemoved { application_id, iin } => (
                "lottery-differs-member-removed",
                vec![("group", application_id.to_string()), ("iin", iin.clone())],
            ),
            Discrepancy::Input(why) => ("lottery-differs-input", vec![("why", why.clone())]),
            Discrepancy::InputHash { recorded, recomputed } => (
                "lottery-differs-input-hash",
                vec![("recorded", short(recorded)), ("recomputed", short(recomputed))],
            ),
            Discrepancy::Added(id) => ("lottery-differs-added", vec![("group", id.to_string())]),
            Discrepancy::Removed(id) => ("lottery-differs-removed", vec![("group", id.to_string())]),
            Discrepancy::Arm { application_id, recorded, recomputed } => (
                "lottery-differs-arm",
                vec![
                    ("group", application_id.to_string()),
                    ("recorded", recorded.code().to_owned()),
                    ("recomputed", recomputed.code().to_owned()),
                ],
            ),
            Discrepancy::OutputHash { recorded, recomputed } => (
                "lottery-differs-output-hash",
                vec![("recorded", short(recorded)), ("recomputed", short(recomputed))],
            ),
        };
        crate::messages::text(key, &args)
    }
}

/// Draws again from `input` with the recorded seed and the recorded algorithm, and names every
/// difference from `recorded`, whose input was `recorded_input`: an empty list means the draw is
/// what the algorithm gives. Under `korpus-lottery/2` a member added to or gone from a drawn group
/// is named too.
pub fn verify(recorded: &Draw, recorded_input: &LotteryInput, input: LotteryInput) -> Vec<Discrepancy> {
    let mut found = Vec::new();
    let Some(algorithm) = Algorithm::parse(&recorded.algorithm) else {
        found.push(Discrepancy::Algorithm(recorded.algorithm.clone()));
        return found;
    };
    let output = sha256_hex(output_text(&recorded.assignments).as_bytes());
    if output != recorded.output_sha256 {
        found.push(Discrepancy::OutputHash { recorded: recorded.output_sha256.clone(), recomputed: output });
    }
    if algorithm == Algorithm::V2 {
        found.extend(member_changes(recorded_input, &input));
    }
    let again = match draw_with(algorithm, input, &recorded.seed) {
        Ok(again) => again,
        Err(e) => {
            found.push(Discrepancy::Input(e.to_string()));
            return found;
        }
    };
    if again.input_sha256 != recorded.input_sha256 {
        found.push(Discrepancy::InputHash {
            recorded: recorded.input_sha256.clone(),
            recomputed: again.input_sha256.clone(),
        });
    }
    let was: BTreeMap<Uuid, Arm> = recorded.assignments.iter().map(|a| (a.application_id, a.arm)).collect();
    let now: BTreeMap<Uuid, Arm> = again.assignments.iter().map(|a| (a.application_id, a.arm)).collect();
    for (id, arm) in &now {
        match was.get(id) {
            None => found.push(Discrepancy::Added(*id)),
            Some(old) if old != arm => {
                found.push(Discrepancy::Arm { application_id: *id, recorded: *old, recomputed: *arm })
            }
            Some(_) => {}
        }
    }
    found.extend(was.keys().filter(|id| !now.contains_key(id)).map(|id| Discrepancy::Removed(*id)));
    found
}

/// The members each group of `recorded` had and `now` has not, or has and had not.
fn member_changes(recorded: &LotteryInput, now: &LotteryInput) -> Vec<Discrepancy> {
    let members = |input: &LotteryInput| -> BTreeMap<Uuid, BTreeSet<String>> {
        input.units.iter().map(|u| (u.application_id, u.members.iter().cloned().collect())).collect()
    };
    let (was, is) = (members(recorded), members(now));
    let mut found = Vec::new();
    for (id, before) in &was {
        let Some(after) = is.get(id) else { continue };
        found.extend(
            after
                .difference(before)
                .map(|iin| Discrepancy::MemberAdded { application_id: *id, iin: iin.clone() }),
        );
        found.extend(
            before
                .difference(after)
                .map(|iin| Discrepancy::MemberRemoved { application_id: *id, iin: iin.clone() }),
        );
    }
    found
}

/// A member of a drawn group, as the balance table counts them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceMember {
    /// A woman (from the IIN).
    pub female: bool,
    /// Counts as vulnerable ([`crate::rules::is_vulnerable`]).
    pub vulnerable: bool,
    /// Has a disability.
    pub disability: bool,
    /// Age on the cohort's reference date.
    pub age: i32,
}

/// A drawn group, as the balance table counts it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceGroup {
    /// The group's application.
    pub application_id: Uuid,
    /// The application's budget, in tenge.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub budget: i64,
    /// Its members.
    pub members: Vec<BalanceMember>,
}

/// One arm's line of the balance table.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmBalance {
    /// The arm.
    pub arm: Arm,
    /// Groups drawn into it.
    pub groups: u32,
    /// Their members.
    pub persons: u32,
    /// Share of women among the members (0 to 1).
    pub women: f64,
    /// Share of vulnerable members.
    pub vulnerable: f64,
    /// Share of members with a disability.
    pub disability: f64,
    /// Mean age of the members.
    pub mean_age: f64,
    /// Mean budget of the groups, in tenge.
    pub mean_budget: f64,
}

code_enum! {
    /// A characteristic the balance table compares between arms.
    Covariate, "covariate" {
        /// Share of women.
        Women = "women",
        /// Share of vulnerable youth.
        Vulnerable = "vulnerable",
        /// Share with a disability.
        Disability = "disability",
        /// Age.
        Age = "age",
        /// The group's budget.
        Budget = "budget",
    }
}

/// The normalised difference of one characteristic between two arms: the difference of the
/// means over the square root of the mean of the two variances. Below 0.25 in absolute value is
/// the usual sign of balance; `None` when neither arm varies and their means differ (or an arm
/// is empty).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalisedDifference {
    /// What is compared.
    pub covariate: Covariate,
    /// The first arm.
    pub first: Arm,
    /// The second arm.
    pub second: Arm,
    /// The difference, where defined.
    pub value: Option<f64>,
}

/// The balance table of a draw: per arm, who is in it; per pair of arms, how far apart they are.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// One line per arm, A, B, C.
    pub arms: Vec<ArmBalance>,
    /// Every characteristic for the pairs A-B, A-C and B-C.
    pub differences: Vec<NormalisedDifference>,
}

/// Mean and population variance.
fn moments(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Some((mean, variance))
}

/// The balance table of `assignments` over `groups` (groups not assigned are left out).
pub fn balance(assignments: &[Assignment], groups: &[BalanceGroup]) -> Balance {
    let arm_of: BTreeMap<Uuid, Arm> = assignments.iter().map(|a| (a.application_id, a.arm)).collect();
    let values = |arm: Arm, covariate: Covariate| -> Vec<f64> {
        let in_arm = groups.iter().filter(|g| arm_of.get(&g.application_id) == Some(&arm));
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        match covariate {
            Covariate::Budget => in_arm.map(|g| g.budget as f64).collect(),
            _ => in_arm
                .flat_map(|g| g.members.iter())
                .map(|m| match covariate {
                    Covariate::Women => flag(m.female),
                    Covariate::Vulnerable => flag(m.vulnerable),
                    Covariate::Disability => flag(m.disability),
                    _ => f64::from(m.age),
                })
                .collect(),
        }
    };
    let mean = |arm: Arm, covariate: Covariate| moments(&values(arm, covariate)).map_or(0.0, |m| m.0);
    let arms = Arm::ALL
        .iter()
        .map(|arm| {
            let in_arm: Vec<&BalanceGroup> =
                groups.iter().filter(|g| arm_of.get(&g.application_id) == Some(arm)).collect();
            ArmBalance {
                arm: *arm,
                groups: in_arm.len() as u32,
                persons: in_arm.iter().map(|g| g.members.len() as u32).sum(),
                women: mean(*arm, Covariate::Women),
                vulnerable: mean(*arm, Covariate::Vulnerable),
                disability: mean(*arm, Covariate::Disability),
                mean_age: mean(*arm, Covariate::Age),
                mean_budget: mean(*arm, Covariate::Budget),
            }
        })
        .collect();
    let mut differences = Vec::new();
    for covariate in Covariate::ALL {
        for (first, second) in [(Arm::A, Arm::B), (Arm::A, Arm::C), (Arm::B, Arm::C)] {
            let value = match (moments(&values(first, *covariate)), moments(&values(second, *covariate))) {
                (Some((m1, v1)), Some((m2, v2))) => {
                    let spread = ((v1 + v2) / 2.0).sqrt();
                    if spread > 0.0 {
                        Some((m1 - m2) / spread)
                    } else if m1 == m2 {
                        Some(0.0)
                    } else {
                        None
                    }
                }
                _ => None,
            };
            differences.push(NormalisedDifference { covariate: *covariate, first, second, value });
        }
    }
    Balance { arms, differences }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulebook::Rulebook;

    const REGION: &str = "550000000";

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n)
            .map(|i| Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + i as u128 * 7919))
            .collect()
    }

    fn input(ids: &[Uuid]) -> LotteryInput {
        LotteryInput {
            cohort: 2017,
            region: REGION.into(),
            weights: Rulebook::pilot_2017().arms,
            strata: vec![Stratum::Region],
            units: ids
                .iter()
                .map(|id| Unit { stratum: vec![REGION.into()], application_id: *id, members: members(*id) })
                .collect(),
        }
    }

    /// Three made-up IINs of a group, different for every group.
    fn members(id: Uuid) -> Vec<String> {
        let n = (id.as_u128() % 10_000_000_000) * 10;
        (0..3).map(|k| format!("{:012}", n + k)).collect()
    }

    fn seed(s: &str) -> Seed {
        Seed::parse("seed", s).unwrap()
    }

    fn count(d: &Draw, arm: Arm) -> usize {
        d.assignments.iter().filter(|a| a.arm == arm).count()
    }

    #[test]
    fn the_same_input_and_seed_give_the_same_draw_in_any_order() {
        let ids = ids(40);
        let first = draw(input(&ids), &seed("07 13 22 35 41 44")).unwrap();
        let mut reversed = ids.clone();
        reversed.reverse();
        let again = draw(input(&reversed), &seed("  07 13\t22 35 41   44 ")).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.algorithm, ALGORITHM);
        assert_eq!(first.assignments.len(), 40);
    }

    #[test]
    fn another_seed_or_one_group_more_changes_the_draw() {
        let ids = ids(40);
        let first = draw(input(&ids), &seed("07 13 22 35 41 44")).unwrap();
        let other_seed = draw(input(&ids), &seed("07 13 22 35 41 45")).unwrap();
        assert_ne!(first.output_sha256, other_seed.output_sha256);
        assert_ne!(first.assignments, other_seed.assignments);
        let fewer = draw(input(&ids[..39]), &seed("07 13 22 35 41 44")).unwrap();
        assert_ne!(first.input_sha256, fewer.input_sha256);
        let kept: Vec<Assignment> =
            first.assignments.iter().filter(|a| a.application_id != ids[39]).copied().collect();
        assert_ne!(kept, fewer.assignments, "the draw of the rest changes too");
    }

    #[test]
    fn shares_hold_within_one_group_per_stratum() {
        let ids = ids(100);
        let mut inp = input(&ids);
        inp.strata = vec![Stratum::Region, Stratum::Path];
        for (i, u) in inp.units.iter_mut().enumerate() {
            u.stratum.push(if i % 3 == 0 { "host_org" } else { "initiative_group" }.into());
        }
        for weights in [(1, 1, 1), (2, 1, 1), (1, 0, 1)] {
            inp.weights = ArmShares { a: weights.0, b: weights.1, c: weights.2 };
            let d = draw(inp.clone(), &seed("1 2 3")).unwrap();
            for path in ["host_org", "initiative_group"] {
                let members: Vec<Uuid> =
                    inp.units.iter().filter(|u| u.stratum[1] == path).map(|u| u.application_id).collect();
                let n = members.len() as f64;
                let total = f64::from(weights.0 + weights.1 + weights.2);
                for arm in Arm::ALL {
                    let got = d
                        .assignments
                        .iter()
                        .filter(|a| a.arm == *arm && members.contains(&a.application_id))
                        .count();
                    let expected = n * f64::from(arm.weight(&inp.weights)) / total;
                    assert!((got as f64 - expected).abs() < 1.0, "{path} {arm}: {got} vs {expected}");
                }
            }
        }
    }

    #[test]
    fn a_zero_weight_arm_gets_no_group_and_remainders_spread() {
        let d = draw(LotteryInput { weights: ArmShares { a: 1, b: 0, c: 1 }, ..input(&ids(7)) }, &seed("42"))
            .unwrap();
        assert_eq!(count(&d, Arm::B), 0);
        assert_eq!(count(&d, Arm::A) + count(&d, Arm::C), 7);
        assert!(count(&d, Arm::A).abs_diff(count(&d, Arm::C)) == 1);
        // Seven groups in thirds: two each and one more for one arm.
        let d = draw(input(&ids(7)), &seed("42")).unwrap();
        let mut counts: Vec<usize> = Arm::ALL.iter().map(|a| count(&d, *a)).collect();
        counts.sort_unstable();
        assert_eq!(counts, [2, 2, 3]);
    }

    #[test]
    fn remainders_go_to_every_arm_across_seeds() {
        // With one group, each arm must be possible: the tie order is itself random.
        let mut seen = std::collections::BTreeSet::new();
        for s in 0..60 {
            let d = draw(input(&ids(1)), &seed(&s.to_string())).unwrap();
            seen.insert(d.assignments[0].arm);
        }
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn a_draw_verifies_and_every_tampering_is_named() {
        let ids = ids(12);
        let recorded = draw(input(&ids), &seed("5 17 23")).unwrap();
        let was = input(&ids);
        assert_eq!(verify(&recorded, &was, input(&ids)), []);

        let mut edited = recorded.clone();
        let arm = edited.assignments[0].arm;
        edited.assignments[0].arm = if arm == Arm::A { Arm::B } else { Arm::A };
        let found = verify(&edited, &was, input(&ids));
        assert!(matches!(found[0], Discrepancy::OutputHash { .. }), "{found:?}");
        assert!(found.contains(&Discrepancy::Arm {
            application_id: edited.assignments[0].application_id,
            recorded: edited.assignments[0].arm,
            recomputed: arm,
        }));

        let mut more = ids.clone();
        let extra = Uuid::now_v7();
        more.push(extra);
        let found = verify(&recorded, &was, input(&more));
        assert!(matches!(found[0], Discrepancy::InputHash { .. }), "{found:?}");
        assert!(found.contains(&Discrepancy::Added(extra)));
        let found = verify(&recorded, &was, input(&ids[1..]));
        assert!(found.contains(&Discrepancy::Removed(ids[0])), "{found:?}");

        // A person swapped into a drawn group: named, and the input hash differs.
        let mut swapped = input(&ids);
        let gone = std::mem::replace(&mut swapped.units[3].members[1], "990101300123".into());
        let found = verify(&recorded, &was, swapped);
        assert!(
            found.contains(&Discrepancy::MemberAdded { application_id: ids[3], iin: "990101300123".into() }),
            "{found:?}"
        );
        assert!(
            found.contains(&Discrepancy::MemberRemoved { application_id: ids[3], iin: gone }),
            "{found:?}"
        );
        assert!(found.iter().any(|d| matches!(d, Discrepancy::InputHash { .. })), "{found:?}");
        assert!(found.iter().all(|d| !d.text().en.is_empty()));
    }

    #[test]
    fn a_draw_of_the_first_version_still_verifies_under_it_and_ignores_members() {
        let ids = ids(9);
        let mut v1_input = input(&ids);
        for u in &mut v1_input.units {
            u.members.clear();
        }
        let recorded = draw_with(Algorithm::V1, v1_input.clone(), &seed("3 9 27")).unwrap();
        assert_eq!(recorded.algorithm, "korpus-lottery/1");
        // Its record's JSON has no members, as records of /1 were written.
        let json = serde_json::to_string(&v1_input.units[0]).unwrap();
        assert!(!json.contains("members"), "{json}");
        // Verified against the database as it is now (members known), it still verifies.
        assert_eq!(verify(&recorded, &v1_input, input(&ids)), []);
        // The same groups drawn under /2 hash another input.
        let v2 = draw(input(&ids), &seed("3 9 27")).unwrap();
        assert_eq!(v2.algorithm, "korpus-lottery/2");
        assert_ne!(v2.input_sha256, recorded.input_sha256);
        let unknown = Draw { algorithm: "korpus-lottery/9".into(), ..recorded };
        assert_eq!(
            verify(&unknown, &v1_input, input(&ids)),
            [Discrepancy::Algorithm("korpus-lottery/9".into())]
        );
    }

    #[test]
    fn members_are_checked_and_sorted() {
        let ids = ids(2);
        let mut no_members = input(&ids);
        no_members.units[1].members.clear();
        assert_eq!(draw(no_members, &seed("1")), Err(LotteryError::NoMembers(ids[1])));
        let mut twice = input(&ids);
        twice.units[1].members[0] = twice.units[0].members[2].clone();
        assert_eq!(
            draw(twice.clone(), &seed("1")),
            Err(LotteryError::MemberTwice(twice.units[0].members[2].clone()))
        );
        let mut bad = input(&ids);
        bad.units[0].members[0] = "12345".into();
        assert_eq!(draw(bad, &seed("1")), Err(LotteryError::BadMember(ids[0])));
        let mut unsorted = input(&ids);
        unsorted.units[0].members.reverse();
        assert_eq!(draw(unsorted, &seed("1")), draw(input(&ids), &seed("1")));
    }

    #[test]
    fn the_seed_is_split_on_unicode_white_space_only() {
        // The written-out set is exactly Rust's notion of white space.
        let ours: Vec<char> =
            (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|c| c.is_whitespace()).collect();
        assert_eq!(ours, WHITE_SPACE);
        assert_eq!(seed("\u{3000}07\u{a0}13\u{2028}22\u{85}").as_str(), "07 13 22");
        // U+001C..U+001F split in Python but are control characters here: refused.
        assert_eq!(Seed::parse("seed", "07\u{1c}13").unwrap_err().key, "error-control-characters");
        // U+FEFF (JavaScript's \s) is not white space: it stays in the seed.
        assert_eq!(seed("07\u{feff}13").as_str(), "07\u{feff}13");
        // 200 code points are taken, 201 are not, whatever their bytes.
        assert!(Seed::parse("seed", &"Ә".repeat(200)).is_ok());
        assert_eq!(Seed::parse("seed", &"Ә".repeat(201)).unwrap_err().key, "error-too-long");
    }

    #[test]
    fn bad_inputs_are_refused() {
        assert_eq!(draw(input(&[]), &seed("1")), Err(LotteryError::Empty));
        let one = ids(2);
        assert_eq!(draw(input(&[one[0], one[0]]), &seed("1")), Err(LotteryError::Duplicate(one[0])));
        let mut other = input(&one);
        other.units[1].stratum = vec!["190000000".into()];
        assert_eq!(draw(other, &seed("1")), Err(LotteryError::OtherRegion(one[1])));
        let no_region = LotteryInput { strata: vec![Stratum::Path], ..input(&one) };
        assert_eq!(draw(no_region, &seed("1")), Err(LotteryError::StrataWithoutRegion));
        let mut tab = input(&one);
        tab.units[0].stratum[0] = "550000000\tx".into();
        assert_eq!(draw(tab, &seed("1")), Err(LotteryError::BadStratum(one[0])));
        assert_eq!(Seed::parse("seed", " \t ").unwrap_err().key, "error-required");
        assert_eq!(Seed::parse("seed", "1\u{7}2").unwrap_err().key, "error-control-characters");
        assert_eq!(Seed::parse("seed", &"9".repeat(201)).unwrap_err().key, "error-too-long");
    }

    #[test]
    fn the_balance_table_counts_each_arm_and_compares_pairs() {
        let ids = ids(3);
        let assignments = [
            Assignment { application_id: ids[0], arm: Arm::A },
            Assignment { application_id: ids[1], arm: Arm::B },
            Assignment { application_id: ids[2], arm: Arm::C },
        ];
        let member = |female, age| BalanceMember { female, vulnerable: female, disability: false, age };
        let groups = [
            BalanceGroup {
                application_id: ids[0],
                budget: 1_000_000,
                members: vec![member(true, 20), member(false, 22)],
            },
            BalanceGroup {
                application_id: ids[1],
                budget: 500_000,
                members: vec![member(true, 24), member(true, 26)],
            },
            BalanceGroup {
                application_id: ids[2],
                budget: 800_000,
                members: vec![member(false, 20), member(false, 22)],
            },
        ];
        let b = balance(&assignments, &groups);
        assert_eq!(b.arms.len(), 3);
        assert_eq!((b.arms[0].groups, b.arms[0].persons), (1, 2));
        assert_eq!((b.arms[0].women, b.arms[1].women, b.arms[2].women), (0.5, 1.0, 0.0));
        assert_eq!(b.arms[1].mean_age, 25.0);
        assert_eq!(b.arms[0].mean_budget, 1_000_000.0);
        let nd = |c, f, s| {
            b.differences.iter().find(|d| d.covariate == c && d.first == f && d.second == s).unwrap().value
        };
        // Women: A 0.5 (variance 0.25), B 1.0 (variance 0): (0.5 - 1) / sqrt(0.125).
        let expected = -0.5 / 0.125f64.sqrt();
        assert!((nd(Covariate::Women, Arm::A, Arm::B).unwrap() - expected).abs() < 1e-12);
        // Budgets: one group per arm, no variance, different means: undefined.
        assert_eq!(nd(Covariate::Budget, Arm::A, Arm::B), None);
        assert_eq!(nd(Covariate::Disability, Arm::A, Arm::C), Some(0.0));
        assert_eq!(b.differences.len(), 5 * 3);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the list, weights and seed: every group gets exactly one arm, the order the
        /// list came in does not matter, each stratum's arms are within one group of their
        /// exact shares, an arm of weight 0 gets nothing, and the draw verifies.
        #[test]
        fn any_draw_is_whole_fair_to_one_group_and_verifiable(
            paths in proptest::collection::vec(0u8..3, 1..120),
            weights in (0u32..5, 0u32..5, 0u32..5).prop_filter("a weight", |w| w.0 + w.1 + w.2 > 0),
            seed_text in "[ 0-9a-zӘәҚқ]{1,30}".prop_filter("not blank", |s| !s.trim().is_empty()),
            rotate in 0usize..120,
        ) {
            let ids = ids(paths.len());
            let weights = ArmShares { a: weights.0, b: weights.1, c: weights.2 };
            let mut inp = LotteryInput { weights: weights.clone(), strata: vec![Stratum::Region, Stratum::Path], ..input(&ids) };
            for (u, p) in inp.units.iter_mut().zip(&paths) {
                u.stratum.push(format!("path{p}"));
            }
            let seed = seed(&seed_text);
            let d = draw(inp.clone(), &seed).unwrap();
            prop_assert_eq!(d.assignments.len(), ids.len());
            let mut rotated = inp.clone();
            let by = rotate % rotated.units.len();
            rotated.units.rotate_left(by);
            prop_assert_eq!(&draw(rotated, &seed).unwrap(), &d);
            let total = f64::from(weights.a + weights.b + weights.c);
            for p in 0u8..3 {
                let members: Vec<Uuid> = inp.units.iter().filter(|u| u.stratum[1] == format!("path{p}")).map(|u| u.application_id).collect();
                for arm in Arm::ALL {
                    let got = d.assignments.iter().filter(|a| a.arm == *arm && members.contains(&a.application_id)).count() as f64;
                    let exact = members.len() as f64 * f64::from(arm.weight(&weights)) / total;
                    prop_assert!((got - exact).abs() < 1.0, "stratum {} arm {}: {} vs {}", p, arm, got, exact);
                    if arm.weight(&weights) == 0 {
                        prop_assert_eq!(got, 0.0);
                    }
                }
            }
            prop_assert!(verify(&d, &inp, inp.clone()).is_empty());
        }
    }

    #[test]
    fn below_stays_in_range_and_spreads_evenly() {
        let mut s = Stream::new("x", &seed("1"));
        let mut counts = [0u32; 3];
        for _ in 0..3000 {
            counts[s.below(3) as usize] += 1;
        }
        assert!(counts.iter().all(|c| (900..1100).contains(c)), "{counts:?}");
        for n in [1, 2, 7, 1000, u64::MAX] {
            assert!(s.below(n) < n);
        }
    }
}
