//! The one shape of every secret newtype of this crate.

/// Declares a secret newtype: a tuple struct around `$inner`, `Clone` but neither `Display` nor
/// equality, whose `Debug` prints `Name(***)`, built by `new` from anything `Into<$from>` and
/// read only through `expose_secret`, which returns `&$exposed`. The doc comments of the type and
/// of `new` are the caller's.
macro_rules! secret_newtype {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($inner:ty);
        $(#[$new_doc:meta])*
        fn new(impl Into<$from:ty>);
        $(#[$expose_doc:meta])*
        fn expose_secret() -> &$exposed:ty;
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name($inner);

        impl $name {
            $(#[$new_doc])*
            pub fn new(secret: impl Into<$from>) -> Self {
                Self(secret.into().into())
            }

            $(#[$expose_doc])*
            pub fn expose_secret(&self) -> &$exposed {
                &self.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }
    };
}

pub(crate) use secret_newtype;
