//! The cluster list's query: filter, sort and page, applied on the server.
//!
//! The list page asks for one page of rows ([`PAGE_SIZE`]) with the filter and sort of
//! its URL (`?q=…&sort=…&dir=…&page=…`), so a page of an inventory of thousands of
//! clusters stays small, and the same URL gives the same rows with or without
//! JavaScript. Every value is checked once here: an unknown sort key sorts by name, a
//! page past the end shows the last page, a filter is cut at [`MAX_FILTER`] characters.

use serde::{Deserialize, Serialize};

use super::{ClusterSummary, Inventory, RefreshStatus, SourceStatus, TextFilter};

/// Rows on one page of the cluster list.
pub const PAGE_SIZE: usize = 100;
/// The longest filter kept (characters).
pub const MAX_FILTER: usize = 256;

/// A column the list sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Source,
    Kind,
    State,
    Version,
    Brokers,
}

impl SortKey {
    /// Every sortable column: key, URL slug, header label.
    pub const ALL: [(SortKey, &'static str, &'static str); 6] = [
        (SortKey::Name, "name", "Name"),
        (SortKey::Source, "source", "Source · region"),
        (SortKey::Kind, "type", "Type"),
        (SortKey::State, "state", "State"),
        (SortKey::Version, "version", "Kafka"),
        (SortKey::Brokers, "brokers", "Brokers"),
    ];

    /// The key a URL slug names; anything else sorts by name.
    pub fn parse(s: &str) -> SortKey {
        SortKey::ALL
            .iter()
            .find(|(_, slug, _)| *slug == s)
            .map(|(k, _, _)| *k)
            .unwrap_or_default()
    }

