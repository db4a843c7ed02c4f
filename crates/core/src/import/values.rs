//! Turning the text of a cell into a typed value: money, numbers, yes/no, dates and instants as CRMs and Excel
//! write them. Each refusal names the value and the form we expected.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::fields::ValueKind;
use crate::Invalid;

/// A value read from a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Trimmed text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// Money in cents (currency symbols are dropped: a file holds one currency).
    Money(i64),
    /// A percentage, 0 to 100.
    Percent(f64),
    /// Yes or no.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// An instant; times without an offset are taken as UTC.
    DateTime(DateTime<Utc>),
    /// An id of another record, without the sObject tree's leading `@`.
    Reference(String),
    /// One of our picklist codes.
    Code(String),
}

/// How numbers in this file are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NumberStyle {
    /// `1.234,56` rather than `1,234.56` (European Excel, which also writes `;` as the delimiter).
    pub decimal_comma: bool,
    /// Multiplier a header announces, e.g. 1,000,000 for `revenue ($M)`; 1 when none.
    pub unit: i64,
}

impl NumberStyle {
    /// Plain numbers: `.` for decimals, no unit.
    pub const PLAIN: NumberStyle = NumberStyle {
        decimal_comma: false,
        unit: 1,
    };
}

/// Whether the cell means "no value": blank, `#N/A`, `N/A`, `NULL`, Excel's `#NULL!`.
pub fn is_null(raw: &str) -> bool {
    let raw = raw.trim();
    raw.is_empty()
        || raw.eq_ignore_ascii_case("#N/A")
        || raw.eq_ignore_ascii_case("N/A")
        || raw.eq_ignore_ascii_case("NULL")
        || raw == "#NULL!"
}

/// Reads `raw` as `kind` (not a picklist: those need the mapping table); `Ok(None)` for a null cell.
pub fn parse_value(
    kind: ValueKind,
    field: &str,
    raw: &str,
    style: NumberStyle,
) -> Result<Option<Value>, Invalid> {
    let raw = raw.trim();
    if is_null(raw) {
        return Ok(None);
    }
    // A lone dash is how accounting formats and reports print "nothing" in a number column.
    let numeric = matches!(kind, ValueKind::Integer | ValueKind::Money | ValueKind::Percent);
    if numeric && (raw == "-" || raw == "—") {
        return Ok(None);
    }
    let value = match kind {
        ValueKind::Text => Value::Text(raw.to_owned()),
        ValueKind::Picklist(_) => Value::Code(raw.to_owned()),
        ValueKind::Reference => Value::Reference(raw.strip_prefix('@').unwrap_or(raw).to_owned()),
        ValueKind::Integer => {
            Value::Integer(parse_integer(raw, style).map_err(|m| refuse(field, "invalid_number", raw, m))?)
        }
        ValueKind::Money => {
            Value::Money(parse_money(raw, style).map_err(|m| refuse(field, "invalid_money", raw, m))?)
        }
        ValueKind::Percent => {
            Value::Percent(parse_percent(raw, style).map_err(|m| refuse(field, "invalid_percent", raw, m))?)
        }
        ValueKind::Bool => Value::Bool(parse_bool(raw).map_err(|m| refuse(field, "invalid_bool", raw, m))?),
        ValueKind::Date => Value::Date(parse_date(raw).map_err(|m| refuse(field, "invalid_date", raw, m))?),
        ValueKind::DateTime => {
            Value::DateTime(parse_datetime(raw).map_err(|m| refuse(field, "invalid_datetime", raw, m))?)
        }
    };
    Ok(Some(value))
}

fn refuse(field: &str, code: &'static str, raw: &str, expected: &str) -> Invalid {
    let shown: String = raw.chars().take(60).collect();
    Invalid::new(field, code, format!("{field} '{shown}' is not {expected}"))
}

const MONEY_FORM: &str = "an amount: expected digits with an optional currency sign, thousands separators and \
                          decimals, like $1,234.50, 1.234,50 € or (500) for a negative";
const INTEGER_FORM: &str = "a whole number: expected digits, thousands separators allowed, like 12,000";
const PERCENT_FORM: &str = "a percentage from 0 to 100, like 65 or 65%";
const BOOL_FORM: &str = "yes or no: expected true/false, yes/no, 1/0 or x";
const DATE_FORM: &str =
    "a date: expected YYYY-MM-DD, M/D/YYYY, D.M.YYYY or an Excel serial number like 45352";
const DATETIME_FORM: &str = "a date and time: expected 2024-03-01T10:20:30.000+0000, 2024-03-01 10:20:30, \
                             3/1/2024 10:20 AM or a date";

