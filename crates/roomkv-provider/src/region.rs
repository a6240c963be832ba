//! [`regions!`](crate::regions): a vendor's `Region` enum, declared as a table.

/// `None`, or `Some` of the one expression given; for optional parts of [`regions!`](crate::regions).
#[doc(hidden)]
#[macro_export]
macro_rules! __optional {
    () => {
        ::core::option::Option::None
    };
    ($value:expr) => {
        ::core::option::Option::Some($value)
    };
}

/// Declares a vendor's `Region` enum and an `UnknownRegion` error from a table of regions:
/// each variant with its name, an optional short code after `/`, and its primary and backup
/// base URLs.
///
/// The enum gets `ALL` (in the table's order), `primary()`, `backup()`, `hosts()`, `name()`,
/// `Display` (the name), `FromStr` (a name or a code, ignoring ASCII case, `_` for `-`, else
/// `UnknownRegion`), [`RegionHosts`](crate::RegionHosts), and a crate-private
/// `short_code() -> Option<&str>`. Mark the default region with `#[default]`.
///
/// ```ignore
/// roomkv_provider::regions! {
///     /// RongCloud's data centres.
///     pub enum Region for "RongCloud" {
///         /// China (Beijing). The default.
///         #[default]
///         Beijing = "beijing" / "bj": "https://api.rong-api.com", "https://api-b.rong-api.com";
///     }
/// }
/// ```
#[macro_export]
macro_rules! regions {
    (
        $(#[$meta:meta])*
        $vis:vis enum $region:ident for $vendor:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $name:literal $(/ $code:literal)? : $primary:literal, $backup:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[non_exhaustive]
        $vis enum $region {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $region {
            #[doc = concat!("Every region, in the order of ", $vendor, "'s table.")]
            pub const ALL: [Self; [$(stringify!($variant)),*].len()] = [$(Self::$variant),*];

            /// The primary host's base URL.
            pub const fn primary(self) -> &'static str {
                match self {
                    $(Self::$variant => $primary,)*
                }
            }

            /// The backup host's base URL.
            pub const fn backup(self) -> &'static str {
                match self {
                    $(Self::$variant => $backup,)*
                }
            }

            /// Both base URLs, primary first.
            pub const fn hosts(self) -> [&'static str; 2] {
                [self.primary(), self.backup()]
            }

            #[doc = concat!(
                "The region's name as [`FromStr`](::std::str::FromStr) reads it: ",
                $("`", $name, "` ",)*
            )]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// The region's short code, for a vendor whose regions have one.
            #[allow(dead_code)]
            pub(crate) const fn short_code(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => $crate::__optional!($($code)?),)*
                }
            }
        }

        impl ::std::fmt::Display for $region {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl $crate::RegionHosts for $region {
            fn region_hosts(self) -> [&'static str; 2] {
                self.hosts()
            }
        }

        #[doc = concat!(
            "A region name that [`", stringify!($region), "`]'s [`FromStr`](::std::str::FromStr) does not know."
        )]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct UnknownRegion {
            name: String,
        }

        impl ::std::fmt::Display for UnknownRegion {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let names: Vec<&str> = $region::ALL.iter().map(|r| r.name()).collect();
                let codes: Vec<&str> = $region::ALL.iter().filter_map(|r| r.short_code()).collect();
                write!(
                    f,
                    "unknown {} region {:?}; expected one of {}",
                    $vendor,
                    self.name,
                    names.join(", ")
                )?;
                if !codes.is_empty() {
                    write!(f, " (or {})", codes.join(", "))?;
                }
                Ok(())
            }
        }

        impl ::std::error::Error for UnknownRegion {}

        impl ::std::str::FromStr for $region {
            type Err = UnknownRegion;

            /// Reads a name (or a short code, where regions have one), ignoring ASCII case; `_`
            /// may stand for `-`.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
                Self::ALL
                    .into_iter()
                    .find(|r| r.name() == wanted || r.short_code() == Some(wanted.as_str()))
                    .ok_or_else(|| UnknownRegion { name: s.to_owned() })
            }
        }
    };
}
