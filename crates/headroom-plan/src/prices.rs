//! Price tables: what a self-built server costs to buy and run (written by the user),
//! and a cloud's instance shapes with their reserved prices.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::PriceFile {
        path: path.to_owned(),
        source,
    })
}

fn invalid(path: &Path, line: usize, reason: impl Into<String>) -> Error {
    Error::PriceTable {
        path: path.to_owned(),
        line,
        reason: reason.into(),
    }
}

/// A TOML error with its line.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let line = e
        .span()
        .map_or(0, |s| text[..s.start].matches('\n').count() + 1);
    invalid(path, line, e.message().to_owned())
}

/// What one self-built machine costs.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerPrice {
    /// Purchase price, delivered and racked.
    pub price: f64,
    /// Mean electrical draw at the wall, watts.
    pub watts: f64,
}

/// The user's price table for servers they buy and run themselves.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SelfBuilt {
    /// Currency every figure is in.
    pub currency: String,
    /// Years a purchase is written off over.
    pub amortisation_years: f64,
    /// Electricity, per kWh.
    pub electricity_per_kwh: f64,
    /// Power usage effectiveness: the site's draw ÷ the servers' draw (cooling etc.).
    pub pue: f64,
    /// One rack's space, per month.
    pub rack_per_month: f64,
    /// Servers one rack holds.
    pub servers_per_rack: f64,
    /// People and tools to run one server, per month.
    pub operations_per_server_month: f64,
    /// IP transit, per Mbps of peak per month (95th-percentile billing).
    pub transit_per_mbps_month: f64,
    /// Prices by the topology's profile names.
    #[serde(default, rename = "server")]
    pub servers: Vec<NamedServer>,
    /// Price of servers whose tier names no profile.
    pub default: Option<ServerPrice>,
}

/// A server price for one profile.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NamedServer {
    /// The topology profile it prices.
    pub profile: String,
    /// Its price.
    #[serde(flatten)]
    pub price: ServerPrice,
}

/// Hours in an average month (365.25 × 24 ÷ 12).
pub(crate) const HOURS_PER_MONTH: f64 = 730.5;

impl SelfBuilt {
    /// Reads and checks a self-built price table (TOML).
    pub fn load(path: &Path) -> Result<SelfBuilt, Error> {
        SelfBuilt::parse(&read(path)?, path)
    }

    /// Parses and checks a self-built price table; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<SelfBuilt, Error> {
        let table: SelfBuilt = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let positive = [
            ("amortisation_years", table.amortisation_years),
            ("pue", table.pue),
            ("servers_per_rack", table.servers_per_rack),
        ];
        let non_negative = [
            ("electricity_per_kwh", table.electricity_per_kwh),
            ("rack_per_month", table.rack_per_month),
            (
                "operations_per_server_month",
                table.operations_per_server_month,
            ),
            ("transit_per_mbps_month", table.transit_per_mbps_month),
        ];
        for (what, v) in positive {
            if !(v > 0.0 && v.is_finite()) {
                return Err(invalid(
                    path,
                    line_of(text, what),
                    format!("{what} must be above 0, not {v}"),
                ));
            }
        }
        for (what, v) in non_negative {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(invalid(
                    path,
                    line_of(text, what),
                    format!("{what} must be 0 or more, not {v}"),
                ));
            }
        }
        for s in table
            .servers
            .iter()
            .map(|s| (&s.price, s.profile.as_str()))
            .chain(table.default.as_ref().map(|d| (d, "default")))
        {
            if !(s.0.price >= 0.0
                && s.0.watts >= 0.0
                && s.0.price.is_finite()
                && s.0.watts.is_finite())
            {
                return Err(invalid(
                    path,
                    line_of(text, s.1),
                    format!("server '{}': price and watts must be 0 or more", s.1),
                ));
            }
        }
        Ok(table)
    }

    /// The price of a server of `profile` (or of a tier with no profile).
    pub fn server(&self, profile: Option<&str>) -> Option<&ServerPrice> {
        match profile {
            Some(name) => self
                .servers
                .iter()
                .find(|s| s.profile == name)
                .map(|s| &s.price)
                .or(self.default.as_ref()),
            None => self.default.as_ref(),
        }
    }

    /// Running cost of one server per month: power (with the site's overhead), its
    /// share of a rack, and operations.
    pub fn running_per_month(&self, server: &ServerPrice) -> f64 {
        server.watts / 1000.0 * self.pue * HOURS_PER_MONTH * self.electricity_per_kwh
            + self.rack_per_month / self.servers_per_rack
            + self.operations_per_server_month
    }

    /// A purchase written off evenly over the amortisation years, per month.
    pub fn amortised_per_month(&self, server: &ServerPrice) -> f64 {
        server.price / (self.amortisation_years * 12.0)
    }
}

/// The first line mentioning `what`, for pointing at a bad value.
fn line_of(text: &str, what: &str) -> usize {
    text.lines()
        .position(|l| l.contains(what))
        .map_or(0, |i| i + 1)
}

