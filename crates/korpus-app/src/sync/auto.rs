//! When a desk syncs by itself: the rule the desk's sync thread follows (and tests name).

use chrono::{DateTime, Duration, Utc};

/// How the last sync went, for the desk's own syncs to know when the next is due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutoSync {
    /// When the last sync (asked for or the desk's own) was tried.
    pub last_attempt: Option<DateTime<Utc>>,
    /// Why it did not complete (HQ unreachable, refused), in the language of that moment.
    pub problem: Option<String>,
}

impl AutoSync {
    /// A sync is due for a desk that syncs by itself every `minutes` (0: only when asked): none
    /// tried since the desk started, the last did not complete (HQ away: the sync goes as soon
    /// as HQ is back), or the last was tried `minutes` ago or more.
    pub fn due(&self, minutes: u32, now: DateTime<Utc>) -> bool {
        if minutes == 0 {
            return false;
        }
        match self.last_attempt {
            None => true,
            Some(_) if self.problem.is_some() => true,
            Some(at) => now - at >= Duration::minutes(i64::from(minutes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_sync_is_due_at_start_after_the_set_minutes_and_at_once_after_a_failure_never_at_zero() {
        let now = at("2017-11-07T10:30:00Z");
        assert!(AutoSync::default().due(30, now), "none tried since the desk started");
        assert!(!AutoSync::default().due(0, now), "0: only when asked");
        let synced = AutoSync { last_attempt: Some(at("2017-11-07T10:00:01Z")), problem: None };
        assert!(!synced.due(30, now));
        assert!(synced.due(30, at("2017-11-07T10:30:01Z")));
        let away = AutoSync { problem: Some("HQ could not be reached".into()), ..synced.clone() };
        assert!(away.due(30, now), "HQ away: asked again at the next look");
        assert!(!away.due(0, now));
    }
}
