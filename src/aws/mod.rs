//! The AWS adapters: the only layer that names an AWS SDK type.
//!
//! Lightsail (and STS, through the credential provider) for reading keys, Organizations and
//! STS for which accounts there are, S3 for the report
//! archive and its state, SNS for the summary,
//! the SDK configuration built from [`Config`](crate::Config), and the mapping of every SDK error
//! to the crate's [`Failure`](crate::failure::Failure). Everything above works with the crate's
//! own types, so it is tested without the SDK.

mod accounts;
mod client;
mod error;
mod lightsail;
mod s3;
mod securityhub;
mod sns;

pub(crate) use accounts::OrganizationAccount;
pub use lightsail::Lightsail;
#[cfg(test)]
pub(crate) use lightsail::PageAnswer;
pub(crate) use lightsail::{AssumedRole, RegionClient};
pub use s3::Archive;
pub(crate) use securityhub::HubPlace;
pub use securityhub::SecurityHub;
pub use sns::Notifier;
