//! One way to declare a closed list of values that has a stable snake_case code (API, CLI,
//! storage) and a separate label for people, so every such enum parses and reports alike.

/// Declares a `Copy` enum whose variants each carry a code and a label, with `ALL`, `code()`,
/// `label()`, `parse(field, raw)`, `Display` (the code), `FromStr` and serde as the code.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident => ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in the order pages list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case code used in the API, the CLI and storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a code (trimmed, any case), refusing unknown ones under `field` with the
            /// allowed codes in the message.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::Invalid> {
                let wanted = raw.trim().to_ascii_lowercase();
                Self::ALL.iter().copied().find(|v| v.code() == wanted).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                    $crate::Invalid::unknown_value(field, raw.trim(), &allowed)
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse($field, s)
            }
        }
    };
}