    pub fn slug(self) -> &'static str {
        SortKey::ALL
            .iter()
            .find(|(k, _, _)| *k == self)
            .map(|(_, s, _)| *s)
            .unwrap_or("name")
    }

    /// Sorts rows by this column, then by name and id; rows come in name order (see
    /// [`ListRows`]) and the sort is stable, so sorting by name is one pass.
    fn sort(self, rows: &mut [&ListRow], descending: bool) {
        rows.sort_by(|a, b| {
            let (x, y) = (&a.summary, &b.summary);
            let ord = match self {
                SortKey::Name => std::cmp::Ordering::Equal,
                SortKey::Source => (&x.source, &x.region).cmp(&(&y.source, &y.region)),
                SortKey::Kind => x.kind.label().cmp(y.kind.label()),
                SortKey::State => x.state.as_str().cmp(y.state.as_str()),
                SortKey::Version => a.version_key.cmp(&b.version_key),
                SortKey::Brokers => x.brokers.cmp(&y.brokers),
            }
            .then_with(|| a.by_name(b));
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
    }
}

/// "3.10.0" sorts after "3.9.1".
fn version_key(v: &Option<String>) -> Vec<u64> {
    v.as_deref()
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// What the list page asks for, as parsed from its URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Words that must all match (see [`ClusterSummary::matches`]).
    pub q: String,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based.
    pub page: usize,
}

impl ListQuery {
    /// Parses the URL's values; never fails (see the module's rules).
    pub fn parse(
        q: Option<&str>,
        sort: Option<&str>,
        dir: Option<&str>,
        page: Option<&str>,
    ) -> Self {
        ListQuery {
            q: q.unwrap_or("").trim().chars().take(MAX_FILTER).collect(),
            sort: SortKey::parse(sort.unwrap_or("")),
            descending: dir == Some("desc"),
            page: page
                .and_then(|p| p.trim().parse::<usize>().ok())
                .unwrap_or(1)
                .max(1),
        }
    }

    /// The list URL for this query (page 1 and the defaults left out).
    pub fn href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if self.sort != SortKey::Name || self.descending {
            pairs.push(("sort", self.sort.slug().into()));
            pairs.push(("dir", if self.descending { "desc" } else { "asc" }.into()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if pairs.is_empty() {
            return "/".into();
        }
        format!(
            "/?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }

    /// The same query on another page.
    pub fn on_page(&self, page: usize) -> ListQuery {
        ListQuery {
            page,
            ..self.clone()
        }
    }

    /// The same filter sorted by `key`: ascending, or descending if it sorted by `key`
    /// ascending already; back to the first page.
    pub fn sorted_by(&self, key: SortKey) -> ListQuery {
        ListQuery {
            sort: key,
            descending: self.sort == key && !self.descending,
            page: 1,
            ..self.clone()
        }
    }
}

/// One page of the cluster list plus the state of every source. Its rows carry no tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryOverview {
    /// The rows of this page, sent as arrays (see [`compact_rows`]).
    #[serde(with = "compact_rows")]
    pub clusters: Vec<ClusterSummary>,
    /// Clusters in the inventory.
    pub total: usize,
    /// Clusters the filter matches.
    pub matched: usize,
    /// The query answered, with the page brought into range.
    pub query: ListQuery,
    /// Pages of matching clusters (at least 1).
    pub pages: usize,
    pub sources: Vec<SourceStatus>,
    /// CloudWatch sources and regions whose last sweep failed or left something out.
    #[serde(default)]
    pub cloudwatch: Vec<crate::model::cloudwatch::CloudWatchSource>,
    pub refresh: RefreshStatus,
    pub sample: bool,
}

impl InventoryOverview {
    /// The page `query` asks for. Only the page's rows are copied: the summaries, the
    /// sort keys and the filter's text are built once per inventory
    /// ([`Inventory::list_rows`]).
    pub fn of(inv: &Inventory, query: &ListQuery) -> InventoryOverview {
        let filter = TextFilter::parse(&query.q);
        let mut rows: Vec<&ListRow> = inv
            .list_rows()
            .0
            .iter()
            .filter(|r| filter.is_empty() || filter.matches(&r.summary, &r.hay))
            .collect();
        let matched = rows.len();
        let pages = matched.div_ceil(PAGE_SIZE).max(1);
        let query = query.on_page(query.page.clamp(1, pages));
        query.sort.sort(&mut rows, query.descending);
        let clusters = rows
            .into_iter()
            .skip((query.page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|r| ClusterSummary {
                // The list shows no tags and filters on the server, so its rows
                // (answered by the overview server function too) leave them out.
                tags: Default::default(),
                ..r.summary.clone()
            })
            .collect();
        InventoryOverview {
            clusters,
            total: inv.clusters.len(),
            matched,
            query,
            pages,
            sources: inv.sources.clone(),
            cloudwatch: inv
                .cloudwatch_sources
                .iter()
                .filter(|s| s.error.is_some() || !s.notes.is_empty())
                .cloned()
                .collect(),
            refresh: inv.refresh.clone(),
            sample: inv.sample,
        }
    }

    /// "1–100 of 2,000 clusters", "3 of 6 clusters", "6 clusters".
    pub fn count_label(&self) -> String {
        let shown = self.clusters.len();
        if self.pages > 1 {
            let first = (self.query.page - 1) * PAGE_SIZE + 1;
            let of = if self.matched == self.total {
                format!("{} clusters", self.total)
            } else {
                format!("{} matching of {} clusters", self.matched, self.total)
            };
            format!("{first}–{} of {of}", first + shown - 1)
        } else if self.matched == self.total {
            format!("{} clusters", self.total)
        } else {
            format!("{} of {} clusters", self.matched, self.total)
        }
    }
}

/// The list page's rows on the wire: each an array in a fixed order, not an object.
///
/// The field names were half of the overview server function's answer (which was also
/// the page's hydration data before the app moved to islands). This is the server
/// function's private format; `GET /api/clusters` keeps its named fields.
pub mod compact_rows {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::model::{
        AlarmsBrief, ClusterKind, ClusterSummary, HealthState, LifecycleState, Monitoring,
    };

    /// id, name, source, region, kind, state, Kafka version, brokers, auth, JMX
    /// exporter, node exporter, health, health reason, alarm coverage, replication flows.
    type Row = (
        crate::params::ClusterId,
        String,
        String,
        String,
        ClusterKind,
        LifecycleState,
        Option<String>,
        Option<u32>,
        String,
        bool,
        bool,
        Option<HealthState>,
        Option<String>,
        Option<AlarmsBrief>,
        Vec<String>,
    );

    pub fn serialize<S: Serializer>(rows: &[ClusterSummary], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(rows.iter().map(|r| {
            (
                &r.id,
                &r.name,
                &r.source,
                &r.region,
                r.kind,
                &r.state,
                &r.kafka_version,
                r.brokers,
                &r.auth,
                r.monitoring.jmx_exporter,
                r.monitoring.node_exporter,
                r.health,
                &r.health_reason,
                r.alarms,
                &r.replicates,
            )
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ClusterSummary>, D::Error> {
        let rows = Vec::<Row>::deserialize(d)?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    name,
                    source,
                    region,
                    kind,
                    state,
                    kafka_version,
                    brokers,
                    auth,
                    jmx_exporter,
                    node_exporter,
                    health,
                    health_reason,
                    alarms,
                    replicates,
                )| ClusterSummary {
                    id,
                    name,
                    source,
                    region,
                    kind,
                    state,
                    kafka_version,
                    brokers,
                    auth,
                    monitoring: Monitoring {
                        jmx_exporter,
                        node_exporter,
                    },
                    tags: Default::default(),
                    health,
                    health_reason,
                    alarms,
                    replicates,
                },
            )
            .collect())
    }
}

/// Every cluster's list row of one inventory, in name order, with what sorting and
/// filtering need worked out once: a published inventory never changes, so
/// [`Inventory::list_rows`] builds this on first use and every page of the list shares
/// it until the next publish.
#[derive(Debug, Default)]
pub struct ListRows(Vec<ListRow>);

#[derive(Debug)]
struct ListRow {
    summary: ClusterSummary,
    /// The name, lower-cased: the list's default order.
    name_key: String,
    version_key: Vec<u64>,
    /// [`ClusterSummary::haystack`].
    hay: String,
}

impl ListRow {
    fn by_name(&self, other: &ListRow) -> std::cmp::Ordering {
        self.name_key
            .cmp(&other.name_key)
            .then_with(|| self.summary.name.cmp(&other.summary.name))
            .then_with(|| self.summary.id.cmp(&other.summary.id))
    }
}

impl ListRows {
    /// The rows of `inv`, with each cluster's health from its last probe.
    pub fn build(inv: &Inventory) -> ListRows {
        let mut rows: Vec<ListRow> = inv
            .clusters
            .iter()
            .map(|c| {
                let summary = inv.summary(c);
                ListRow {
                    name_key: summary.name.to_lowercase(),
                    version_key: version_key(&summary.kafka_version),
                    hay: summary.haystack(),
                    summary,
                }
            })
            .collect();
        rows.sort_by(ListRow::by_name);
        ListRows(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_forgivingly_and_round_trip() {
        let q = ListQuery::parse(
            Some(" eu-west-1 "),
            Some("brokers"),
            Some("desc"),
            Some("3"),
        );
        assert_eq!(q.q, "eu-west-1");
        assert_eq!(q.sort, SortKey::Brokers);
        assert!(q.descending);
        assert_eq!(q.page, 3);
        assert_eq!(q.href(), "/?q=eu-west-1&sort=brokers&dir=desc&page=3");
        let d = ListQuery::parse(None, Some("<script>"), Some("sideways"), Some("-1"));
        assert_eq!(
            d,
            ListQuery {
                page: 1,
                ..ListQuery::default()
            }
        );
        assert_eq!(d.href(), "/");
        assert_eq!(ListQuery::parse(None, None, None, Some("0")).page, 1);
        let long = "x".repeat(10_000);
        assert_eq!(
            ListQuery::parse(Some(&long), None, None, None).q.len(),
            MAX_FILTER
        );
        // Sorting by the same key again reverses it and goes back to page 1.
        let by = q.sorted_by(SortKey::Brokers);
        assert!(!by.descending);
        assert_eq!(by.page, 1);
        assert!(ListQuery::default().sorted_by(SortKey::Name).descending);
    }

    #[test]
    fn pages_come_from_rows_built_once_and_filter_on_tags_the_rows_leave_out() {
        use crate::model::fixtures::cluster;
        let clusters = (0..250)
            .map(|i| {
                let mut c = cluster(&format!("C-{i:03}"), "prod", "eu-west-1");
                c.broker_count = Some(3 + i % 5);
                c.kafka_version = Some(if i % 2 == 0 { "3.10.0" } else { "3.9.1" }.into());
                c.tags = [("team".to_string(), format!("team-{}", i % 3))].into();
                c
            })
            .collect();
        let inv = Inventory {
            clusters,
            ..Inventory::default()
        };
        let first = InventoryOverview::of(&inv, &ListQuery::default());
        assert_eq!((first.total, first.matched, first.pages), (250, 250, 3));
        assert_eq!(first.clusters.len(), PAGE_SIZE);
        assert_eq!(first.clusters[0].name, "C-000");
        assert!(first.clusters.iter().all(|r| r.tags.is_empty()));
        // Built once: the second page reads the same rows.
        let rows: *const ListRows = inv.list_rows();
        let last = InventoryOverview::of(&inv, &ListQuery::parse(None, None, None, Some("9")));
        assert!(std::ptr::eq(rows, inv.list_rows()));
        assert_eq!((last.query.page, last.clusters.len()), (3, 50));
        // A clone builds its own (it may be changed).
        assert!(!std::ptr::eq(rows, inv.clone().list_rows()));
        // The filter still sees the tags; "3.10.0" sorts above "3.9.1".
        let q = ListQuery::parse(Some("TAG:team=team-1"), Some("version"), Some("desc"), None);
        let team = InventoryOverview::of(&inv, &q);
        assert_eq!(team.matched, 83);
        assert_eq!(team.clusters[0].kafka_version.as_deref(), Some("3.10.0"));
        assert_eq!(
            team.clusters.last().unwrap().kafka_version.as_deref(),
            Some("3.9.1")
        );
        assert_eq!(team.count_label(), "83 of 250 clusters");
        // The rows travel as arrays and come back the same, health included.
        let mut page = team.clone();
        page.clusters[0].health = Some(crate::model::HealthState::Warning);
        page.clusters[0].health_reason = Some("<b>1 of 3</b> brokers\r\nslow".into());
        let json = serde_json::to_string(&page).unwrap();
        assert!(json.starts_with(r#"{"clusters":[["c-"#), "{json}");
        assert!(!json.contains("\"kafka_version\""));
        let back: InventoryOverview = serde_json::from_str(&json).unwrap();
        assert_eq!(back, page);
    }
}
