//! Working days in Kazakhstan, for the deadlines of the programme (a grievance acknowledged
//! within 3 working days, reports due after phase II). The rulebook keeps the calendar as data:
//! the weekend, the public holidays by day of the year, which of them move to the next working
//! day when they fall on a weekend, and the days the government moves by decree each year.
//!
//! Written here rather than taken from a crate: the holiday crates we found know Kazakhstan's
//! holidays only as fixed dates, without the carry-over rule of the Labour Code or the yearly
//! decrees, and a cohort must be able to correct its calendar without a new build.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;

/// A day of the year without its year (`03-21`), for holidays kept on the same date every year.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthDay {
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
}

impl MonthDay {
    /// The day in `year`, if it exists that year (29 February does not every year).
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl std::str::FromStr for MonthDay {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a day of the year as MM-DD");
        let (m, d) = s.split_once('-').ok_or_else(bad)?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        let day: u32 = d.parse().map_err(|_| bad())?;
        // 2000 is a leap year, so 02-29 is a day of the year.
        NaiveDate::from_ymd_opt(2000, month, day).ok_or_else(bad)?;
        Ok(MonthDay { month, day })
    }
}

impl Serialize for MonthDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The calendar of working days, as the rulebook keeps it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarRules {
    /// Days of the week that are not worked, as ISO numbers (1 Monday to 7 Sunday).
    pub weekend: Vec<u32>,
    /// Public holidays on the same date every year; one that falls on a weekend day moves the day
    /// off to the next working day.
    pub holidays: Vec<MonthDay>,
    /// Public holidays that are days off but do not move when they fall on a weekend.
    pub holidays_without_carry_over: Vec<MonthDay>,
    /// Dated days off: holidays of the lunar calendar and working days moved by decree.
    pub days_off: Vec<NaiveDate>,
    /// Dated working days: weekend days made working by decree.
    pub working_days: Vec<NaiveDate>,
}

impl Default for CalendarRules {
    fn default() -> Self {
        CalendarRules {
            weekend: vec![6, 7],
            holidays: Vec::new(),
            holidays_without_carry_over: Vec::new(),
            days_off: Vec::new(),
            working_days: Vec::new(),
        }
    }
}

impl CalendarRules {
    /// Why the calendar cannot be used, if it cannot.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        if self.weekend.iter().any(|d| !(1..=7).contains(d)) {
            return Some("calendar.weekend: days are 1 (Monday) to 7 (Sunday)");
        }
        if self.weekend.len() >= 7 {
            return Some("calendar.weekend: a week needs a working day");
        }
        if self.days_off.iter().any(|d| self.working_days.contains(d)) {
            return Some("calendar: a day is both a day off and a working day");
        }
        None
    }

    fn is_weekend(&self, date: NaiveDate) -> bool {
        self.weekend.contains(&date.weekday().number_from_monday())
    }

    fn is_holiday(&self, date: NaiveDate) -> bool {
        let md = MonthDay { month: date.month(), day: date.day() };
        self.holidays.contains(&md) || self.holidays_without_carry_over.contains(&md)
    }

    /// The days off a holiday on a weekend moves to in `year`: for each such holiday, in date
    /// order, the next day that is neither a weekend day, a holiday, nor already a moved day off
    /// (1 and 2 January 2017 fell on a Sunday and a Monday: the 1st moved to the 3rd).
    fn carried_over(&self, year: i32) -> BTreeSet<NaiveDate> {
        let mut holidays: Vec<NaiveDate> = self.holidays.iter().filter_map(|h| h.in_year(year)).collect();
        holidays.sort_unstable();
        let mut moved = BTreeSet::new();
        for holiday in holidays.into_iter().filter(|h| self.is_weekend(*h)) {
            let mut day = holiday;
            while let Some(next) = day.succ_opt() {
                day = next;
                if !self.is_weekend(day) && !self.is_holiday(day) && !moved.contains(&day) {
                    moved.insert(day);
                    break;
                }
            }
        }
        moved
    }

    /// The calendar to ask about dates; it works out each year's moved days off once.
    pub fn calendar(&self) -> WorkingCalendar<'_> {
        WorkingCalendar { rules: self, moved: std::cell::RefCell::new(Vec::new()) }
    }
}

/// Answers whether a date is worked, keeping the moved days off of each year it was asked about.
#[derive(Debug)]
pub struct WorkingCalendar<'a> {
    rules: &'a CalendarRules,
    moved: std::cell::RefCell<Vec<(i32, BTreeSet<NaiveDate>)>>,
}

