//! Times as cyclers write them: decimal seconds or hours, clock durations with
//! hours past 24 (`144:02:18`), Maccor's `3d 04:05:06.0000`, and date-times in a
//! dozen layouts.

use chrono::{NaiveDate, NaiveDateTime};

/// Date-time layouts tried in order. US month-first comes before day-first for
/// slashed dates because Maccor, Arbin, PEC and EC-Lab write month first; a
/// first field above 12 can only be a day, so day-first still parses then.
const LAYOUTS: [&str; 16] = [
    "%m/%d/%Y %H:%M:%S%.f",
    "%m/%d/%Y %I:%M:%S%.f %p",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %I:%M:%S%.f %p",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y/%m/%d %H:%M:%S%.f",
    "%d.%m.%Y %H:%M:%S%.f",
    "%d/%m/%Y %H:%M:%S%.f",
    "%d-%b-%y %I:%M:%S%.f %p",
    "%d-%b-%Y %H:%M:%S%.f",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%m/%d/%y %H:%M:%S%.f",
    "%m/%d/%y %I:%M:%S%.f %p",
];

/// Where a layout puts day and month, for the slashed numeric layouts whose
/// order a value cannot always tell (`05/04/2020`): 0 month first, 1 day
/// first, 2 unambiguous (year first, month names, dotted day-first dates).
fn field_order(layout: &str) -> u8 {
    if layout.starts_with("%m/") {
        0
    } else if layout.starts_with("%d/") {
        1
    } else {
        2
    }
}

/// Parses date-times, remembering the layout that worked last (a column keeps
/// one layout, so the common case costs one attempt). The day/month order is
/// fixed by the first date-time parsed: a later value that only parses in the
/// other order is refused (`None`) rather than read with a different meaning
/// half-way through a file.
#[derive(Debug, Clone, Default)]
pub(crate) struct DateTimeParser {
    last: Option<usize>,
    /// The day/month order of the first slashed numeric date-time parsed.
    order: Option<u8>,
}

impl DateTimeParser {
    /// Unix seconds of a date-time read as UTC; `None` if no layout of the
    /// column's day/month order fits.
    pub(crate) fn parse(&mut self, text: &str) -> Option<f64> {
        let t = text.trim();
        if let Some(k) = self.last
            && let Some(v) = parse_with(t, LAYOUTS[k])
        {
            return Some(v);
        }
        // The remembered layout failed: try the others, keeping the order.
        for (k, layout) in LAYOUTS.iter().enumerate() {
            let o = field_order(layout);
            if o < 2 && self.order.is_some_and(|locked| o != locked) {
                continue;
            }
            if let Some(v) = parse_with(t, layout) {
                self.last = Some(k);
                if o < 2 {
                    self.order = Some(o);
                }
                return Some(v);
            }
        }
        None
    }
}

fn parse_with(text: &str, layout: &str) -> Option<f64> {
    if let Ok(dt) = NaiveDateTime::parse_from_str(text, layout) {
        return Some(unix_seconds(dt));
    }
    // Maccor writes midnight as the bare date (`10/22/2019`).
    let date_layout = layout.split_once(' ').map_or(layout, |(d, _)| d);
    let d = NaiveDate::parse_from_str(text, date_layout).ok()?;
    Some(unix_seconds(d.and_hms_opt(0, 0, 0)?))
}

/// Unix seconds of a naive date-time taken as UTC.
pub(crate) fn unix_seconds(dt: NaiveDateTime) -> f64 {
    let utc = dt.and_utc();
    utc.timestamp() as f64 + f64::from(utc.timestamp_subsec_nanos()) * 1e-9
}

/// Unix seconds of an OLE automation date (days since 1899-12-30), as Arbin
/// `.res` files and EC-Lab `.mpr` logs store them.
pub(crate) fn ole_date_to_unix(days: f64) -> Option<f64> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    days.is_finite()
        .then(|| unix_seconds(epoch) + days * 86_400.0)
}

