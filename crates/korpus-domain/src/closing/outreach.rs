//! Outreach to young people (PROGRAMME.md lines 144-146, P:102): information meetings and
//! seminars, promotions where young people gather, one-to-one consultations, and meetings with
//! partners who work with vulnerable youth, each with its date, place, partner and the number of
//! people reached, of them women and vulnerable, so that a region's reach can be read against the
//! cohort's targets (55 % women, 60 % vulnerable, P:40-41).

use crate::codes::code_enum;
use crate::rulebook::Context;
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, SHORT_TEXT_MAX, ValidationErrors, optional_text, parse_date,
    parse_integer, past_date, required_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// What kind of outreach.
    OutreachKind, "outreach-kind" {
        /// An information meeting or presentation.
        InfoMeeting = "info_meeting",
        /// A seminar.
        Seminar = "seminar",
        /// A promotion where young people gather.
        Promotion = "promotion",
        /// One-to-one consultations.
        Consultation = "consultation",
        /// A meeting with a partner who works with vulnerable youth.
        PartnerMeeting = "partner_meeting",
    }
}

/// One outreach activity as recorded.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutreachEvent {
    /// The cohort.
    pub cohort: i32,
    /// The region (KATO).
    pub region: String,
    /// What kind.
    pub kind: OutreachKind,
    /// When.
    pub held_on: NaiveDate,
    /// Where (a village, a college, a youth centre).
    pub place: String,
    /// The partner organisation, if any (required for a partner meeting).
    pub partner: Option<String>,
    /// People reached.
    pub reached: u32,
    /// Of them women.
    pub women: u32,
    /// Of them vulnerable young people.
    pub vulnerable: u32,
    /// Anything else.
    pub notes: Option<String>,
}

impl OutreachEvent {
    /// Whether the counts and the partner agree: at least one person reached, women and
    /// vulnerable among them, a partner meeting names its partner.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.reached == 0 {
            return Err(FieldError::new("reached", "error-reached-none"));
        }
        for (field, n) in [("women", self.women), ("vulnerable", self.vulnerable)] {
            if n > self.reached {
                return Err(FieldError::new(field, "error-more-than-reached")
                    .arg("count", n)
                    .arg("reached", self.reached));
            }
        }
        if self.kind == OutreachKind::PartnerMeeting && self.partner.is_none() {
            return Err(FieldError::new("partner", "error-partner-required"));
        }
        Ok(())
    }
}

/// An outreach activity as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutreachInput {
    /// The kind's code.
    pub kind: String,
    /// When, as typed.
    pub held_on: String,
    /// Where.
    pub place: String,
    /// The partner.
    pub partner: Option<String>,
    /// People reached, as typed.
    pub reached: String,
    /// Of them women, as typed.
    pub women: String,
    /// Of them vulnerable, as typed.
    pub vulnerable: String,
    /// Anything else.
    pub notes: Option<String>,
}

fn count(field: &'static str, value: &str) -> Result<u32, FieldError> {
    let n = parse_integer(field, value)?;
    u32::try_from(n).map_err(|_| FieldError::new(field, "error-count-range").arg("value", value.trim()))
}

impl OutreachInput {
    /// Checks every field of an activity in `region`.
    pub fn validate(&self, ctx: &Context<'_>, region: &str) -> Result<OutreachEvent, ValidationErrors> {
        let mut check = Checker::new();
        let kind = check.take(OutreachKind::parse("kind", &self.kind));
        let held_on =
            check.take(parse_date("held_on", &self.held_on).and_then(|d| past_date("held_on", d, ctx.today)));
        let place = check.take(required_text("place", &self.place, SHORT_TEXT_MAX));
        let partner = check.take(optional_text("partner", self.partner.as_deref(), SHORT_TEXT_MAX));
        let reached = check.take(count("reached", &self.reached));
        let women = check.take(count("women", &self.women));
        let vulnerable = check.take(count("vulnerable", &self.vulnerable));
        let notes = check.take(optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX));
        check.finish()?;
        match (kind, held_on, place, partner, reached, women, vulnerable, notes) {
            (
                Some(kind),
                Some(held_on),
                Some(place),
                Some(partner),
                Some(reached),
                Some(women),
                Some(vulnerable),
                Some(notes),
            ) => {
                let event = OutreachEvent {
                    cohort: ctx.rulebook.cohort,
                    region: region.to_owned(),
                    kind,
                    held_on,
                    place,
                    partner,
                    reached,
                    women,
                    vulnerable,
                    notes,
                };
                event.check().map_err(ValidationErrors::one)?;
                Ok(event)
            }
            _ => Err(ValidationErrors::one(FieldError::new("kind", "error-required"))),
        }
    }
}

/// Outreach of a region (or all): how many activities and people, of them women and vulnerable.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutreachTotals {
    /// The region, or `None` for all.
    pub region: Option<String>,
    /// Activities.
    pub events: u32,
    /// People reached.
    pub reached: u32,
    /// Of them women.
    pub women: u32,
    /// Of them vulnerable.
    pub vulnerable: u32,
}

impl OutreachTotals {
    /// Adds an activity.
    pub fn add(&mut self, event: &OutreachEvent) {
        self.events += 1;
        self.reached += event.reached;
        self.women += event.women;
        self.vulnerable += event.vulnerable;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rulebook;

    fn input() -> OutreachInput {
        OutreachInput {
            kind: "partner_meeting".into(),
            held_on: "12.04.2017".into(),
            place: "Талдықорған, жастар орталығы".into(),
            partner: Some("Жастар ресурстық орталығы".into()),
            reached: "25".into(),
            women: "14".into(),
            vulnerable: "25".into(),
            notes: None,
        }
    }

    #[test]
    fn counts_stay_within_the_people_reached() {
        let r = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &r, today: NaiveDate::from_ymd_opt(2017, 5, 1).unwrap() };
        let event = input().validate(&ctx, "191610000").unwrap();
        assert_eq!((event.reached, event.women, event.vulnerable), (25, 14, 25));
        let err =
            OutreachInput { vulnerable: "26".into(), ..input() }.validate(&ctx, "191610000").unwrap_err();
        assert!(err.has("vulnerable"));
        let err = OutreachInput { reached: "0".into(), women: "0".into(), vulnerable: "0".into(), ..input() }
            .validate(&ctx, "191610000")
            .unwrap_err();
        assert!(err.has("reached"));
        let err = OutreachInput { women: "-1".into(), ..input() }.validate(&ctx, "191610000").unwrap_err();
        assert!(err.has("women"));
        let err = OutreachInput { partner: None, ..input() }.validate(&ctx, "191610000").unwrap_err();
        assert!(err.has("partner"));
        let promotion = OutreachInput { kind: "promotion".into(), partner: None, ..input() };
        assert!(promotion.validate(&ctx, "191610000").is_ok());
        let mut totals = OutreachTotals::default();
        totals.add(&event);
        totals.add(&event);
        assert_eq!((totals.events, totals.reached, totals.women), (2, 50, 28));
    }
}