/// A signed decimal as an integer mantissa and the number of digits after the point.
fn parse_decimal(raw: &str, decimal_comma: bool) -> Option<(i128, u32)> {
    let mut text = raw.trim();
    let mut negative = false;
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        text = inner.trim();
    }
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '$' | '€' | '£' | '¥' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    let mut cleaned = cleaned.as_str();
    for code in ["USD", "EUR", "GBP", "CHF", "CAD", "AUD"] {
        cleaned = cleaned
            .strip_prefix(code)
            .or_else(|| cleaned.strip_suffix(code))
            .unwrap_or(cleaned);
    }
    if let Some(rest) = cleaned.strip_prefix('-').or_else(|| cleaned.strip_suffix('-')) {
        negative = !negative;
        cleaned = rest;
    } else if let Some(rest) = cleaned.strip_prefix('+') {
        cleaned = rest;
    }
    let decimal = decimal_separator(cleaned, decimal_comma);
    let (whole, fraction) = match decimal {
        Some(separator) => cleaned.rsplit_once(separator)?,
        None => (cleaned, ""),
    };
    let whole: String = whole.chars().filter(|&c| c != '.' && c != ',').collect();
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fraction = &fraction[..fraction.len().min(9)];
    let digits = format!("{whole}{fraction}");
    let mantissa: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some((if negative { -mantissa } else { mantissa }, fraction.len() as u32))
}

/// Which of `.` and `,` is the decimal point, if any: the last of two different ones is; a lone `,` is a
/// thousands separator when three digits follow it (unless the file writes decimal commas), and so is a
/// repeated one.
fn decimal_separator(text: &str, decimal_comma: bool) -> Option<char> {
    let dot = text.rfind('.');
    let comma = text.rfind(',');
    match (dot, comma) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        (Some(d), None) => {
            let repeated = text.matches('.').count() > 1;
            let grouped = decimal_comma && text.len() - d - 1 == 3;
            (!repeated && !grouped).then_some('.')
        }
        (None, Some(c)) => {
            let repeated = text.matches(',').count() > 1;
            let decimal = decimal_comma || text.len() - c - 1 != 3;
            (!repeated && decimal).then_some(',')
        }
        (None, None) => None,
    }
}

fn scaled(mantissa: i128, fraction_digits: u32, factor: i128) -> Option<i64> {
    let divisor = 10_i128.checked_pow(fraction_digits)?;
    let numerator = mantissa.checked_mul(factor)?;
    // Round half away from zero, as accountants do.
    let rounded = (numerator + numerator.signum() * divisor / 2) / divisor;
    i64::try_from(rounded).ok()
}

/// Money in cents: `$514,405.0`, `1.234,56 €`, `(500.00)`, `-12`, `USD 3,000`.
pub fn parse_money(raw: &str, style: NumberStyle) -> Result<i64, &'static str> {
    let (mantissa, digits) = parse_decimal(raw, style.decimal_comma).ok_or(MONEY_FORM)?;
    scaled(mantissa, digits, 100 * i128::from(style.unit.max(1))).ok_or(MONEY_FORM)
}

/// A whole number: `12,000`, `28549`, `28549.0` (spreadsheets add the `.0`).
pub fn parse_integer(raw: &str, style: NumberStyle) -> Result<i64, &'static str> {
    let (mantissa, digits) = parse_decimal(raw, style.decimal_comma).ok_or(INTEGER_FORM)?;
    let factor = i128::from(style.unit.max(1));
    let divisor = 10_i128.pow(digits);
    let value = mantissa.checked_mul(factor).ok_or(INTEGER_FORM)?;
    if value % divisor != 0 {
        return Err(INTEGER_FORM);
    }
    i64::try_from(value / divisor).map_err(|_| INTEGER_FORM)
}

/// A percentage 0–100: `65`, `65%`, `12.5 %`.
pub fn parse_percent(raw: &str, style: NumberStyle) -> Result<f64, &'static str> {
    let number = raw.trim().trim_end_matches('%');
    let (mantissa, digits) = parse_decimal(number, style.decimal_comma).ok_or(PERCENT_FORM)?;
    let value = mantissa as f64 / 10_f64.powi(digits as i32);
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(PERCENT_FORM)
    }
}

/// Yes or no as CRMs and spreadsheets write it.
pub fn parse_bool(raw: &str) -> Result<bool, &'static str> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "x" | "checked" | "on" => Ok(true),
        "false" | "f" | "0" | "no" | "n" | "unchecked" | "off" => Ok(false),
        _ => Err(BOOL_FORM),
    }
}

/// Excel counts days from 1899-12-30 (the day before its fictitious 1900-02-29).
fn excel_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap_or_default()
        .and_time(NaiveTime::MIN)
}

