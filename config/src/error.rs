//! Why a [`Config`](crate::Config) cannot start a stack.

use crate::features::Feature;

/// A [`Config`](crate::Config) that cannot work, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// This field must be at least `min`.
    TooSmall {
        /// The field's name.
        field: &'static str,
        /// Smallest usable value.
        min: usize,
    },
    /// This field asks for a part of the runtime that the build left out
    /// (e.g. `dhcp_v4` without the `dhcpv4` feature).
    NotBuilt {
        /// The field's name.
        field: &'static str,
        /// The cargo feature it needs.
        feature: Feature,
    },
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::TooSmall { field, min } => write!(f, "board config: `{field}` must be at least {min}"),
            ConfigError::NotBuilt { field, feature } => {
                write!(f, "board config: `{field}` needs the runtime's `{}` feature, which this build leaves out", feature.name())
            }
        }
    }
}

/// `?` into `Box<dyn Error>`.
impl core::error::Error for ConfigError {}
