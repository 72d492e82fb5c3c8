//! Dates in front matter: as written, and in the forms feeds, sorting and pages need.

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime as Zoned};
use serde::Serialize;

/// A date from front matter: as written, and in the forms feeds, sorting and pages need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Date {
    /// As written, normalised: `2025-03-14`, `2025-03-14T09:00:00`, or RFC 3339 with its
    /// offset. Valid in HTML's `<time datetime>`.
    pub iso: String,
    /// Always a full RFC 3339 date-time with an offset: a date or date-time written
    /// without one is in the site's `timezone` (a day starts at midnight there).
    pub rfc3339: String,
    /// Seconds since 1970 (UTC), for sorting.
    #[serde(skip)]
    pub timestamp: i64,
    /// `March 14, 2025`: the day as written.
    pub display: String,
    /// The calendar day as written.
    #[serde(skip)]
    pub day: jiff::civil::Date,
}

impl Date {
    /// Accepts `YYYY-MM-DD`, local date-times (`2025-01-31T09:00:00`, in `tz`) and RFC 3339
    /// with an offset, as TOML values or as text.
    pub fn parse(value: &toml::Value, tz: &TimeZone) -> std::result::Result<Date, String> {
        let raw = match value {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Datetime(d) => d.to_string(),
            other => return Err(format!("expected a date, found {}", other.type_str())),
        };
        let not_a_date = || format!("`{raw}` is not a date");
        if let Ok(ts) = raw.parse::<Timestamp>() {
            // An offset was written: it wins over the site's zone, and is kept.
            let seconds = match raw.parse::<DateTime>() {
                Ok(civil) => {
                    let as_utc = civil
                        .to_zoned_datetime(TimeZone::UTC)
                        .map_err(|_| not_a_date())?;
                    as_utc.timestamp().as_second() - ts.as_second()
                }
                Err(_) => 0, // `Z`
            };
            let offset = i32::try_from(seconds)
                .ok()
                .and_then(|s| Offset::from_seconds(s).ok())
                .ok_or_else(not_a_date)?;
            let zoned = ts.to_zoned_datetime(TimeZone::fixed(offset));
            let day = zoned.date();
            return Ok(Date {
                iso: rfc3339(&zoned),
                rfc3339: rfc3339(&zoned),
                timestamp: ts.as_second(),
                display: day.strftime("%B %-d, %Y").to_string(),
                day,
            });
        }
        let civil: DateTime = raw.parse().map_err(|_| not_a_date())?;
        let day = civil.date();
        // a day begins at midnight where the site is; a time without an offset is its time
        let zoned = civil
            .to_zoned_datetime(tz.clone())
            .map_err(|_| not_a_date())?;
        Ok(Date {
            iso: if raw.len() == 10 {
                day.to_string()
            } else {
                civil.strftime("%Y-%m-%dT%H:%M:%S").to_string()
            },
            rfc3339: rfc3339(&zoned),
            timestamp: zoned.timestamp().as_second(),
            display: day.strftime("%B %-d, %Y").to_string(),
            day,
        })
    }
}

/// A date as templates see it: as written (`2025-03-14`), or nothing.
pub fn iso<S: serde::Serializer>(date: &Option<Date>, to: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => to.serialize_some(&d.iso),
        None => to.serialize_none(),
    }
}

/// `2025-01-31T09:00:00-08:00`: an RFC 3339 date-time, which feeds and sitemaps require.
pub fn rfc3339(zoned: &Zoned) -> String {
    zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn la() -> TimeZone {
        TimeZone::get("America/Los_Angeles").unwrap()
    }

    fn date(text: &str, tz: &TimeZone) -> std::result::Result<Date, String> {
        Date::parse(&toml::Value::String(text.into()), tz)
    }

    #[test]
    fn every_date_form_gets_a_full_rfc3339_date_time() {
        let tz = la();
        let d = date("2025-03-04", &tz).unwrap();
        assert_eq!(
            (d.iso.as_str(), d.display.as_str()),
            ("2025-03-04", "March 4, 2025")
        );
        assert_eq!(d.rfc3339, "2025-03-04T00:00:00-08:00");
        // summer time in the site's zone
        assert_eq!(
            date("2025-07-04", &tz).unwrap().rfc3339,
            "2025-07-04T00:00:00-07:00"
        );
        let d = date("2025-01-31T09:00:00", &tz).unwrap();
        assert_eq!(d.iso, "2025-01-31T09:00:00");
        assert_eq!(d.rfc3339, "2025-01-31T09:00:00-08:00");
        assert_eq!(
            date("2025-01-31 09:00:00", &tz).unwrap().rfc3339,
            "2025-01-31T09:00:00-08:00"
        );
        // an offset that was written wins over the site's zone
        let d = date("2025-03-04T10:00:00+01:00", &tz).unwrap();
        assert_eq!(
            (d.iso.as_str(), d.rfc3339.as_str()),
            ("2025-03-04T10:00:00+01:00", "2025-03-04T10:00:00+01:00")
        );
        assert_eq!(
            date("2025-03-04T10:00:00Z", &tz).unwrap().rfc3339,
            "2025-03-04T10:00:00+00:00"
        );
        // TOML's own date and date-time values
        let native: toml::Table = toml::from_str(
            "d = 2025-03-04\nt = 2025-01-31T09:00:00\no = 1979-05-27T07:32:00-08:00",
        )
        .unwrap();
        assert_eq!(
            Date::parse(&native["d"], &tz).unwrap().rfc3339,
            "2025-03-04T00:00:00-08:00"
        );
        assert_eq!(
            Date::parse(&native["t"], &tz).unwrap().rfc3339,
            "2025-01-31T09:00:00-08:00"
        );
        assert_eq!(
            Date::parse(&native["o"], &tz).unwrap().rfc3339,
            "1979-05-27T07:32:00-08:00"
        );
        // without a time zone, UTC
        assert_eq!(
            date("2025-03-04", &TimeZone::UTC).unwrap().rfc3339,
            "2025-03-04T00:00:00+00:00"
        );
        assert!(date("March 4", &tz).is_err());
        assert!(date("2025-02-30", &tz).is_err());
        let earlier = date("2025-03-04T10:00:00+01:00", &tz).unwrap();
        let later = date("2025-03-04T09:30:00", &tz).unwrap();
        assert!(earlier.timestamp < later.timestamp);
    }
}