/// Seconds of a clock duration: `hh:mm:ss(.fff)` with any number of hours,
/// `mm:ss`, or Maccor's `Nd hh:mm:ss.ffff`; the seconds may use a decimal comma. `None` if the text is not one.
pub(crate) fn parse_clock(text: &str) -> Option<f64> {
    let t = text.trim();
    let (days, clock) = match t.split_once('d') {
        Some((d, rest)) => (d.trim().parse::<u64>().ok()? as f64, rest.trim()),
        None => (0.0, t),
    };
    let (neg, clock) = match clock.strip_prefix('-') {
        Some(c) => (true, c),
        None => (false, clock),
    };
    let mut parts = clock.split(':');
    let a = parts.next()?;
    let b = parts.next()?;
    let c = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let int = |s: &str| -> Option<f64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<f64>().ok())?
    };
    // Seconds may carry a decimal comma (`23:59:59,5`) in European exports.
    let secs = |s: &str| -> Option<f64> {
        let v = s.replacen(',', ".", 1).parse::<f64>().ok()?;
        (s.as_bytes().first()?.is_ascii_digit() && (0.0..60.0).contains(&v)).then_some(v)
    };
    let total = match c {
        Some(c) => {
            let m = int(b)?;
            if m >= 60.0 {
                return None;
            }
            int(a)? * 3600.0 + m * 60.0 + secs(c)?
        }
        None => int(a)? * 60.0 + secs(b)?,
    };
    let total = days * 86_400.0 + total;
    Some(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        assert_eq!(parse_clock("00:01:28.129"), Some(88.129));
        assert_eq!(parse_clock("144:02:18"), Some(144.0 * 3600.0 + 138.0));
        assert_eq!(
            parse_clock("  2d 01:00:00.5000"),
            Some(2.0 * 86400.0 + 3600.5)
        );
        assert_eq!(parse_clock("3:04.5"), Some(184.5));
        assert_eq!(parse_clock("12.5"), None);
        assert_eq!(parse_clock("1:75:00"), None);
        assert_eq!(parse_clock("a:b:c"), None);
    }

    #[test]
    fn date_times() {
        let mut p = DateTimeParser::default();
        // 2016-11-02T15:57:53Z = 1478102273
        assert_eq!(p.parse("11/02/2016 15:57:53"), Some(1_478_102_273.0));
        assert_eq!(p.parse("2016-11-02 03:57:53 PM"), Some(1_478_102_273.0));
        assert_eq!(p.parse("02.11.2016 15:57:53"), Some(1_478_102_273.0));
        assert_eq!(p.parse("2-Nov-16 3:57:53 PM"), Some(1_478_102_273.0));
        let v = p.parse("11/02/2016 15:57:53.250").unwrap();
        assert!((v - 1_478_102_273.25).abs() < 1e-6);
        assert_eq!(p.parse("yesterday"), None);
        assert_eq!(p.parse("11/03/2016"), Some(1_478_131_200.0));
        // A column read month first does not turn day first half-way.
        let mut q = DateTimeParser::default();
        assert_eq!(q.parse("05/04/2020 10:00:00"), Some(1_588_586_400.0)); // 4 May
        assert_eq!(q.parse("2020-04-13 10:00:00"), Some(1_586_772_000.0));
        assert_eq!(q.parse("13/04/2020 10:00:00"), None);
        // One that starts with an unambiguous day-first date stays day first.
        let mut d = DateTimeParser::default();
        assert_eq!(d.parse("13/04/2020 10:00:00"), Some(1_586_772_000.0));
        assert_eq!(d.parse("05/04/2020 10:00:00"), Some(1_586_080_800.0)); // 5 April
        // OLE date 42587.5 = 2016-08-05T12:00:00Z
        assert_eq!(ole_date_to_unix(42_587.5), Some(1_470_398_400.0));
    }
}
