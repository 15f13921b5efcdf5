//! Counting AWS calls where the SDK makes them: an interceptor on every client the
//! console builds (MSK, CloudWatch) counts each HTTP attempt (every page of a paged
//! listing, every retry) by service (`kafka`, `cloudwatch`), operation and outcome.
//!
//! The outcome is the SDK's own reading of the answer: a success is `ok`; an answer the
//! client's retry classifiers call throttling (whatever the protocol spells it:
//! MSK's 429 `TooManyRequestsException`, CloudWatch's 400 `Throttling`) is
//! `throttled`; a 401 or 403 is `denied`; anything else, a timeout or a connection that
//! failed included, is `error`.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryReason,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::ErrorKind;

use super::counters::{CallOutcome, Telemetry};

/// The interceptor: add it to a client's config with `.interceptor(CountCalls(…))`.
#[derive(Clone, Debug)]
pub struct CountCalls(pub Telemetry);

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "msk-console CountCalls"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|m| (m.service().to_ascii_lowercase(), m.name().to_string()))
            .unwrap_or_else(|| ("unknown".into(), "unknown".into()));
        let outcome = match context.output_or_error() {
            Some(Ok(_)) => CallOutcome::Ok,
            _ => {
                let ctx = context.inner();
                let throttled = runtime_components.retry_classifiers().any(|c| {
                    matches!(
                        c.classify_retry(ctx),
                        RetryAction::RetryIndicated(RetryReason::RetryableError {
                            kind: ErrorKind::ThrottlingError,
                            ..
                        })
                    )
                });
                let status = context.response().map(|r| r.status().as_u16());
                if throttled {
                    CallOutcome::Throttled
                } else if matches!(status, Some(401 | 403)) {
                    CallOutcome::Denied
                } else {
                    CallOutcome::Error
                }
            }
        };
        self.0.aws_call(&service, &operation, outcome);
        Ok(())
    }
}