impl WorkingCalendar<'_> {
    fn moved_day_off(&self, date: NaiveDate) -> bool {
        // A holiday of 31 December could move into January: look at the year before too.
        [date.year() - 1, date.year()].into_iter().any(|year| {
            let mut cache = self.moved.borrow_mut();
            if let Some((_, days)) = cache.iter().find(|(y, _)| *y == year) {
                return days.contains(&date);
            }
            let days = self.rules.carried_over(year);
            let hit = days.contains(&date);
            cache.push((year, days));
            hit
        })
    }

    /// Whether people work on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.rules.working_days.contains(&date) {
            return true;
        }
        !(self.rules.is_weekend(date)
            || self.rules.is_holiday(date)
            || self.rules.days_off.contains(&date)
            || self.moved_day_off(date))
    }

    /// The `n`-th working day after `from` (`from` itself does not count): a grievance received on
    /// a Friday with 3 working days to answer is due on Wednesday.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => return NaiveDate::MAX,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The first `n` working days from `from` on (`from` counts when it is worked): the days of a
    /// training that runs `n` days.
    pub fn working_days_from(&self, from: NaiveDate, n: u32) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut day = from;
        while out.len() < n as usize {
            if self.is_working_day(day) {
                out.push(day);
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| self.is_working_day(*d)).count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rulebook;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_days_read_and_refuse() {
        assert_eq!("03-21".parse::<MonthDay>().unwrap(), MonthDay { month: 3, day: 21 });
        assert_eq!("02-29".parse::<MonthDay>().unwrap().in_year(2017), None);
        assert!("13-01".parse::<MonthDay>().is_err());
        assert!("0321".parse::<MonthDay>().is_err());
    }

    #[test]
    fn weekends_are_not_worked() {
        let rules = CalendarRules::default();
        let cal = rules.calendar();
        assert!(cal.is_working_day(d(2017, 6, 2))); // Friday
        assert!(!cal.is_working_day(d(2017, 6, 3))); // Saturday
        // Received on a Friday, 3 working days: Monday, Tuesday, Wednesday.
        assert_eq!(cal.add_working_days(d(2017, 6, 2), 3), d(2017, 6, 7));
        assert_eq!(cal.working_days_between(d(2017, 6, 2), d(2017, 6, 7)), 3);
    }

    #[test]
    fn the_pilot_calendar_knows_2017s_holidays() {
        let rulebook = Rulebook::pilot_2017();
        let cal = rulebook.calendar.calendar();
        // Nauryz, 21-23 March 2017 (Tuesday to Thursday), with Monday the 20th moved by decree.
        for day in 20..=23 {
            assert!(!cal.is_working_day(d(2017, 3, day)), "March {day}");
        }
        // Received on Friday 17 March: Friday 24th, Monday 27th, Tuesday 28th.
        assert_eq!(cal.add_working_days(d(2017, 3, 17), 3), d(2017, 3, 28));
        // 7 May 2017, Defender of the Fatherland Day, was a Sunday: Monday the 8th is off; the
        // 9th is Victory Day.
        assert!(!cal.is_working_day(d(2017, 5, 8)));
        assert!(!cal.is_working_day(d(2017, 5, 9)));
        assert!(cal.is_working_day(d(2017, 5, 10)));
        // Independence Day, 16-17 December 2017 (a weekend): the 18th and 19th are off.
        assert!(!cal.is_working_day(d(2017, 12, 18)));
        assert!(!cal.is_working_day(d(2017, 12, 19)));
        assert!(cal.is_working_day(d(2017, 12, 20)));
        // Orthodox Christmas, Saturday 7 January 2017, does not move: Monday the 9th is worked.
        assert!(cal.is_working_day(d(2017, 1, 9)));
        // 1 January 2017 was a Sunday; the 2nd is a holiday itself, so the 3rd is off.
        assert!(!cal.is_working_day(d(2017, 1, 3)));
        // Saturday 1 July 2017 was worked, for Friday 7 July after Capital Day.
        assert!(cal.is_working_day(d(2017, 7, 1)));
        assert!(!cal.is_working_day(d(2017, 7, 7)));
        // Kurban Ait, 1 September 2017.
        assert!(!cal.is_working_day(d(2017, 9, 1)));
    }

    #[test]
    fn fifteen_working_days_cross_a_holiday_week() {
        let rulebook = Rulebook::pilot_2017();
        let cal = rulebook.calendar.calendar();
        // From Monday 13 March 2017: 14-17 (4), 24 (5), 27-31 (10), 3-7 April (15).
        assert_eq!(cal.add_working_days(d(2017, 3, 13), 15), d(2017, 4, 7));
        // Without holidays it would be Monday 3 April.
        assert_eq!(CalendarRules::default().calendar().add_working_days(d(2017, 3, 13), 15), d(2017, 4, 3));
    }

    #[test]
    fn a_training_runs_on_working_days_only() {
        let rulebook = Rulebook::pilot_2017();
        let cal = rulebook.calendar.calendar();
        // Six days from Monday 3 July 2017: 3-5 July, then Capital Day and the moved Friday, so
        // 10-12 July.
        assert_eq!(
            cal.working_days_from(d(2017, 7, 3), 6),
            vec![d(2017, 7, 3), d(2017, 7, 4), d(2017, 7, 5), d(2017, 7, 10), d(2017, 7, 11), d(2017, 7, 12)]
        );
    }

    #[test]
    fn an_unworkable_calendar_is_refused() {
        let rules = CalendarRules { weekend: vec![1, 2, 3, 4, 5, 6, 7], ..CalendarRules::default() };
        assert!(rules.problem().is_some());
        let rules = CalendarRules { weekend: vec![0], ..CalendarRules::default() };
        assert!(rules.problem().is_some());
    }
}
