//! Where a person or account is: the country (from ISO codes or common names), the sales region it
//! belongs to, and the time zone to assume for sending windows and call times when none is given.
//!
//! The table covers about seventy countries where software teams buy, by ISO 3166 alpha-2 and
//! alpha-3 code, English name and common local or short names ("Deutschland", "UK", "USA").
//! A country with several time zones gets the one where most of its business happens
//! (US → America/New_York, AU → Australia/Sydney); an explicit time zone always wins.

use std::fmt;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::Invalid;

coded_enum! {
    /// A sales region; territories and routing are cut along these.
    pub enum Region in "region" {
        /// North America (United States and Canada).
        Amer => ("amer", "AMER"),
        /// Europe, the Middle East and Africa.
        Emea => ("emea", "EMEA"),
        /// Asia and the Pacific.
        Apac => ("apac", "APAC"),
        /// Mexico, Central and South America and the Caribbean.
        Latam => ("latam", "LATAM"),
    }
}

impl Region {
    /// The time zone to assume when only the region is known: the one most of its teams work in.
    pub fn default_time_zone(self) -> Tz {
        match self {
            Region::Amer => Tz::America__New_York,
            Region::Emea => Tz::Europe__London,
            Region::Apac => Tz::Asia__Singapore,
            Region::Latam => Tz::America__Sao_Paulo,
        }
    }
}

/// One row of the country table.
#[derive(Debug)]
struct CountryRow {
    alpha2: &'static str,
    alpha3: &'static str,
    name: &'static str,
    /// Other names people type, lower-case.
    aliases: &'static [&'static str],
    region: Region,
    time_zone: Tz,
}

macro_rules! countries {
    ($( $a2:literal $a3:literal $name:literal [$($alias:literal),*] $region:ident $tz:ident; )+) => {
        &[$( CountryRow { alpha2: $a2, alpha3: $a3, name: $name, aliases: &[$($alias),*], region: Region::$region, time_zone: Tz::$tz } ),+]
    };
}

