//! Topics from MSK's own topic APIs: every AWS-listed provisioned cluster's topics
//! (`ListTopics`), refreshed every `--topics-interval` and after each inventory refresh,
//! with the inventory's limits (`--aws-concurrency` calls per source and region, the
//! SDK's retries and time limits), and a few topics' configurations each time
//! (`--topic-configs-per-refresh`, in rotation) for the history; and one topic in full
//! (`DescribeTopic`, `DescribeTopicPartitions`) when its page or API asks, kept for
//! [`DETAIL_TTL`].
//!
//! A cluster whose topics cannot be read keeps the topics last read, with the reason in
//! words: serverless (MSK's topic APIs do not serve it), a Kafka version before 3.6, a
//! missing permission, throttling. Only a leading console refreshes.
//!
//! - [`reader`]: the calls.

pub mod reader;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::error::AppError;
use app::model::topics::{TopicDetail, TopicName};
use app::model::{Cluster, ClusterKind};
use app::params::ClusterId;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::background::Background;
use crate::clock::now_rfc3339;
use crate::inventory::InventoryService;
use crate::live::Live;
use crate::role::Roles;

/// How long a topic's full description is served before MSK is asked again.
pub const DETAIL_TTL: Duration = Duration::from_secs(60);

/// Reads topics for every AWS source's provisioned clusters.
pub struct TopicService {
    inventory: Arc<InventoryService>,
    live: Arc<Live>,
    /// Recent full descriptions, by cluster and topic.
    details: Mutex<HashMap<(ClusterId, String), Described>>,
    /// Topic configurations read per cluster and listing (`--topic-configs-per-refresh`).
    configs_per_refresh: usize,
    /// Where each cluster's rotation through its topics' configurations stands.
    rotation: Mutex<HashMap<ClusterId, usize>>,
}

/// What listing one cluster's topics came to: the topics, or why not.
type Listed = Result<Vec<app::model::topics::TopicSummary>, String>;

/// The configurations read at one listing: topic → key → value, or why not.
type ConfigsRead = Vec<(String, Result<BTreeMap<String, String>, String>)>;

/// A topic's full description and when MSK gave it.
type Described = (Instant, Arc<TopicDetail>);

/// Why a cluster's topics are not read, before any call: `None` when they can be.
fn not_served(c: &Cluster) -> Option<String> {
    match c.kind {
        ClusterKind::Serverless => Some(
            "MSK's topic APIs do not serve serverless clusters; list them with a Kafka client (the client configuration downloads above)."
                .into(),
        ),
        ClusterKind::SelfManaged => Some("Topics are read from MSK's topic APIs, which only know MSK clusters.".into()),
        ClusterKind::Provisioned => None,
    }
}

impl TopicService {
    /// The service; each listing also reads `configs_per_refresh` topics'
    /// configurations of each cluster, in rotation.
    pub fn new(inventory: Arc<InventoryService>, configs_per_refresh: usize) -> Arc<TopicService> {
        let live = inventory.live().clone();
        Arc::new(TopicService {
            inventory,
            live,
            details: Mutex::new(HashMap::new()),
            configs_per_refresh,
            rotation: Mutex::new(HashMap::new()),
        })
    }

    /// The next topics whose configuration a listing of `id` reads: `n` of them, on
    /// from where the last listing stopped.
    fn next_configs(
        &self,
        id: &ClusterId,
        topics: &[app::model::topics::TopicSummary],
    ) -> Vec<String> {
        if topics.is_empty() || self.configs_per_refresh == 0 {
            return Vec::new();
        }
        let mut rotation = self
            .rotation
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = rotation.entry(id.clone()).or_insert(0);
        let n = self.configs_per_refresh.min(topics.len());
        let start = *at % topics.len();
        *at = (start + n) % topics.len();
        (0..n)
            .map(|i| topics[(start + i) % topics.len()].name.clone())
            .collect()
    }

    /// Starts the refresh loop: at once, every `interval` and after each inventory
    /// refresh, while this console leads.
    pub fn start(
        inventory: Arc<InventoryService>,
        interval: Duration,
        configs_per_refresh: usize,
        roles: Roles,
        background: &Background,
    ) -> Arc<TopicService> {
        let svc = Self::new(inventory, configs_per_refresh);
        let looping = svc.clone();
        let shutdown: CancellationToken = background.shutdown.clone();
        background.spawn(async move {
            let live = looping.live.clone();
            live.run_after_refreshes(interval, None, roles, shutdown, || looping.refresh())
                .await
        });
        svc
    }

