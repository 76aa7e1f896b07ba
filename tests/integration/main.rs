//! The integration tests, one crate: each module a subject, against the real SDK clients,
//! `lightsail-local`, moto or the built binary. One crate links the SDK once, not once a file.
//!
//! Every module is `cfg(test)`, so clippy.toml's allowances for tests apply: a test stops at
//! the line that failed (the no-panic lints in Cargo.toml are for the libraries).

#[cfg(test)]
mod access;
#[cfg(test)]
mod archive;
#[cfg(test)]
mod cli;
#[cfg(test)]
mod common;
#[cfg(test)]
mod delivery;
#[cfg(test)]
mod estate;
#[cfg(test)]
mod events;
#[cfg(test)]
mod golden;
#[cfg(test)]
mod handler;
#[cfg(test)]
mod local;
#[cfg(test)]
mod ocsf;
#[cfg(test)]
mod organization;
#[cfg(test)]
mod remediation;
#[cfg(test)]
mod resilience;
#[cfg(test)]
mod security_hub;
