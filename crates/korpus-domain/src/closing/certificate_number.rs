//! Certificate numbers: unique in the whole programme yet made offline. A device draws them from
//! blocks: a block HQ reserved for it (`2017-000501`: HQ hands out each range once), or, before
//! it has one, its own series, named by its whole device id (`2017-L0195F3C2…-0001`), which no
//! other device has. A number is never drawn twice: the device keeps how far each block went.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most numbers one HQ block may hold, and the width they are written in.
pub const MAX_HQ_NUMBER: u32 = 999_999;

/// Most numbers of a device's own series.
pub const MAX_LOCAL_NUMBER: u32 = 9_999;

/// Where a block of certificate numbers came from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockSource {
    /// Reserved for this device by HQ.
    Hq,
    /// The device's own series, used before HQ reserved a block for it.
    Local,
}

impl BlockSource {
    /// The code kept in the database.
    pub fn code(self) -> &'static str {
        match self {
            BlockSource::Hq => "hq",
            BlockSource::Local => "local",
        }
    }

    /// Reads a stored code.
    pub fn from_code(code: &str) -> Option<BlockSource> {
        match code {
            "hq" => Some(BlockSource::Hq),
            "local" => Some(BlockSource::Local),
            _ => None,
        }
    }
}

/// Number `n` of a block of `source`, for `cohort`, issued on `device`.
pub fn certificate_number(cohort: i32, source: BlockSource, device: Uuid, n: u32) -> String {
    match source {
        BlockSource::Hq => format!("{cohort}-{n:06}"),
        BlockSource::Local => format!("{cohort}-L{}-{n:04}", device.simple().to_string().to_uppercase()),
    }
}

/// What a number says of where it came from: HQ's range and its place there, or the device
/// whose own series it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberOrigin {
    /// Number `n` of HQ's series of the cohort.
    Hq {
        /// The cohort.
        cohort: i32,
        /// The number within HQ's series.
        n: u32,
    },
    /// Number `n` of `device`'s own series.
    Local {
        /// The cohort.
        cohort: i32,
        /// The device.
        device: Uuid,
        /// The number within its series.
        n: u32,
    },
}

/// Reads a certificate number, or `None` if it is none Korpus makes.
pub fn number_origin(number: &str) -> Option<NumberOrigin> {
    let (cohort, rest) = number.split_once('-')?;
    let cohort: i32 = cohort.parse().ok().filter(|c| (2000..=2100).contains(c))?;
    let digits = |s: &str, width: usize| {
        (s.len() == width && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    if let Some(local) = rest.strip_prefix('L') {
        let (device, n) = local.split_once('-')?;
        let device = Uuid::try_parse(device).ok().filter(|_| device.len() == 32)?;
        let n = digits(n, 4).filter(|n| *n >= 1)?;
        return (certificate_number(cohort, BlockSource::Local, device, n) == number)
            .then_some(NumberOrigin::Local { cohort, device, n });
    }
    let n = digits(rest, 6).filter(|n| *n >= 1)?;
    Some(NumberOrigin::Hq { cohort, n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_hq_blocks_and_of_a_devices_series_are_told_apart() {
        let device = Uuid::parse_str("0195f3c2-a1b2-7c8e-9d0a-1b2c3d4e5f60").unwrap_or_default();
        assert_eq!(certificate_number(2017, BlockSource::Hq, device, 501), "2017-000501");
        let local = certificate_number(2017, BlockSource::Local, device, 3);
        assert_eq!(local, "2017-L0195F3C2A1B27C8E9D0A1B2C3D4E5F60-0003");
        assert_eq!(number_origin("2017-000501"), Some(NumberOrigin::Hq { cohort: 2017, n: 501 }));
        assert_eq!(number_origin(&local), Some(NumberOrigin::Local { cohort: 2017, device, n: 3 }));
        for bad in ["2017-00501", "2017-000000", "2017-L0195-0001", "17-000501", "2017-0195F3C2-00001"] {
            assert_eq!(number_origin(bad), None, "{bad}");
        }
    }
}
