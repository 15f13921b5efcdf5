//! AWS errors in plain words: what a failed call means for the person reading the
//! cluster list (no credentials, access denied, throttled, timed out, unreachable), and
//! a short line for a per-cluster call that failed.

use app::model::{SourceError, SourceErrorKind};
use aws_sdk_kafka::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

/// The note an optional call leaves when it fails: which IAM action (`kafka:…`,
/// `kafkaconnect:…`) is missing, or what failed.
pub(super) fn note_for<E: ProvideErrorMetadata>(action: &str, what: &str, e: &E) -> String {
    let code = e.code().unwrap_or("an error");
    if matches!(
        code,
        "ForbiddenException" | "AccessDeniedException" | "UnauthorizedException"
    ) {
        format!("{what} not shown: the console's credentials may not call {action} ({code}).")
    } else {
        format!("{what} not shown: {action} failed ({code}).")
    }
}

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

/// What a banner says about one AWS API: its name, the permissions a source needs
/// for it, how to ease throttling, and what the page shows meanwhile.
pub struct Api {
    pub name: &'static str,
    pub permissions: &'static str,
    pub ease: &'static str,
    pub meanwhile: &'static str,
}

/// The MSK API, which the inventory lists.
pub const MSK: Api = Api {
    name: "MSK",
    permissions: "kafka:ListClustersV2, kafka:DescribeClusterV2, kafka:GetBootstrapBrokers and kafka:ListNodes",
    ease: "Lower --aws-concurrency, or refresh less often with --refresh-interval.",
    meanwhile: "the clusters shown are from the last good refresh",
};

/// Error codes that mean the caller may not make the call (or its credentials are
/// no good).
pub fn is_denied(code: &str) -> bool {
    matches!(
        code,
        "ForbiddenException"
            | "AccessDeniedException"
            | "AccessDenied"
            | "UnauthorizedException"
            | "UnauthorizedOperation"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "ExpiredTokenException"
            | "ExpiredToken"
    )
}

/// Error codes that mean AWS throttled the call (after the SDK's retries).
pub fn is_throttled(code: &str) -> bool {
    matches!(
        code,
        "TooManyRequestsException" | "ThrottlingException" | "Throttling" | "RequestLimitExceeded"
    )
}

/// Turns a failed region-level MSK call into the banner the cluster list shows.
pub fn classify<E, R>(err: &SdkError<E, R>, call: &str, source: &str, region: &str) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    classify_api(err, call, source, region, &MSK)
}

/// Turns a failed region-level call of `api` into a banner.
pub fn classify_api<E, R>(
    err: &SdkError<E, R>,
    call: &str,
    source: &str,
    region: &str,
    api: &Api,
) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().unwrap_or_default().to_string();
    let msg = err.message().unwrap_or_default().to_string();
    let name = api.name;
    let timed_out = || {
        (
            SourceErrorKind::Timeout,
            format!("{call} timed out in {region}."),
            format!("The {name} endpoint did not answer in time. Check the network path to AWS, or raise --aws-timeout."),
        )
    };
    let (kind, message, hint) = match err {
        SdkError::TimeoutError(_) => timed_out(),
        SdkError::DispatchFailure(d) if d.is_timeout() => timed_out(),
        SdkError::DispatchFailure(_) => (
            SourceErrorKind::Unreachable,
            format!("The {name} endpoint for {region} could not be reached: {}", describe_transport(err)),
            "Check DNS, proxies and firewalls, and the endpoint URL if one is configured.".to_string(),
        ),
        SdkError::ServiceError(_) if is_denied(&code) => (
            SourceErrorKind::AccessDenied,
            format!("Access denied in {region}: {code}: {msg}"),
            format!(
                "Source `{source}` needs {} in {region}; expired SSO sessions need `aws sso login`.",
                api.permissions
            ),
        ),
        SdkError::ServiceError(_) if is_throttled(&code) => (
            SourceErrorKind::Throttled,
            format!("{name} throttled {call} in {region} even after retries."),
            api.ease.to_string(),
        ),
        SdkError::ServiceError(_) => (
            SourceErrorKind::AwsError,
            format!("{call} failed in {region}: {code}: {msg}"),
            format!("AWS answered with an error; {}.", api.meanwhile),
        ),
        _ => (
            SourceErrorKind::AwsError,
            format!("{call} failed in {region}: {}", DisplayErrorContext(err)),
            format!("The answer from AWS could not be read; {}.", api.meanwhile),
        ),
    };
    SourceError {
        kind,
        message,
        hint,
    }
}
