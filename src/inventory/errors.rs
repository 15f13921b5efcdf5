//! AWS errors in plain words: what a failed call means for the person reading the
//! cluster list (no credentials, access denied, throttled, timed out, unreachable), and
//! a short line for a per-cluster call that failed.

use app::model::{SourceError, SourceErrorKind};
use aws_sdk_kafka::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

/// A short description of a failed per-cluster call.
pub(super) fn short<E, R>(err: &SdkError<E, R>, call: &str) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match (err.code(), err.message()) {
        (Some(code), Some(msg)) => format!("{call} failed: {code}: {msg}"),
        (Some(code), None) => format!("{call} failed: {code}"),
        _ => format!("{call} failed: {}", describe_transport(err)),
    }
}

fn describe_transport<E, R>(err: &SdkError<E, R>) -> String
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::TimeoutError(_) => "timed out".into(),
        SdkError::DispatchFailure(d) if d.is_timeout() => "timed out".into(),
        SdkError::DispatchFailure(d) if d.is_io() => "could not connect".into(),
        other => DisplayErrorContext(other).to_string(),
    }
}

/// Turns a failed region-level call into the banner the cluster list shows.
pub fn classify<E, R>(err: &SdkError<E, R>, call: &str, source: &str, region: &str) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().unwrap_or_default().to_string();
    let msg = err.message().unwrap_or_default().to_string();
    let (kind, message, hint) = match err {
        SdkError::TimeoutError(_) => (
            SourceErrorKind::Timeout,
            format!("{call} timed out in {region}."),
            "The MSK endpoint did not answer in time. Check the network path to AWS, or raise --aws-timeout.".to_string(),
        ),
        SdkError::DispatchFailure(d) if d.is_timeout() => (
            SourceErrorKind::Timeout,
            format!("{call} timed out in {region}."),
            "The MSK endpoint did not answer in time. Check the network path to AWS, or raise --aws-timeout.".to_string(),
        ),
        SdkError::DispatchFailure(_) => (
            SourceErrorKind::Unreachable,
            format!("The MSK endpoint for {region} could not be reached: {}", describe_transport(err)),
            "Check DNS, proxies and firewalls, and the endpoint URL if one is configured.".to_string(),
        ),
        SdkError::ServiceError(_) => match code.as_str() {
            "ForbiddenException" | "AccessDeniedException" | "UnauthorizedException" | "UnrecognizedClientException"
            | "InvalidSignatureException" | "ExpiredTokenException" => (
                SourceErrorKind::AccessDenied,
                format!("Access denied in {region}: {code}: {msg}"),
                format!(
                    "Source `{source}` needs kafka:ListClustersV2, kafka:DescribeClusterV2, kafka:GetBootstrapBrokers \
                     and kafka:ListNodes in {region}; expired SSO sessions need `aws sso login`."
                ),
            ),
            "TooManyRequestsException" | "ThrottlingException" => (
                SourceErrorKind::Throttled,
                format!("MSK throttled {call} in {region} even after retries."),
                "Lower --aws-concurrency, or refresh less often with --refresh-interval.".to_string(),
            ),
            _ => (
                SourceErrorKind::AwsError,
                format!("{call} failed in {region}: {code}: {msg}"),
                "AWS answered with an error; the clusters shown are from the last good refresh.".to_string(),
            ),
        },
        _ => (
            SourceErrorKind::AwsError,
            format!("{call} failed in {region}: {}", DisplayErrorContext(err)),
            "The answer from AWS could not be read; the clusters shown are from the last good refresh.".to_string(),
        ),
    };
    SourceError {
        kind,
        message,
        hint,
    }
}