/// One cloud instance type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instance {
    /// Type name, e.g. `m7i.2xlarge`.
    pub name: String,
    /// Virtual CPUs (hardware threads).
    pub vcpus: f64,
    /// Memory, GiB.
    pub ram_gib: f64,
    /// Network bandwidth, Mbps.
    pub net_mbps: f64,
    /// Reserved price per year.
    pub annual: f64,
}

/// A cloud's prices: instance types, storage and transfer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cloud {
    /// Currency every figure is in.
    pub currency: String,
    /// Where the prices are from, in words.
    pub source: String,
    /// Priced instance types.
    pub instances: Vec<Instance>,
    /// On-demand price ÷ reserved price.
    pub on_demand_multiplier: f64,
    /// Block storage per GiB per year.
    pub storage_per_gib_year: f64,
    /// Internet egress tiers per month: (GiB in the tier, price per GiB); the last
    /// tier's size is unbounded.
    pub egress: Vec<(f64, f64)>,
    /// Instance types pinned for named profiles, overriding the cheapest fit.
    pub pinned: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloud {
    currency: String,
    source: String,
    instances: String,
    on_demand_multiplier: f64,
    storage_per_gib_year: f64,
    egress: Vec<RawEgress>,
    #[serde(default)]
    instance_for_profile: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEgress {
    gib: Option<f64>,
    per_gib: f64,
}

/// vCPUs that do the work of one physical core: a core without SMT counts as
/// 1 ÷ 0.6 ≈ 1.66 hardware threads (Netflix service-capacity-modeling,
/// `cpu_headroom_target`).
pub const VCPUS_PER_CORE: f64 = 1.0 / 0.6;

impl Cloud {
    /// Reads a cloud price file (TOML) and the instance CSV it names, relative to it.
    pub fn load(path: &Path) -> Result<Cloud, Error> {
        let text = read(path)?;
        let raw: RawCloud = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        let csv_path = path.parent().unwrap_or(Path::new(".")).join(&raw.instances);
        let csv = read(&csv_path)?;
        Cloud::parse(&text, path, &csv, &csv_path)
    }

    /// Parses a cloud price file (TOML) and its instance CSV, given as text; the paths
    /// name them in errors.
    pub fn parse(text: &str, path: &Path, csv: &str, csv_path: &Path) -> Result<Cloud, Error> {
        let raw: RawCloud = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        if !(raw.on_demand_multiplier >= 1.0 && raw.on_demand_multiplier.is_finite()) {
            return Err(invalid(
                path,
                line_of(text, "on_demand_multiplier"),
                "on_demand_multiplier must be at least 1 (on demand never costs less than reserved)",
            ));
        }
        let mut egress = Vec::new();
        for (i, e) in raw.egress.iter().enumerate() {
            let last = i + 1 == raw.egress.len();
            match (e.gib, last) {
                (None, true) => egress.push((f64::INFINITY, e.per_gib)),
                (Some(g), false) if g > 0.0 => egress.push((g, e.per_gib)),
                _ => {
                    return Err(invalid(
                        path,
                        line_of(text, "egress"),
                        "egress: every tier but the last gives its size in gib (> 0); the last gives none",
                    ));
                }
            }
        }
        let instances = parse_instances(csv, csv_path)?;
        for (profile, name) in &raw.instance_for_profile {
            if !instances.iter().any(|i| &i.name == name) {
                return Err(invalid(
                    path,
                    line_of(text, profile),
                    format!(
                        "instance_for_profile: '{name}' is not a priced instance in {}",
                        csv_path.display()
                    ),
                ));
            }
        }
        Ok(Cloud {
            currency: raw.currency,
            source: raw.source,
            instances,
            on_demand_multiplier: raw.on_demand_multiplier,
            storage_per_gib_year: raw.storage_per_gib_year,
            egress,
            pinned: raw.instance_for_profile,
        })
    }

    /// The cheapest instance with at least `vcpus`, `ram_gib` and (when given)
    /// `net_mbps`; ties go to the name first in order.
    pub fn cheapest_fit(
        &self,
        vcpus: f64,
        ram_gib: f64,
        net_mbps: Option<f64>,
    ) -> Option<&Instance> {
        self.instances
            .iter()
            .filter(|i| {
                i.vcpus >= vcpus && i.ram_gib >= ram_gib && net_mbps.is_none_or(|n| i.net_mbps >= n)
            })
            .min_by(|a, b| {
                a.annual
                    .total_cmp(&b.annual)
                    .then_with(|| a.name.cmp(&b.name))
            })
    }

    /// The instance pinned for `profile`, if any.
    pub fn pinned_for(&self, profile: &str) -> Option<&Instance> {
        let name = self.pinned.get(profile)?;
        self.instances.iter().find(|i| &i.name == name)
    }

    /// Price of `gib` of egress in one month, through the tiers.
    pub fn egress_cost(&self, gib: f64) -> f64 {
        let mut left = gib;
        let mut cost = 0.0;
        for &(size, price) in &self.egress {
            let here = left.min(size);
            cost += here * price;
            left -= here;
            if left <= 0.0 {
                break;
            }
        }
        cost
    }
}

/// Instance types from a CSV with columns `instance`, `cpu`, `ram_gib`, `net_mbps`,
/// `annual_cost_usd_3yr_upfront` and `lifecycle`; rows without a price, or in an
/// `alpha` or `deprecated` lifecycle, are left out.
fn parse_instances(text: &str, path: &Path) -> Result<Vec<Instance>, Error> {
    let (header, rows) = headroom_forecast::table::read(text)
        .map_err(|(line, reason)| invalid(path, line, reason))?;
    if header.is_empty() {
        return Err(invalid(path, 1, "empty file"));
    }
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| invalid(path, 1, format!("no '{name}' column")))
    };
    let (name_c, cpu_c, ram_c, net_c, price_c, life_c) = (
        col("instance")?,
        col("cpu")?,
        col("ram_gib")?,
        col("net_mbps")?,
        col("annual_cost_usd_3yr_upfront")?,
        col("lifecycle")?,
    );
    let mut out = Vec::new();
    for (n, fields) in rows {
        if fields.len() != header.len() {
            return Err(invalid(
                path,
                n,
                format!("{} fields, the header has {}", fields.len(), header.len()),
            ));
        }
        let lifecycle = fields[life_c].as_str();
        if fields[price_c].is_empty() || lifecycle == "alpha" || lifecycle == "deprecated" {
            continue;
        }
        let number = |c: usize, what: &str| -> Result<f64, Error> {
            fields[c]
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    invalid(
                        path,
                        n,
                        format!("{what} '{}' is not a number ≥ 0", fields[c]),
                    )
                })
        };
        out.push(Instance {
            name: fields[name_c].clone(),
            vcpus: number(cpu_c, "cpu")?,
            ram_gib: number(ram_c, "ram_gib")?,
            net_mbps: number(net_c, "net_mbps")?,
            annual: number(price_c, "annual_cost_usd_3yr_upfront")?,
        });
    }
    if out.is_empty() {
        return Err(invalid(path, 0, "no priced instance types"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shipped() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/prices")
    }

    #[test]
    fn shipped_tables_load() {
        let cloud = Cloud::load(&shipped().join("aws-us-east-1.toml")).unwrap();
        // 440 rows in the shared snapshot, 431 priced, 6 of those in alpha.
        assert_eq!(cloud.instances.len(), 425);
        let m5 = cloud
            .instances
            .iter()
            .find(|i| i.name == "m5.xlarge")
            .unwrap();
        assert_eq!((m5.vcpus, m5.ram_gib, m5.annual), (4.0, 15.26, 632.33));
        let built = SelfBuilt::load(&shipped().join("self-built.toml")).unwrap();
        assert!(built.server(Some("1u-2010")).is_some());
    }

    #[test]
    fn cheapest_fit_and_egress_tiers() {
        let cloud = Cloud::load(&shipped().join("aws-us-east-1.toml")).unwrap();
        // 4 vCPU and 16 GiB: m5.xlarge has only 15.26 GiB, so a bigger shape wins.
        let fit = cloud.cheapest_fit(4.0, 15.0, None).unwrap();
        assert!(fit.vcpus >= 4.0 && fit.ram_gib >= 15.0);
        assert!(
            cloud
                .instances
                .iter()
                .filter(|i| i.vcpus >= 4.0 && i.ram_gib >= 15.0)
                .all(|i| i.annual >= fit.annual)
        );
        // 10,240 GiB at 0.09, then 0.085.
        assert!((cloud.egress_cost(20_480.0) - (10_240.0 * 0.09 + 10_240.0 * 0.085)).abs() < 1e-6);
        assert!((cloud.egress_cost(100.0) - 9.0).abs() < 1e-9);
    }

    #[test]
    fn bad_files_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(
            &p,
            "currency = \"USD\"\namortisation_years = 0\nelectricity_per_kwh = 0.1\npue = 1.5\n\
             rack_per_month = 1\nservers_per_rack = 1\noperations_per_server_month = 1\n\
             transit_per_mbps_month = 1\n",
        )
        .unwrap();
        let e = SelfBuilt::load(&p).unwrap_err().to_string();
        assert!(
            e.ends_with("s.toml:2: amortisation_years must be above 0, not 0"),
            "{e}"
        );
        std::fs::write(&p, "currency = \"USD\"\nbogus = 1\n").unwrap();
        let e = SelfBuilt::load(&p).unwrap_err().to_string();
        assert!(e.contains("s.toml:2: unknown field `bogus`"), "{e}");
        let csv = dir.path().join("i.csv");
        std::fs::write(
            &csv,
            "instance,cpu,ram_gib,net_mbps,annual_cost_usd_3yr_upfront,lifecycle\nx,2,4,10,oops,\n",
        )
        .unwrap();
        let c = dir.path().join("c.toml");
        std::fs::write(&c, "currency = \"USD\"\nsource = \"t\"\ninstances = \"i.csv\"\non_demand_multiplier = 2\nstorage_per_gib_year = 1\negress = [{ per_gib = 0.1 }]\n").unwrap();
        let e = Cloud::load(&c).unwrap_err().to_string();
        assert!(
            e.ends_with("i.csv:2: annual_cost_usd_3yr_upfront 'oops' is not a number ≥ 0"),
            "{e}"
        );
    }
}
