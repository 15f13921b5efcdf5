//! Where clusters come from: AWS sources (a credential chain, maybe a role, and regions)
//! and inventory files.
//!
//! The simple case is flags (`--aws-profiles`, `--aws-regions`, `--aws-role-arn`); several
//! accounts go in a TOML sources file:
//!
//! ```toml
//! [[aws]]
//! name = "prod"                  # shown in the console; default: the profile name
//! profile = "prod-readonly"      # default: the default credential chain
//! role_arn = "arn:aws:iam::210987654321:role/msk-console-read"   # optional
//! regions = ["eu-west-1", "us-east-1"]                          # default: the profile's
//! endpoint_url = "https://kafka.eu-west-1.amazonaws.com"        # optional
//! cloudwatch_endpoint_url = "https://monitoring.eu-west-1.amazonaws.com"  # optional
//!
//! [[file]]
//! path = "self-managed.toml"     # an inventory file, relative to this file
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::Config;
use crate::error::StartError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsSource {
    pub name: String,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    /// Empty: the region the profile (or environment) names.
    pub regions: Vec<String>,
    /// The MSK API endpoint (default: AWS's).
    pub endpoint_url: Option<String>,
    /// The CloudWatch API endpoint (default: AWS's).
    pub cloudwatch_endpoint_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Aws(AwsSource),
    File(PathBuf),
    /// The built-in sample inventory.
    Sample,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    aws: Vec<AwsEntry>,
    #[serde(default)]
    file: Vec<FileEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AwsEntry {
    name: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
    endpoint_url: Option<String>,
    cloudwatch_endpoint_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    path: PathBuf,
}

/// Works out the sources from the configuration; a sources file that cannot be read or
/// parsed stops the console at start with the reason.
pub fn from_config(config: &Config) -> Result<Vec<Source>, StartError> {
    let mut sources = Vec::new();
    if config.sample {
        // The sample stands in for AWS; inventory files still come along.
        sources.push(Source::Sample);
    } else if let Some(path) = &config.sources_file {
        sources.extend(read_sources_file(path, config)?);
    } else if !config.no_aws {
        let regions = config.aws_regions.clone();
        let profiles: Vec<Option<String>> = if config.aws_profiles.is_empty() {
            vec![None]
        } else {
            config.aws_profiles.iter().cloned().map(Some).collect()
        };
        for profile in profiles {
            sources.push(Source::Aws(AwsSource {
                name: profile.clone().unwrap_or_else(|| "default".into()),
                profile,
                role_arn: config.aws_role_arn.clone(),
                regions: regions.clone(),
                endpoint_url: config.aws_endpoint_url.clone(),
                cloudwatch_endpoint_url: config.cloudwatch_endpoint_url.clone(),
            }));
        }
    }
    sources.extend(config.inventory_files.iter().cloned().map(Source::File));
    check_unique_names(&sources)?;
    Ok(sources)
}

fn read_sources_file(path: &Path, config: &Config) -> Result<Vec<Source>, StartError> {
    let bad = |reason: String| StartError::Sources {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let file: SourcesFile = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (i, a) in file.aws.into_iter().enumerate() {
        let name = a.name.or_else(|| a.profile.clone()).unwrap_or_else(|| {
            if i == 0 {
                "default".into()
            } else {
                format!("aws-{}", i + 1)
            }
        });
        if let Some(r) = &a.role_arn {
            if !r.starts_with("arn:") {
                return Err(bad(format!(
                    "source `{name}`: role_arn `{r}` is not an ARN"
                )));
            }
        }
        out.push(Source::Aws(AwsSource {
            name,
            profile: a.profile,
            role_arn: a.role_arn,
            regions: a.regions,
            endpoint_url: a.endpoint_url.or_else(|| config.aws_endpoint_url.clone()),
            cloudwatch_endpoint_url: a
                .cloudwatch_endpoint_url
                .or_else(|| config.cloudwatch_endpoint_url.clone()),
        }));
    }
    out.extend(
        file.file
            .into_iter()
            .map(|f| Source::File(base.join(f.path))),
    );
    Ok(out)
}

/// Refuses two sources under one name: their listings would overwrite each other (an
/// inventory file's name is its `source` key, or its file name).
pub fn check_unique_names(sources: &[Source]) -> Result<(), StartError> {
    let mut seen = std::collections::HashMap::new();
    for s in sources {
        let (name, what) = match s {
            Source::Aws(a) => (a.name.clone(), "an AWS source".to_string()),
            Source::File(p) => (
                super::file::source_name(p),
                format!("the inventory file {}", p.display()),
            ),
            _ => continue,
        };
        if let Some(first) = seen.insert(name.clone(), what.clone()) {
            return Err(StartError::Config(format!(
                "{first} and {what} are both named `{name}`; give each source a distinct name (`source = \"…\"` in an inventory file)"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn flags_make_one_source_per_profile() {
        let c = Config::parse_from([
            "x",
            "--aws-profiles",
            "prod,dev",
            "--aws-regions",
            "eu-west-1",
        ]);
        let s = from_config(&c).unwrap();
        assert_eq!(s.len(), 2);
        let Source::Aws(a) = &s[1] else { panic!() };
        assert_eq!(a.name, "dev");
        assert_eq!(a.regions, vec!["eu-west-1"]);
    }

    #[test]
    fn default_is_the_default_chain_and_sample_replaces_it() {
        let s = from_config(&Config::parse_from(["x"])).unwrap();
        assert!(matches!(&s[..], [Source::Aws(a)] if a.name == "default" && a.profile.is_none()));
        let s = from_config(&Config::parse_from(["x", "--sample"])).unwrap();
        assert_eq!(s, vec![Source::Sample]);
        let s = from_config(&Config::parse_from(["x", "--no-aws"])).unwrap();
        assert!(s.is_empty());
    }

    #[test]
    fn sources_file_is_read_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sources.toml");
        std::fs::write(
            &p,
            "[[aws]]\nprofile = \"prod\"\nregions = [\"eu-west-1\"]\n[[aws]]\nname = \"b\"\nrole_arn = \"arn:aws:iam::1:role/r\"\n[[file]]\npath = \"inv.toml\"\n",
        )
        .unwrap();
        let c = Config::parse_from(["x", "--sources-file", p.to_str().unwrap()]);
        let s = from_config(&c).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[2], Source::File(dir.path().join("inv.toml")));
        std::fs::write(&p, "[[aws]]\nprofle = \"typo\"\n").unwrap();
        let e = from_config(&c).unwrap_err().to_string();
        assert!(e.contains("sources.toml") && e.contains("profle"), "{e}");
    }
}
