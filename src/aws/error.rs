//! Turning an AWS SDK error into the crate's own [`Failure`]: a code a person can search for
//! and a message, built without the raw response (which could hold a secret).

use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};

use crate::failure::{codes, Failure};

/// The crate's error for a failed call of any AWS SDK client.
pub(crate) fn api_error<E>(error: SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = match &error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            match service.err().code() {
                Some(code) => (code, service.err().message().unwrap_or(code).to_owned()),
                // A success status whose body could not be read as the operation's output.
                None if (200..300).contains(&status) => {
                    (codes::MALFORMED_RESPONSE, unreadable(status, &error))
                }
                None => (
                    codes::UNKNOWN_SERVICE_ERROR,
                    format!("the service answered HTTP {status} with no error code"),
                ),
            }
        }
        SdkError::ResponseError(response) => match response.raw().status().as_u16() {
            status @ 200..=299 => (codes::MALFORMED_RESPONSE, unreadable(status, &error)),
            status => (
                codes::UNKNOWN_SERVICE_ERROR,
                format!("the service answered HTTP {status} with an unreadable error body"),
            ),
        },
        SdkError::TimeoutError(_) => (codes::TIMEOUT, causes(&error)),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => (codes::TIMEOUT, causes(&error)),
        SdkError::DispatchFailure(failure) if failure.is_io() => (codes::CONNECTION_ERROR, causes(&error)),
        SdkError::DispatchFailure(_) => (codes::DISPATCH_FAILURE, causes(&error)),
        SdkError::ConstructionFailure(_) => (codes::REQUEST_CONSTRUCTION_FAILED, causes(&error)),
        _ => (codes::SDK_ERROR, causes(&error)),
    };
    Failure::new(code, message)
}

fn unreadable(status: u16, error: &(dyn std::error::Error + 'static)) -> String {
    format!(
        "the service answered HTTP {status} with a body that is not a valid response: {}",
        causes(error)
    )
}

/// The error and its causes, by `Display` only. Not `DisplayErrorContext`: it appends the
/// `Debug` form, which holds the raw response body and so could hold a secret key.
pub(crate) fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