static COUNTRIES: &[CountryRow] = countries! {
    "US" "USA" "United States" ["united states of america", "america", "us of a"] Amer America__New_York;
    "CA" "CAN" "Canada" [] Amer America__Toronto;
    "MX" "MEX" "Mexico" ["méxico"] Latam America__Mexico_City;
    "BR" "BRA" "Brazil" ["brasil"] Latam America__Sao_Paulo;
    "AR" "ARG" "Argentina" [] Latam America__Argentina__Buenos_Aires;
    "CL" "CHL" "Chile" [] Latam America__Santiago;
    "CO" "COL" "Colombia" [] Latam America__Bogota;
    "PE" "PER" "Peru" ["perú"] Latam America__Lima;
    "UY" "URY" "Uruguay" [] Latam America__Montevideo;
    "CR" "CRI" "Costa Rica" [] Latam America__Costa_Rica;
    "EC" "ECU" "Ecuador" [] Latam America__Guayaquil;
    "VE" "VEN" "Venezuela" [] Latam America__Caracas;
    "PA" "PAN" "Panama" ["panamá"] Latam America__Panama;
    "GB" "GBR" "United Kingdom" ["uk", "great britain", "britain", "england", "scotland", "wales", "northern ireland"] Emea Europe__London;
    "IE" "IRL" "Ireland" ["éire"] Emea Europe__Dublin;
    "DE" "DEU" "Germany" ["deutschland"] Emea Europe__Berlin;
    "FR" "FRA" "France" [] Emea Europe__Paris;
    "ES" "ESP" "Spain" ["españa", "espana"] Emea Europe__Madrid;
    "PT" "PRT" "Portugal" [] Emea Europe__Lisbon;
    "IT" "ITA" "Italy" ["italia"] Emea Europe__Rome;
    "NL" "NLD" "Netherlands" ["the netherlands", "holland", "nederland"] Emea Europe__Amsterdam;
    "BE" "BEL" "Belgium" ["belgië", "belgique", "belgien"] Emea Europe__Brussels;
    "LU" "LUX" "Luxembourg" [] Emea Europe__Luxembourg;
    "CH" "CHE" "Switzerland" ["schweiz", "suisse", "svizzera"] Emea Europe__Zurich;
    "AT" "AUT" "Austria" ["österreich", "osterreich"] Emea Europe__Vienna;
    "DK" "DNK" "Denmark" ["danmark"] Emea Europe__Copenhagen;
    "SE" "SWE" "Sweden" ["sverige"] Emea Europe__Stockholm;
    "NO" "NOR" "Norway" ["norge"] Emea Europe__Oslo;
    "FI" "FIN" "Finland" ["suomi"] Emea Europe__Helsinki;
    "IS" "ISL" "Iceland" ["ísland"] Emea Atlantic__Reykjavik;
    "PL" "POL" "Poland" ["polska"] Emea Europe__Warsaw;
    "CZ" "CZE" "Czechia" ["czech republic", "česko"] Emea Europe__Prague;
    "SK" "SVK" "Slovakia" [] Emea Europe__Bratislava;
    "HU" "HUN" "Hungary" ["magyarország"] Emea Europe__Budapest;
    "RO" "ROU" "Romania" ["românia"] Emea Europe__Bucharest;
    "BG" "BGR" "Bulgaria" [] Emea Europe__Sofia;
    "GR" "GRC" "Greece" ["hellas"] Emea Europe__Athens;
    "HR" "HRV" "Croatia" ["hrvatska"] Emea Europe__Zagreb;
    "SI" "SVN" "Slovenia" [] Emea Europe__Ljubljana;
    "RS" "SRB" "Serbia" [] Emea Europe__Belgrade;
    "EE" "EST" "Estonia" ["eesti"] Emea Europe__Tallinn;
    "LV" "LVA" "Latvia" [] Emea Europe__Riga;
    "LT" "LTU" "Lithuania" [] Emea Europe__Vilnius;
    "UA" "UKR" "Ukraine" [] Emea Europe__Kyiv;
    "RU" "RUS" "Russia" ["russian federation"] Emea Europe__Moscow;
    "TR" "TUR" "Turkey" ["türkiye", "turkiye"] Emea Europe__Istanbul;
    "IL" "ISR" "Israel" [] Emea Asia__Jerusalem;
    "AE" "ARE" "United Arab Emirates" ["uae", "emirates"] Emea Asia__Dubai;
    "SA" "SAU" "Saudi Arabia" ["ksa"] Emea Asia__Riyadh;
    "QA" "QAT" "Qatar" [] Emea Asia__Qatar;
    "EG" "EGY" "Egypt" [] Emea Africa__Cairo;
    "ZA" "ZAF" "South Africa" [] Emea Africa__Johannesburg;
    "NG" "NGA" "Nigeria" [] Emea Africa__Lagos;
    "KE" "KEN" "Kenya" [] Emea Africa__Nairobi;
    "MA" "MAR" "Morocco" [] Emea Africa__Casablanca;
    "IN" "IND" "India" ["bharat"] Apac Asia__Kolkata;
    "CN" "CHN" "China" ["prc", "people's republic of china"] Apac Asia__Shanghai;
    "JP" "JPN" "Japan" ["nippon"] Apac Asia__Tokyo;
    "KR" "KOR" "South Korea" ["korea", "republic of korea"] Apac Asia__Seoul;
    "TW" "TWN" "Taiwan" [] Apac Asia__Taipei;
    "HK" "HKG" "Hong Kong" [] Apac Asia__Hong_Kong;
    "SG" "SGP" "Singapore" [] Apac Asia__Singapore;
    "MY" "MYS" "Malaysia" [] Apac Asia__Kuala_Lumpur;
    "TH" "THA" "Thailand" [] Apac Asia__Bangkok;
    "VN" "VNM" "Vietnam" ["viet nam"] Apac Asia__Ho_Chi_Minh;
    "PH" "PHL" "Philippines" [] Apac Asia__Manila;
    "ID" "IDN" "Indonesia" [] Apac Asia__Jakarta;
    "PK" "PAK" "Pakistan" [] Apac Asia__Karachi;
    "BD" "BGD" "Bangladesh" [] Apac Asia__Dhaka;
    "LK" "LKA" "Sri Lanka" [] Apac Asia__Colombo;
    "AU" "AUS" "Australia" [] Apac Australia__Sydney;
    "NZ" "NZL" "New Zealand" ["aotearoa"] Apac Pacific__Auckland;
};

/// A country Prospector knows, stored and serialized as its ISO 3166 alpha-2 code.
#[derive(Debug, Clone, Copy)]
pub struct Country(&'static CountryRow);

impl Country {
    /// Parses an ISO alpha-2 or alpha-3 code or a common name, ignoring case, dots and extra
    /// spaces ("us", "U.S.A.", "Deutschland", "the Netherlands"). Unknown countries are refused
    /// under `field` with code `unknown_country`.
    pub fn parse(field: &str, raw: &str) -> Result<Country, Invalid> {
        let key = normalise(raw);
        if key.is_empty() {
            return Err(Invalid::required(field));
        }
        let bare = key.strip_prefix("the ").unwrap_or(&key);
        COUNTRIES
            .iter()
            .find(|c| {
                c.alpha2.eq_ignore_ascii_case(bare)
                    || c.alpha3.eq_ignore_ascii_case(bare)
                    || c.name.eq_ignore_ascii_case(bare)
                    || c.aliases.contains(&bare)
                    || c.aliases.contains(&key.as_str())
            })
            .map(Country)
            .ok_or_else(|| {
                let message = format!(
                    "unknown country '{}': give an ISO code such as US or DE, or an English name",
                    raw.trim()
                );
                Invalid::new(field, "unknown_country", message)
            })
    }

    /// Every country in the table.
    pub fn all() -> impl Iterator<Item = Country> {
        COUNTRIES.iter().map(Country)
    }

    /// The ISO 3166 alpha-2 code (`DE`).
    pub fn alpha2(self) -> &'static str {
        self.0.alpha2
    }

    /// The ISO 3166 alpha-3 code (`DEU`).
    pub fn alpha3(self) -> &'static str {
        self.0.alpha3
    }

    /// The English short name (`Germany`).
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The sales region the country belongs to.
    pub fn region(self) -> Region {
        self.0.region
    }

    /// The time zone to assume for someone in this country when none is given.
    pub fn default_time_zone(self) -> Tz {
        self.0.time_zone
    }
}

