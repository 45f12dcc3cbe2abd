//! Closed lists of the programme (education status, vulnerability categories, document kinds...)
//! as enums with a stable code each: the code is what the database, JSON and the CLI carry, and
//! `<prefix>-<code>` is the message key of its name.

/// Declares an enum of codes with `ALL`, `code()`, `message_key()`, `parse()` and serde by code.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $prefix:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in the order forms offer them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code kept in the database and JSON.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The message key of this value's name.
            pub fn message_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, "-", $code)),+ }
            }

            /// Reads a code as typed, or says which codes are allowed, naming `field`.
            pub fn parse(
                field: &'static str,
                value: &str,
            ) -> Result<Self, $crate::validation::FieldError> {
                let typed = value.trim();
                Self::ALL.iter().copied().find(|v| v.code() == typed).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                    $crate::validation::FieldError::unknown_value(field, value, &allowed)
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use code_enum;
