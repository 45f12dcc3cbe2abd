//! Time for the store: now in UTC for the clock of envelopes, today in Asia/Almaty for dates.
//! Injectable so tests can move it.

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Mutex;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in Kazakhstan (Asia/Almaty from the tz database: the country moved to UTC+5
    /// in March 2024, so no fixed offset is right for all dates).
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono_tz::Asia::Almaty).date_naive()
    }
}

/// The computer's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that shows what it is set to, for tests and reproducible demo data.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at))
    }

    /// Moves the clock to `at` (backwards too, as a real clock may be set).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn almaty_date_changes_at_local_midnight() {
        // 2025-01-01 18:59 UTC is 23:59 in Almaty (UTC+5 since March 2024); 19:00 UTC is the 2nd.
        let clock = FixedClock::new(Utc.with_ymd_and_hms(2025, 1, 1, 18, 59, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        clock.set(Utc.with_ymd_and_hms(2025, 1, 1, 19, 0, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2025, 1, 2).unwrap());
    }

    #[test]
    fn before_2024_almaty_was_utc_plus_six() {
        let clock = FixedClock::new(Utc.with_ymd_and_hms(2017, 4, 14, 18, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2017, 4, 15).unwrap());
    }
}

/// An instant (RFC 3339) as `DD.MM.YYYY HH:MM` in Kazakhstan's time, from the tz database that
/// chrono-tz carries (the platform's may predate the move to UTC+5 in March 2024); the text as it
/// is when it is not an instant.
pub fn local_time(instant: &str) -> String {
    match DateTime::parse_from_rfc3339(instant) {
        Ok(t) => t.with_timezone(&chrono_tz::Asia::Almaty).format("%d.%m.%Y %H:%M").to_string(),
        Err(_) => instant.to_owned(),
    }
}

#[cfg(test)]
mod local_time_tests {
    #[test]
    fn instants_are_shown_in_almaty_time_on_both_sides_of_the_2024_change() {
        assert_eq!(super::local_time("2026-11-24T23:50:00+00:00"), "25.11.2026 04:50");
        assert_eq!(super::local_time("2023-11-24T23:50:00Z"), "25.11.2023 05:50");
        assert_eq!(super::local_time("yesterday"), "yesterday");
    }
}
