//! Listing MSK clusters with `aws-sdk-kafka`.
//!
//! For one source and region: ListClustersV2 (paginated; provisioned and serverless), then
//! for every cluster GetBootstrapBrokers and, for provisioned clusters, ListNodes
//! (paginated) and the optional calls of [`super::details`]. DescribeClusterV2 is called
//! only when ListClustersV2 left out a cluster's details.
//!
//! A refresh costs what changed. ListClustersV2 gives each cluster's `CurrentVersion`,
//! which MSK changes with every update of the cluster. What the per-cluster calls
//! answered is kept with the version they answered for ([`Fetched`]); an incremental
//! refresh lists the clusters and asks the details only of the clusters that are new,
//! whose version changed, or whose last details were incomplete. Everything the listing
//! itself carries (state, tags, settings) is always current. A full refresh
//! (`--full-refresh-interval`, "Refresh now") asks every cluster's details again, which
//! also picks up what changes without an update (SCRAM secret associations). Every call holds a permit of a per-region semaphore, so a refresh of hundreds
//! of clusters never has more than `--aws-concurrency` calls in flight against one
//! account and region: fast, without a throttling storm. Throttling and transient errors
//! are retried by the SDK's standard retry strategy; each call has a time limit.
//!
//! A failed region is an `Err(SourceError)` with a message and a hint for the banner. A
//! failed per-cluster call keeps the cluster and notes what is missing in
//! `partial_error`.
//!
//! API reference: <https://docs.aws.amazon.com/msk/1.0/apireference/resources.html>

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::model::{Cluster, SourceError, SourceErrorKind};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_kafka::operation::get_bootstrap_brokers::GetBootstrapBrokersOutput;
use aws_sdk_kafka::types::{self, ClusterType, NodeInfo};
use aws_sdk_kafka::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use tokio::sync::Semaphore;

use super::errors::{classify, short};
use super::sources::AwsSource;
use crate::telemetry::aws::CountCalls;
use crate::telemetry::Telemetry;

/// Limits for the calls of one refresh.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub concurrency: usize,
    pub timeout: Duration,
    pub max_attempts: u32,
}

/// A loaded AWS source: its SDK configuration (credential chain, maybe an assumed role,
/// retry and timeout settings), reused across refreshes so credentials stay cached.
pub struct AwsFetcher {
    pub source: AwsSource,
    sdk: SdkConfig,
    limits: Limits,
    /// Configuration revisions' `server.properties`, asked for once each.
    revisions: super::details::RevisionCache,
    /// Counts every call the source's clients make.
    telemetry: Telemetry,
    /// What each cluster's detail calls last answered, by region and ARN.
    fetched: Mutex<HashMap<String, HashMap<String, Fetched>>>,
    /// What each region's link calls last answered (read on full refreshes).
    links: Mutex<HashMap<String, super::links::RegionLinks>>,
}

/// What the detail calls answered for one `CurrentVersion` of a cluster, reused while
/// the version stays.
#[derive(Clone)]
struct Fetched {
    version: String,
    /// DescribeClusterV2's details, when ListClustersV2 leaves them out.
    provisioned: Option<types::Provisioned>,
    serverless: Option<types::Serverless>,
    bootstrap: Option<GetBootstrapBrokersOutput>,
    nodes: Vec<NodeInfo>,
    extras: super::details::Extras,
}

/// Whether a refresh asks every cluster's details, or only those of changed clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    Full,
    Changed,
}

/// What another AWS service's reader needs of a source: its name, its SDK
/// configuration (credentials, role, retries, timeouts) and its CloudWatch endpoint.
#[derive(Clone, Debug)]
pub struct SourceAccess {
    pub name: String,
    pub sdk: SdkConfig,
    pub cloudwatch_endpoint_url: Option<String>,
}

/// What one region answered.
pub struct RegionListing {
    pub account: Option<String>,
    pub clusters: Vec<Cluster>,
    /// Configuration revisions read from MSK in this listing, for the database to keep.
    pub new_revisions: Vec<((String, i64), String)>,
}

