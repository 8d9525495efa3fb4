//! Why a [`Config`](crate::Config) cannot start a stack.

use crate::features::Feature;

/// A [`Config`](crate::Config) that cannot work, and why.
///
/// [`Config::validate`](crate::Config::validate) returns it (see
/// [`Config`](crate::Config)'s example); its text names the board file's field.
///
/// # Examples
///
/// ```
/// use usocket_config::{ConfigError, Feature};
///
/// let err = ConfigError::NotBuilt { field: "dns_queries", feature: Feature::Dns };
/// assert_eq!(err.to_string(), "board config: `dns_queries` needs the runtime's `dns` feature, which this build leaves out");
/// ```
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
