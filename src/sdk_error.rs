//! Turning an AWS SDK error into the crate's own [`ApiError`]: a code a person can search for
//! and a message, built without the raw response (which could hold a secret).

use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::error::{ProvideErrorMetadata, SdkError};

/// Why a call failed, as a code a person can search for and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// The service's error code (`NotFoundException`, `ThrottlingException`, ...) or, where no
    /// answer was understood, one of `Timeout`, `ConnectionError`, `MalformedResponse`,
    /// `DispatchFailure`, `RequestConstructionFailed`, `UnknownServiceError`; for roles,
    /// `AssumeRoleFailed`.
    pub(crate) code: String,
    pub(crate) message: String,
}

/// The crate's error for a failed call of any AWS SDK client.
pub(crate) fn api_error<E>(error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = match &error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            match service.err().code() {
                Some(code) => (code, service.err().message().unwrap_or(code).to_owned()),
                // A success status whose body could not be read as the operation's output.
                None if (200..300).contains(&status) => ("MalformedResponse", unreadable(status, &error)),
                None => (
                    "UnknownServiceError",
                    format!("the service answered HTTP {status} with no error code"),
                ),
            }
        }
        SdkError::ResponseError(response) => match response.raw().status().as_u16() {
            status @ 200..=299 => ("MalformedResponse", unreadable(status, &error)),
            status => (
                "UnknownServiceError",
                format!("the service answered HTTP {status} with an unreadable error body"),
            ),
        },
        SdkError::TimeoutError(_) => ("Timeout", causes(&error)),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ("Timeout", causes(&error)),
        SdkError::DispatchFailure(failure) if failure.is_io() => ("ConnectionError", causes(&error)),
        SdkError::DispatchFailure(_) => ("DispatchFailure", causes(&error)),
        SdkError::ConstructionFailure(_) => ("RequestConstructionFailed", causes(&error)),
        _ => ("SdkError", causes(&error)),
    };
    ApiError {
        code: code.to_owned(),
        message,
    }
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