/// An Excel serial day number (with an optional fraction of a day) between 1900 and 9999.
fn excel_serial(raw: &str) -> Option<NaiveDateTime> {
    if !raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') || raw.starts_with('.') {
        return None;
    }
    let serial: f64 = raw.parse().ok()?;
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let millis = (serial * 86_400_000.0).round() as i64;
    excel_epoch().checked_add_signed(TimeDelta::milliseconds(millis))
}

/// Dates with `/`: month first as US reports write them, unless the first number cannot be a month.
fn slashed_date(raw: &str) -> Option<NaiveDate> {
    let mut parts = raw.split('/');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let year: i32 = c.parse().ok()?;
    if c.len() == 4 && a > 31 {
        return None;
    }
    let year = if c.len() == 2 { 2000 + year } else { year };
    if a.to_string().len() == 4 || c.len() < 2 {
        return None;
    }
    let (month, day) = if a > 12 { (b, a) } else { (a, b) };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A date: `2024-03-01`, `2024-03-01T…` (the date part), `3/1/2024`, `1.3.2024`, `2024/03/01`, Excel `45352`.
pub fn parse_date(raw: &str) -> Result<NaiveDate, &'static str> {
    let raw = raw.trim();
    if let Ok(date) = raw.parse::<NaiveDate>() {
        return Ok(date);
    }
    if let Some(serial) = excel_serial(raw) {
        return Ok(serial.date());
    }
    if let Some(date) = slashed_date(raw) {
        return Ok(date);
    }
    for format in ["%d.%m.%Y", "%Y/%m/%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(raw, format) {
            return Ok(date);
        }
    }
    if raw.len() > 10
        && let Ok(instant) = parse_datetime(raw)
    {
        return Ok(instant.date_naive());
    }
    Err(DATE_FORM)
}