    /// Reads every listed cluster's topics now, region by region at once, and
    /// publishes each region's as it ends.
    pub async fn refresh(&self) {
        let inventory = self.live.inventory();
        let mut regions: BTreeMap<(&str, &str), Vec<&Cluster>> = BTreeMap::new();
        for c in &inventory.clusters {
            regions
                .entry((c.source.as_str(), c.region.as_str()))
                .or_default()
                .push(c);
        }
        let per_region = regions
            .into_iter()
            .map(|((source, region), clusters)| async move {
                let client = self.inventory.msk_client(source, region);
                let permits = Semaphore::new(client.as_ref().map(|(_, n)| *n).unwrap_or(1).max(1));
                let reads = clusters.iter().map(|c| {
                    let client = client.as_ref().map(|(c, _)| c);
                    let permits = &permits;
                    async move {
                        let result = match (not_served(c), client) {
                            (Some(why), _) => Err(why),
                            // Files and the sample: nobody to ask.
                            (None, None) => Err(format!(
                                "Cluster {} comes from an inventory file (source {}): topics are read from MSK's topic APIs, for clusters listed from AWS.",
                                c.name, c.source
                            )),
                            (None, Some(client)) => {
                                let listed = {
                                    let _p = permits.acquire().await.ok();
                                    reader::list(client, &c.arn).await.map_err(|e| e.message)
                                };
                                // A few topics' configurations, in rotation: their
                                // changes are the history's.
                                let names = listed
                                    .as_ref()
                                    .map(|t| self.next_configs(&c.id, t))
                                    .unwrap_or_default();
                                let configs = names.into_iter().map(|name| async move {
                                    let _p = permits.acquire().await.ok();
                                    let read = reader::configs(client, &c.arn, &name)
                                        .await
                                        .map_err(|e| e.message);
                                    (name, read)
                                });
                                let configs = futures::future::join_all(configs).await;
                                return Some((c.id.clone(), listed, configs));
                            }
                        };
                        Some((c.id.clone(), result, Vec::new()))
                    }
                });
                let results: Vec<_> = futures::future::join_all(reads)
                    .await
                    .into_iter()
                    .flatten()
                    .collect();
                self.publish(results);
            });
        futures::future::join_all(per_region).await;
        self.live.lock().topics_generation += 1;
        self.live.publish();
    }

    fn publish(&self, results: Vec<(ClusterId, Listed, ConfigsRead)>) {
        if results.is_empty() {
            return;
        }
        let at = now_rfc3339();
        {
            let mut state = self.live.lock();
            for (id, result, configs) in results {
                let entry = state.topics.entry(id).or_default();
                let t = Arc::make_mut(entry);
                t.checked_at = at.clone();
                match result {
                    Ok(topics) => {
                        t.topics = topics;
                        t.read = true;
                        t.problem = None;
                        // Configurations of topics gone go with them.
                        let names: std::collections::HashSet<&str> =
                            t.topics.iter().map(|s| s.name.as_str()).collect();
                        t.configs.retain(|name, _| names.contains(name.as_str()));
                    }
                    Err(why) => t.problem = Some(why),
                }
                if !configs.is_empty() {
                    t.configs_problem = None;
                }
                for (name, read) in configs {
                    match read {
                        Ok(c) => {
                            t.configs.insert(name, c);
                        }
                        Err(why) => t.configs_problem = Some(why),
                    }
                }
            }
        }
        self.live.publish();
    }

    /// One topic in full, from MSK (or from the last [`DETAIL_TTL`]); the cluster's
    /// consumer groups on it come from its CloudWatch reading.
    pub async fn describe(
        &self,
        c: &Cluster,
        name: &TopicName,
    ) -> Result<Arc<TopicDetail>, AppError> {
        let key = (c.id.clone(), name.as_str().to_string());
        if let Some((at, d)) = self
            .details
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
        {
            if at.elapsed() < DETAIL_TTL {
                return Ok(d.clone());
            }
        }
        if let Some(why) = not_served(c) {
            return Err(AppError::not_found(why));
        }
        let Some((client, _)) = self.inventory.msk_client(&c.source, &c.region) else {
            return Err(AppError::not_found(format!(
                "Cluster {} is not listed from AWS, so MSK cannot describe its topics.",
                c.name
            )));
        };
        let d = reader::describe(&client, &c.arn, name.as_str())
            .await
            .map_err(|e| {
                if e.not_found {
                    AppError::not_found(format!(
                        "Cluster {} has no topic `{name}`: {}",
                        c.name, e.message
                    ))
                } else {
                    AppError::Unavailable(e.message)
                }
            })?;
        let inv = self.live.inventory();
        let mut consumers: Vec<_> = inv
            .metrics(c)
            .map(|m| {
                m.lag
                    .iter()
                    .filter(|l| l.topic == name.as_str())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        consumers.sort_by_key(|l| std::cmp::Reverse(l.time_lag_seconds.as_ref().map(|d| d.value)));
        let detail = Arc::new(TopicDetail {
            cluster_id: c.id.clone(),
            cluster_name: c.name.clone(),
            summary: d.summary,
            status: d.status,
            configs: d.configs,
            configs_problem: d.configs_problem,
            partitions: d.partitions,
            consumers,
            checked_at: now_rfc3339(),
        });
        let mut cache = self
            .details
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Old entries go when the cache grows: a page view per topic at most per TTL.
        if cache.len() > 1024 {
            cache.retain(|_, (at, _)| at.elapsed() < DETAIL_TTL);
        }
        cache.insert(key, (Instant::now(), detail.clone()));
        Ok(detail)
    }
}