impl PartialEq for Country {
    fn eq(&self, other: &Self) -> bool {
        self.0.alpha2 == other.0.alpha2
    }
}

impl Eq for Country {}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.alpha2)
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.alpha2)
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Country::parse("country", &raw).map_err(serde::de::Error::custom)
    }
}

/// Parses an IANA time zone name (`Europe/Berlin`, any case), refusing unknown ones under
/// `field` with code `unknown_time_zone`.
pub fn parse_time_zone(field: &str, raw: &str) -> Result<Tz, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::required(field));
    }
    value
        .parse::<Tz>()
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .copied()
                .find(|tz| tz.name().eq_ignore_ascii_case(value))
        })
        .ok_or_else(|| {
            let message = format!("unknown time zone '{value}': use an IANA name such as Europe/Berlin");
            Invalid::new(field, "unknown_time_zone", message)
        })
}

/// The time zone to use for someone: the explicit one if given, else the country's default,
/// else the region's, else none (the app then falls back to the owner's time zone).
pub fn time_zone_for(explicit: Option<Tz>, country: Option<Country>, region: Option<Region>) -> Option<Tz> {
    explicit
        .or_else(|| country.map(Country::default_time_zone))
        .or_else(|| region.map(Region::default_time_zone))
}

/// Lower-case, dots removed, runs of white space collapsed, so "U.S.A." and "usa" meet.
fn normalise(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('.', "")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(raw: &str) -> Country {
        Country::parse("country", raw).unwrap()
    }

    #[test]
    fn codes_and_names_find_the_same_country() {
        for raw in ["US", "usa", "U.S.A.", "United States", "united states of america"] {
            assert_eq!(country(raw).alpha2(), "US", "{raw}");
        }
        for raw in ["DE", "DEU", "Germany", "Deutschland"] {
            assert_eq!(country(raw).alpha2(), "DE", "{raw}");
        }
        assert_eq!(country("the Netherlands").alpha2(), "NL");
        assert_eq!(country("  UK ").alpha2(), "GB");
    }

    #[test]
    fn countries_map_to_region_and_default_time_zone() {
        let cases = [
            ("US", Region::Amer, Tz::America__New_York),
            ("GB", Region::Emea, Tz::Europe__London),
            ("DE", Region::Emea, Tz::Europe__Berlin),
            ("IN", Region::Apac, Tz::Asia__Kolkata),
            ("AU", Region::Apac, Tz::Australia__Sydney),
            ("BR", Region::Latam, Tz::America__Sao_Paulo),
        ];
        for (code, region, tz) in cases {
            assert_eq!(
                (country(code).region(), country(code).default_time_zone()),
                (region, tz),
                "{code}"
            );
        }
    }

    #[test]
    fn table_has_unique_codes_and_at_least_sixty_countries() {
        let all: Vec<Country> = Country::all().collect();
        assert!(all.len() >= 60);
        for c in &all {
            assert_eq!(
                all.iter()
                    .filter(|o| o.alpha2() == c.alpha2() || o.alpha3() == c.alpha3())
                    .count(),
                1,
                "{c}"
            );
            assert_eq!(country(c.alpha3()), *c);
            assert_eq!(country(c.name()), *c);
        }
    }

    #[test]
    fn unknown_country_is_refused_naming_the_field() {
        let err = Country::parse("billing_country", "Atlantis").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("billing_country", "unknown_country")
        );
        assert_eq!(Country::parse("country", " ").unwrap_err().code, "required");
    }

    #[test]
    fn countries_serialize_as_alpha2() {
        assert_eq!(serde_json::to_string(&country("Japan")).unwrap(), "\"JP\"");
        assert_eq!(serde_json::from_str::<Country>("\"jpn\"").unwrap(), country("JP"));
    }

    #[test]
    fn time_zones_are_iana_names_in_any_case() {
        assert_eq!(
            parse_time_zone("time_zone", "europe/berlin").unwrap(),
            Tz::Europe__Berlin
        );
        assert_eq!(
            parse_time_zone("time_zone", "Mars/Olympus").unwrap_err().code,
            "unknown_time_zone"
        );
    }

    #[test]
    fn explicit_time_zone_wins_over_country_and_region() {
        let de = Some(country("DE"));
        assert_eq!(
            time_zone_for(Some(Tz::Asia__Tokyo), de, None),
            Some(Tz::Asia__Tokyo)
        );
        assert_eq!(
            time_zone_for(None, de, Some(Region::Amer)),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(
            time_zone_for(None, None, Some(Region::Apac)),
            Some(Tz::Asia__Singapore)
        );
        assert_eq!(time_zone_for(None, None, None), None);
    }
}
