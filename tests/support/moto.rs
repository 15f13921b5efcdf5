//! moto's server, a widely used AWS fake, as the tests' CloudWatch: started on a
//! loopback port from the test virtual environment (scripts/setup.sh --test installs
//! it), fed datapoints and alarms through the real `aws-sdk-cloudwatch`, as a team's
//! own tooling would write them.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricDatum, StandardUnit, Statistic,
};
use aws_sdk_cloudwatch::Client;
use aws_smithy_types::DateTime;

use super::tools::{self, Proc};

/// A running moto server.
pub struct Moto {
    _proc: Proc,
    pub url: String,
}

impl Moto {
    pub async fn start() -> Moto {
        let port = super::free_port();
        let dir = std::env::temp_dir();
        let python = tools::python();
        let proc = tools::spawn(
            python.to_str().expect("a UTF-8 path"),
            &[
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ],
            &dir,
        );
        let addr = format!("127.0.0.1:{port}");
        tools::wait_listening(&addr).await;
        Moto {
            _proc: proc,
            url: format!("http://{addr}"),
        }
    }

    /// A CloudWatch client for `region` on this server.
    pub async fn client(&self, region: &str) -> Client {
        let conf = aws_sdk_cloudwatch::config::Builder::new()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .credentials_provider(super::test_credentials("AKIDMOTO"))
            .endpoint_url(&self.url)
            .build();
        Client::from_conf(conf)
    }

    /// Puts one datapoint of an `AWS/Kafka` metric, `seconds_ago` before now.
    pub async fn put(
        &self,
        region: &str,
        metric: &str,
        dims: &[(&str, &str)],
        value: f64,
        seconds_ago: u64,
    ) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let datum = MetricDatum::builder()
            .metric_name(metric)
            .set_dimensions(Some(dimensions(dims)))
            .value(value)
            .unit(StandardUnit::Count)
            .timestamp(DateTime::from_secs((now - seconds_ago) as i64))
            .build();
        self.client(region)
            .await
            .put_metric_data()
            .namespace("AWS/Kafka")
            .metric_data(datum)
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutMetricData {metric}: {e:?}"));
    }

    /// Puts an alarm on an `AWS/Kafka` metric.
    pub async fn alarm(&self, region: &str, name: &str, metric: &str, dims: &[(&str, &str)]) {
        self.client(region)
            .await
            .put_metric_alarm()
            .alarm_name(name)
            .namespace("AWS/Kafka")
            .metric_name(metric)
            .set_dimensions(Some(dimensions(dims)))
            .statistic(Statistic::Maximum)
            .period(60)
            .evaluation_periods(1)
            .threshold(0.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutMetricAlarm {name}: {e:?}"));
    }

    /// Sets an alarm's state (moto does not evaluate alarms itself).
    pub async fn set_state(&self, region: &str, name: &str, state: &str) {
        self.client(region)
            .await
            .set_alarm_state()
            .alarm_name(name)
            .state_value(state.into())
            .state_reason("set by the test")
            .send()
            .await
            .unwrap_or_else(|e| panic!("SetAlarmState {name}: {e:?}"));
    }
}

fn dimensions(dims: &[(&str, &str)]) -> Vec<Dimension> {
    dims.iter()
        .map(|(n, v)| Dimension::builder().name(*n).value(*v).build())
        .collect()
}