/// An instant: Salesforce API `2024-03-01T10:20:30.000+0000` or `Z`, warehouse `2024-03-01 10:20:30.829`,
/// US reports `3/1/2024 10:20 AM`, a bare date (midnight), or an Excel serial with a fraction.
pub fn parse_datetime(raw: &str) -> Result<DateTime<Utc>, &'static str> {
    let raw = raw.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(raw) {
        return Ok(instant.to_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(instant) = DateTime::parse_from_str(raw, format) {
            return Ok(instant.to_utc());
        }
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(raw, format) {
            return Ok(naive.and_utc());
        }
    }
    if let Some((date, time)) = raw.split_once(' ')
        && let Some(date) = slashed_date(date)
    {
        let time = time.trim().to_ascii_uppercase();
        for format in ["%I:%M %p", "%I:%M:%S %p", "%H:%M", "%H:%M:%S"] {
            if let Ok(time) = NaiveTime::parse_from_str(&time, format) {
                return Ok(date.and_time(time).and_utc());
            }
        }
    }
    if let Some(serial) = excel_serial(raw) {
        return Ok(serial.and_utc());
    }
    if raw.len() <= 10
        && let Ok(date) = parse_date(raw)
    {
        return Ok(date.and_time(NaiveTime::MIN).and_utc());
    }
    Err(DATETIME_FORM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn money_reads_report_and_european_forms() {
        let plain = NumberStyle::PLAIN;
        assert_eq!(parse_money("$514,405.0", plain), Ok(51_440_500));
        assert_eq!(parse_money("119373.34", plain), Ok(11_937_334));
        assert_eq!(parse_money("(1,200.50)", plain), Ok(-120_050));
        assert_eq!(parse_money("-12", plain), Ok(-1_200));
        assert_eq!(parse_money("USD 3,000", plain), Ok(300_000));
        assert_eq!(parse_money("1.234,56 €", plain), Ok(123_456));
        assert_eq!(
            parse_money(
                "1.234",
                NumberStyle {
                    decimal_comma: true,
                    unit: 1
                }
            ),
            Ok(123_400)
        );
        assert_eq!(
            parse_money(
                "12,5",
                NumberStyle {
                    decimal_comma: true,
                    unit: 1
                }
            ),
            Ok(1_250)
        );
        assert_eq!(parse_money("0.005", plain), Ok(1));
    }

    #[test]
    fn a_header_unit_scales_money() {
        let millions = NumberStyle {
            decimal_comma: false,
            unit: 1_000_000,
        };
        assert_eq!(parse_money("$514,405.0", millions), Ok(51_440_500_000_000));
    }

    #[test]
    fn money_that_is_not_a_number_names_the_expected_form() {
        let error = parse_value(ValueKind::Money, "amount", "lots", NumberStyle::PLAIN).unwrap_err();
        assert_eq!(error.code, "invalid_money");
        assert!(
            error
                .message
                .starts_with("amount 'lots' is not an amount: expected"),
            "{}",
            error.message
        );
    }

    #[test]
    fn integers_accept_thousands_and_a_trailing_zero_fraction() {
        assert_eq!(parse_integer("12,000", NumberStyle::PLAIN), Ok(12_000));
        assert_eq!(parse_integer("28549.0", NumberStyle::PLAIN), Ok(28_549));
        assert!(parse_integer("12.5", NumberStyle::PLAIN).is_err());
        assert!(parse_integer("twelve", NumberStyle::PLAIN).is_err());
    }

    #[test]
    fn percent_must_be_between_0_and_100() {
        assert_eq!(parse_percent("65%", NumberStyle::PLAIN), Ok(65.0));
        assert_eq!(parse_percent("12.5", NumberStyle::PLAIN), Ok(12.5));
        assert!(parse_percent("1000", NumberStyle::PLAIN).is_err());
    }

    #[test]
    fn booleans_read_every_common_spelling() {
        for yes in ["true", "TRUE", "1", "yes", "x", "Y"] {
            assert_eq!(parse_bool(yes), Ok(true), "{yes}");
        }
        for no in ["false", "FALSE", "0", "no", "N"] {
            assert_eq!(parse_bool(no), Ok(false), "{no}");
        }
        assert!(parse_bool("maybe").is_err());
    }

    #[test]
    fn nulls_are_recognised_in_every_kind() {
        for raw in ["", "  ", "#N/A", "n/a", "NULL", "null", "#NULL!"] {
            assert_eq!(
                parse_value(ValueKind::Date, "close_date", raw, NumberStyle::PLAIN),
                Ok(None),
                "{raw}"
            );
        }
        assert_eq!(
            parse_value(ValueKind::Money, "amount", "-", NumberStyle::PLAIN),
            Ok(None)
        );
    }

    #[test]
    fn dates_read_salesforce_us_european_and_excel_forms() {
        assert_eq!(parse_date("2024-03-01"), Ok(date(2024, 3, 1)));
        assert_eq!(parse_date("3/1/2024"), Ok(date(2024, 3, 1)));
        assert_eq!(parse_date("03/01/24"), Ok(date(2024, 3, 1)));
        assert_eq!(parse_date("31/1/2024"), Ok(date(2024, 1, 31)));
        assert_eq!(parse_date("1.3.2024"), Ok(date(2024, 3, 1)));
        assert_eq!(parse_date("45352"), Ok(date(2024, 3, 1)));
        assert_eq!(parse_date("2018-12-19 00:00:00"), Ok(date(2018, 12, 19)));
        assert_eq!(parse_date("2020-12-22T21:16:01Z"), Ok(date(2020, 12, 22)));
        assert!(parse_date("13/13/2024").is_err());
        assert!(parse_date("2024-02-30").is_err());
    }

    #[test]
    fn datetimes_read_api_warehouse_and_report_forms() {
        let expected = at("2024-03-01T10:20:30Z");
        assert_eq!(parse_datetime("2024-03-01T10:20:30.000+0000"), Ok(expected));
        assert_eq!(parse_datetime("2024-03-01T10:20:30.000Z"), Ok(expected));
        assert_eq!(parse_datetime("2024-03-01T12:20:30+02:00"), Ok(expected));
        assert_eq!(parse_datetime("2024-03-01 10:20:30"), Ok(expected));
        assert_eq!(
            parse_datetime("2018-12-18 18:20:30.829"),
            Ok(at("2018-12-18T18:20:30.829Z"))
        );
        assert_eq!(
            parse_datetime("3/1/2024 10:20 AM"),
            Ok(at("2024-03-01T10:20:00Z"))
        );
        assert_eq!(
            parse_datetime("3/1/2024 10:20 pm"),
            Ok(at("2024-03-01T22:20:00Z"))
        );
        assert_eq!(parse_datetime("2024-03-01"), Ok(at("2024-03-01T00:00:00Z")));
        assert_eq!(parse_datetime("45352.5"), Ok(at("2024-03-01T12:00:00Z")));
    }

    #[test]
    fn a_date_that_does_not_parse_names_value_and_forms() {
        let error = parse_value(ValueKind::Date, "close_date", "next week", NumberStyle::PLAIN).unwrap_err();
        assert_eq!(error.code, "invalid_date");
        assert_eq!(error.field, "close_date");
        assert!(
            error
                .message
                .contains("'next week' is not a date: expected YYYY-MM-DD"),
            "{}",
            error.message
        );
    }

    #[test]
    fn references_lose_the_sobject_tree_at_sign() {
        let value = parse_value(
            ValueKind::Reference,
            "account_ref",
            "@AccountRef10",
            NumberStyle::PLAIN,
        );
        assert_eq!(value, Ok(Some(Value::Reference("AccountRef10".into()))));
    }
}
