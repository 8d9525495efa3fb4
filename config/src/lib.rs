//! A usocket stack's configuration as one set of facts: the sizes and timings
//! of a stack ([`Config`]), the checks a stack starts with ([`ConfigError`]),
//! the runtime's optional parts ([`Feature`], [`Features`]), a board's
//! [`Addressing`], the RAM a stack needs ([`ram`]), and the text forms of a board's MAC and addresses ([`text`]). The runtime re-exports them; the generator builds
//! board configs and budgets with them; the host boards measure the per-item
//! costs with `size_of`. So the formulas exist once.

#![no_std]

mod addressing;
mod config;
mod error;
mod features;
pub mod ram;
pub mod text;

pub use addressing::Addressing;
pub use config::{Config, DhcpClient};
pub use error::ConfigError;
pub use features::{Feature, Features};