impl AwsFetcher {
    /// Loads the source's configuration the way the AWS CLI would (profile files, SSO,
    /// environment, web identity, container and instance credentials). `credentials`
    /// replaces the chain, for embedding and tests.
    pub async fn load(
        source: AwsSource,
        limits: Limits,
        credentials: Option<SharedCredentialsProvider>,
        telemetry: Telemetry,
    ) -> AwsFetcher {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(limits.max_attempts))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(limits.timeout.min(Duration::from_secs(5)))
                    .operation_attempt_timeout(limits.timeout)
                    .operation_timeout(limits.timeout)
                    .build(),
            );
        if let Some(p) = &source.profile {
            loader = loader.profile_name(p);
        }
        // With regions given, skip the SDK's region chain (which may ask instance metadata).
        if let Some(r) = source.regions.first() {
            loader = loader.region(Region::new(r.clone()));
        }
        // The endpoint serves STS too when a role is assumed (an MSK-compatible
        // endpoint, the tests' fake); CloudWatch gets its own ([`AwsFetcher::access`]).
        if let Some(url) = &source.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(c) = credentials {
            loader = loader.credentials_provider(c);
        }
        let mut sdk = loader.load().await;
        if let Some(role) = &source.role_arn {
            let provider = aws_config::sts::AssumeRoleProvider::builder(role)
                .session_name("msk-console")
                .configure(&sdk)
                .build()
                .await;
            sdk = sdk
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }
        AwsFetcher {
            source,
            sdk,
            limits,
            revisions: Default::default(),
            telemetry,
            fetched: Mutex::default(),
            links: Mutex::default(),
        }
    }

    /// The regions to list: the configured ones, or the profile's own.
    pub fn regions(&self) -> Result<Vec<String>, SourceError> {
        if !self.source.regions.is_empty() {
            return Ok(self.source.regions.clone());
        }
        match self.sdk.region() {
            Some(r) => Ok(vec![r.to_string()]),
            None => Err(SourceError {
                kind: SourceErrorKind::Config,
                message: format!("No region is configured for source `{}`.", self.source.name),
                hint: "Pass --aws-regions (comma-separated), set AWS_REGION, or set `region` in the profile.".into(),
            }),
        }
    }

    /// Fails fast, with a clear message, when the credential chain finds nothing.
    pub async fn check_credentials(&self) -> Result<(), SourceError> {
        let no_creds = |detail: String| {
            SourceError {
            kind: SourceErrorKind::NoCredentials,
            message: format!("No AWS credentials were found for source `{}`: {detail}", self.source.name),
            hint: "Configure credentials as for the AWS CLI: `aws sso login --profile NAME` with --aws-profiles NAME, \
                   AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an instance role. --sample shows sample data meanwhile."
                .into(),
        }
        };
        let Some(provider) = self.sdk.credentials_provider() else {
            return Err(no_creds("no credential provider is configured".into()));
        };
        match provider.provide_credentials().await {
            Ok(_) => Ok(()),
            Err(e) => Err(no_creds(DisplayErrorContext(&e).to_string())),
        }
    }

    /// An MSK client of this source for `region` (its calls counted).
    pub fn client(&self, region: &str) -> Client {
        let conf = aws_sdk_kafka::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()))
            .interceptor(CountCalls(self.telemetry.clone()))
            .build();
        Client::from_conf(conf)
    }

    /// The source's SDK configuration (credentials, maybe an assumed role, retries and
    /// timeouts), for the other AWS services the console reads for it (CloudWatch).
    pub fn access(&self) -> SourceAccess {
        // Not the MSK endpoint: CloudWatch has its own (or AWS's).
        let mut sdk = self.sdk.to_builder();
        sdk.set_endpoint_url(None);
        SourceAccess {
            name: self.source.name.clone(),
            sdk: sdk.build(),
            cloudwatch_endpoint_url: self.source.cloudwatch_endpoint_url.clone(),
        }
    }

    /// The most calls in flight at once per region (`--aws-concurrency`).
    pub fn concurrency(&self) -> usize {
        self.limits.concurrency
    }

    /// An MSK Connect client of this source for `region` (its calls counted). It shares
    /// the source's endpoint when one is set (the tests' fake serves both APIs).
    pub fn connect_client(&self, region: &str) -> aws_sdk_kafkaconnect::Client {
        let conf = aws_sdk_kafkaconnect::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()))
            .interceptor(CountCalls(self.telemetry.clone()))
            .build();
        aws_sdk_kafkaconnect::Client::from_conf(conf)
    }

    /// The region's links: read now on a full refresh (or when never read), else the
    /// last ones read.
    async fn region_links(
        &self,
        client: &Client,
        permits: &Semaphore,
        region: &str,
        depth: Depth,
    ) -> super::links::RegionLinks {
        let known = self
            .links
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(region)
            .cloned();
        if let (Depth::Changed, Some(links)) = (depth, known) {
            return links;
        }
        let connect = self.connect_client(region);
        let links = super::links::read_region(client, &connect, permits).await;
        self.links
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(region.to_string(), links.clone());
        links
    }

    /// Lets the configuration revision cache start from what the database kept.
    pub fn revisions(&self) -> &super::details::RevisionCache {
        &self.revisions
    }

    /// Lists every cluster of one region with its bootstrap strings and brokers; with
    /// [`Depth::Changed`], asking details only of clusters that changed.
    pub async fn list_region(
        &self,
        region: &str,
        depth: Depth,
    ) -> Result<RegionListing, SourceError> {
        let client = self.client(region);
        let permits = Arc::new(Semaphore::new(self.limits.concurrency));
        let infos: Vec<types::Cluster> = {
            // The semaphore is never closed; were it, the call would go ahead unbounded.
            let _permit = permits.acquire().await.ok();
            client
                .list_clusters_v2()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| classify(&e, "ListClustersV2", &self.source.name, region))?
        };
        let has_clusters = !infos.is_empty();
        let known: HashMap<String, Fetched> = match depth {
            Depth::Full => HashMap::new(),
            Depth::Changed => self
                .fetched
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(region)
                .cloned()
                .unwrap_or_default(),
        };
        let details = infos.into_iter().map(|info| {
            let client = client.clone();
            let permits = permits.clone();
            let known = &known;
            async move {
                let reuse = info
                    .cluster_arn()
                    .and_then(|arn| known.get(arn))
                    .filter(|f| info.current_version() == Some(f.version.as_str()));
                match reuse {
                    Some(f) => self.with_fetched(info, f.clone(), region),
                    None => self.cluster_details(&client, &permits, info, region).await,
                }
            }
        });
        let (results, links) = tokio::join!(futures::future::join_all(details), async {
            if has_clusters {
                Some(self.region_links(&client, &permits, region, depth).await)
            } else {
                None
            }
        });
        let results: Vec<(Cluster, Option<Fetched>)> = results.into_iter().flatten().collect();
        let new_revisions = results
            .iter()
            .filter_map(|(_, f)| f.as_ref()?.extras.new_revision.clone())
            .collect();
        // Keep what was answered for the clusters listed now (a deleted cluster's go).
        let kept: HashMap<String, Fetched> = results
            .iter()
            .filter_map(|(c, f)| Some((c.arn.clone(), f.clone()?)))
            .collect();
        self.fetched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(region.to_string(), kept);
        let mut clusters: Vec<Cluster> = results.into_iter().map(|(c, _)| c).collect();
        if let Some(links) = links {
            super::links::attach(&mut clusters, &links);
        }
        let account = clusters.iter().find_map(|c| c.account.clone());
        Ok(RegionListing {
            account,
            clusters,
            new_revisions,
        })
    }

    /// A cluster from its listing and the details kept for its version: no call.
    fn with_fetched(
        &self,
        mut info: types::Cluster,
        f: Fetched,
        region: &str,
    ) -> Option<(Cluster, Option<Fetched>)> {
        if info.provisioned.is_none() && info.serverless.is_none() {
            info.provisioned = f.provisioned.clone();
            info.serverless = f.serverless.clone();
        }
        let mut cluster = super::mapping::to_model(
            &self.source.name,
            region,
            &info,
            f.bootstrap.as_ref(),
            &f.nodes,
        );
        f.extras.apply(&mut cluster);
        Some((cluster, Some(f)))
    }

    async fn cluster_details(
        &self,
        client: &Client,
        permits: &Semaphore,
        mut info: types::Cluster,
        region: &str,
    ) -> Option<(Cluster, Option<Fetched>)> {
        let arn = info.cluster_arn()?.to_string();
        let version = info.current_version().map(str::to_string);
        let serverless = info.cluster_type() == Some(&ClusterType::Serverless);
        let mut problems = Vec::new();

        // ListClustersV2 normally carries every detail; ask for them when it did not.
        let incomplete = if serverless {
            info.serverless().is_none()
        } else {
            info.provisioned().is_none()
        };
        if incomplete {
            let _p = permits.acquire().await.ok()?;
            match client.describe_cluster_v2().cluster_arn(&arn).send().await {
                Ok(out) => {
                    if let Some(full) = out.cluster_info {
                        info = full;
                    }
                }
                Err(e) => problems.push(short(&e, "DescribeClusterV2")),
            }
        }

        let bootstrap = async {
            let _p = permits.acquire().await.ok()?;
            match client
                .get_bootstrap_brokers()
                .cluster_arn(&arn)
                .send()
                .await
            {
                Ok(out) => Some(Ok(out)),
                Err(e) => Some(Err(short(&e, "GetBootstrapBrokers"))),
            }
        };
        let nodes = async {
            if serverless {
                return Ok(Vec::new());
            }
            let _p = permits.acquire().await.map_err(|e| e.to_string())?;
            client
                .list_nodes()
                .cluster_arn(&arn)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| short(&e, "ListNodes"))
        };
        let (bootstrap, nodes) = tokio::join!(bootstrap, nodes);
        let bootstrap = match bootstrap {
            Some(Ok(b)) => Some(b),
            Some(Err(p)) => {
                problems.push(p);
                None
            }
            None => None,
        };
        let nodes = nodes.unwrap_or_else(|p| {
            problems.push(p);
            Vec::new()
        });
        let mut cluster =
            super::mapping::to_model(&self.source.name, region, &info, bootstrap.as_ref(), &nodes);
        let extras = if serverless {
            super::details::Extras::default()
        } else {
            super::details::extras(client, permits, &self.revisions, &cluster).await
        };
        extras.apply(&mut cluster);
        // Details are kept for the version they answered for, and only when complete: a
        // call that failed is tried again on the next refresh.
        let fetched = match version {
            Some(version) if problems.is_empty() => Some(Fetched {
                version,
                provisioned: if incomplete { info.provisioned } else { None },
                serverless: if incomplete { info.serverless } else { None },
                bootstrap,
                nodes,
                extras,
            }),
            _ => None,
        };
        if !problems.is_empty() {
            cluster.partial_error = Some(problems.join("; "));
        }
        Some((cluster, fetched))
    }
}
