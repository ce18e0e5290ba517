//! Every setting of Paydesk, read and checked once at start from the environment (which
//! `scripts/run.sh` fills from `.env`), each also a command-line flag. A bad value stops
//! the server with a message naming the variable. `.env.example` describes exactly these
//! variables (a test checks that it lists every one and nothing else).

use std::time::Duration;

use app::client_address::TrustedProxies;
use app::notifications::target::TargetPolicy;
use app::state::Config;
use clap::ArgAction;

use crate::api::ApiConfig;
use crate::receipts::ReceiptSettings;
use crate::reports_job::JobConfig;
use crate::workers::WorkerConfig;

/// The values are named after their variables (`value_name`), so that clap's message for
/// a bad one names the variable to fix.
#[derive(Clone, Debug, clap::Args)]
pub struct Settings {
    /// A hot standby of DATABASE_URL for the reads that only show data; unset, every
    /// read uses DATABASE_URL.
    #[arg(
        long,
        env = "DATABASE_READ_URL",
        value_name = "DATABASE_READ_URL",
        hide_env_values = true
    )]
    pub database_read_url: Option<String>,
    /// Seconds behind the primary past which reads leave the replica for the primary.
    #[arg(
        long,
        env = "PAYDESK_REPLICA_MAX_LAG_SECONDS",
        value_name = "PAYDESK_REPLICA_MAX_LAG_SECONDS",
        default_value_t = 10
    )]
    pub replica_max_lag_seconds: u64,
    /// Mark the session cookie Secure and send HSTS: set when Paydesk is served over https.
    #[arg(long, env = "PAYDESK_SECURE_COOKIES", value_name = "PAYDESK_SECURE_COOKIES",
          default_value_t = false, action = ArgAction::Set)]
    pub secure_cookies: bool,
    /// Minutes without a request after which a session ends.
    #[arg(
        long,
        env = "PAYDESK_SESSION_IDLE_MINUTES",
        value_name = "PAYDESK_SESSION_IDLE_MINUTES",
        default_value_t = 30
    )]
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a session ends however active.
    #[arg(
        long,
        env = "PAYDESK_SESSION_MAX_HOURS",
        value_name = "PAYDESK_SESSION_MAX_HOURS",
        default_value_t = 12
    )]
    pub session_max_hours: u64,
    /// Proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
    /// Forwarded headers name the client.
    #[arg(long, env = "PAYDESK_TRUSTED_PROXIES", value_name = "PAYDESK_TRUSTED_PROXIES",
          default_value = "", value_parser = TrustedProxies::parse)]
    pub trusted_proxies: TrustedProxies,

    /// Seconds a signed request's Request-Time may be from the server's clock.
    #[arg(
        long,
        env = "PAYDESK_API_MAX_CLOCK_SKEW_SECONDS",
        value_name = "PAYDESK_API_MAX_CLOCK_SKEW_SECONDS",
        default_value_t = 300
    )]
    pub api_max_clock_skew_seconds: u64,
    /// Open-API requests a second per client id (0: no limit).
    #[arg(
        long,
        env = "PAYDESK_API_RATE_PER_SECOND",
        value_name = "PAYDESK_API_RATE_PER_SECOND",
        default_value_t = 100.0
    )]
    pub api_rate_per_second: f64,
    /// The burst a client id may send at once.
    #[arg(
        long,
        env = "PAYDESK_API_RATE_BURST",
        value_name = "PAYDESK_API_RATE_BURST",
        default_value_t = 200.0
    )]
    pub api_rate_burst: f64,
    /// Open-API requests a second per source address (0: no limit), checked before any
    /// signature.
    #[arg(
        long,
        env = "PAYDESK_API_ADDRESS_RATE_PER_SECOND",
        value_name = "PAYDESK_API_ADDRESS_RATE_PER_SECOND",
        default_value_t = 200.0
    )]
    pub api_address_rate_per_second: f64,
    /// The burst a source address may send at once.
    #[arg(
        long,
        env = "PAYDESK_API_ADDRESS_BURST",
        value_name = "PAYDESK_API_ADDRESS_BURST",
        default_value_t = 400.0
    )]
    pub api_address_burst: f64,

    /// Seconds an asynchronous refund stays PROCESSING before the simulated acquirer
    /// decides it.
    #[arg(
        long,
        env = "PAYDESK_ASYNC_REFUND_DELAY_SECONDS",
        value_name = "PAYDESK_ASYNC_REFUND_DELAY_SECONDS",
        default_value_t = 10.0
    )]
    pub async_refund_delay_seconds: f64,
    /// How often idle workers look for due work, in milliseconds.
    #[arg(
        long,
        env = "PAYDESK_WORKER_POLL_MS",
        value_name = "PAYDESK_WORKER_POLL_MS",
        default_value_t = 1000
    )]
    pub worker_poll_ms: u64,
    /// Seconds before each notifyRefund attempt, starting with 0 (Antom's schedule).
    #[arg(long, env = "PAYDESK_NOTIFY_RETRY_SCHEDULE", value_name = "PAYDESK_NOTIFY_RETRY_SCHEDULE",
          default_value = "0,120,600,600,3600,7200,21600,54000",
          value_parser = crate::workers::parse_schedule)]
    pub notify_retry_schedule: crate::workers::Schedule,
    /// Seconds one notification delivery may take, answer included.
    #[arg(
        long,
        env = "PAYDESK_NOTIFY_TIMEOUT_SECONDS",
        value_name = "PAYDESK_NOTIFY_TIMEOUT_SECONDS",
        default_value_t = 10
    )]
    pub notify_timeout_seconds: u64,
    /// Notification deliveries in flight at once per instance.
    #[arg(long, env = "PAYDESK_NOTIFY_CONCURRENCY", value_name = "PAYDESK_NOTIFY_CONCURRENCY",
          default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub notify_concurrency: u16,
    /// Let notifications go to loopback and private addresses (development only).
    #[arg(long, env = "PAYDESK_NOTIFY_ALLOW_PRIVATE", value_name = "PAYDESK_NOTIFY_ALLOW_PRIVATE",
          default_value_t = false, action = ArgAction::Set)]
    pub notify_allow_private: bool,

    /// The receipts' verification key (32 bytes at least); unset, one kept in PostgreSQL.
    #[arg(
        long,
        env = "PAYDESK_RECEIPT_KEY",
        value_name = "PAYDESK_RECEIPT_KEY",
        hide_env_values = true
    )]
    pub receipt_key: Option<String>,
    /// Paydesk's public address, printed on receipts; unset, the request's Host.
    #[arg(long, env = "PAYDESK_PUBLIC_URL", value_name = "PAYDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Seconds between runs of the reports calendar's job.
    #[arg(
        long,
        env = "PAYDESK_REPORTS_INTERVAL_SECONDS",
        value_name = "PAYDESK_REPORTS_INTERVAL_SECONDS",
        default_value_t = 300
    )]
    pub reports_interval_seconds: u64,
    /// Closed days back each run of the job looks at.
    #[arg(
        long,
        env = "PAYDESK_REPORTS_DAYS_BACK",
        value_name = "PAYDESK_REPORTS_DAYS_BACK",
        default_value_t = 3
    )]
    pub reports_days_back: u64,

    /// Where Prometheus scrapes `/metrics` (e.g. 127.0.0.1:9464); unset, nowhere. An
    /// address of its own, kept off the public one.
    #[arg(
        long,
        env = "PAYDESK_METRICS_ADDR",
        value_name = "PAYDESK_METRICS_ADDR"
    )]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Seconds an instance told to stop (SIGTERM) keeps serving while `/readyz` fails,
    /// so that the balancer's health checks take it out before it closes its port.
    #[arg(
        long,
        env = "PAYDESK_SHUTDOWN_DRAIN_SECONDS",
        value_name = "PAYDESK_SHUTDOWN_DRAIN_SECONDS",
        default_value_t = 3
    )]
    pub shutdown_drain_seconds: u64,
    /// `text` for people, `json` for log collectors: one object a line, with the
    /// request id of the request that logged it.
    #[arg(long, env = "PAYDESK_LOG_FORMAT", value_name = "PAYDESK_LOG_FORMAT",
          default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

impl Settings {
    pub fn app(&self) -> Config {
        Config {
            secure_cookies: self.secure_cookies,
            session_idle: Duration::from_secs(60 * self.session_idle_minutes),
            session_max_age: Duration::from_secs(3600 * self.session_max_hours),
            trusted_proxies: self.trusted_proxies.clone(),
            replica_max_lag: Duration::from_secs(self.replica_max_lag_seconds),
        }
    }

    pub fn shutdown_drain(&self) -> Duration {
        Duration::from_secs(self.shutdown_drain_seconds)
    }

    /// DATABASE_READ_URL, unless unset or empty.
    pub fn read_url(&self) -> Option<&str> {
        self.database_read_url
            .as_deref()
            .filter(|url| !url.is_empty())
    }

    pub fn notify_targets(&self) -> TargetPolicy {
        TargetPolicy {
            allow_private: self.notify_allow_private,
        }
    }

    pub fn api(&self) -> ApiConfig {
        ApiConfig {
            max_clock_skew: Duration::from_secs(self.api_max_clock_skew_seconds),
            rate_per_second: self.api_rate_per_second,
            rate_burst: self.api_rate_burst,
            address_rate_per_second: self.api_address_rate_per_second,
            address_burst: self.api_address_burst,
            notify_targets: self.notify_targets(),
            trusted_proxies: self.trusted_proxies.clone(),
            ..ApiConfig::default()
        }
    }

    pub fn workers(&self) -> WorkerConfig {
        WorkerConfig {
            async_refund_delay: Duration::from_secs_f64(self.async_refund_delay_seconds.max(0.0)),
            poll_interval: Duration::from_millis(self.worker_poll_ms),
            notify_schedule: self.notify_retry_schedule.0.clone(),
            notify_timeout: Duration::from_secs(self.notify_timeout_seconds),
            notify_concurrency: usize::from(self.notify_concurrency),
            notify_targets: self.notify_targets(),
        }
    }

    pub fn reports(&self) -> JobConfig {
        JobConfig {
            interval: Duration::from_secs(self.reports_interval_seconds),
            days_back: self.reports_days_back,
        }
    }

    pub fn receipts(&self) -> ReceiptSettings {
        ReceiptSettings {
            key: self.receipt_key.clone().filter(|k| !k.is_empty()),
            public_url: self
                .public_url
                .clone()
                .filter(|u| !u.is_empty())
                .map(|u| u.trim_end_matches('/').to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::{CommandFactory, Parser};

    /// The variables the settings read, from the command's own description.
    fn variables() -> Vec<String> {
        Cli::command()
            .get_arguments()
            .filter_map(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn env_example_describes_every_setting_and_nothing_else() {
        let example = include_str!("../../.env.example");
        let mut listed: Vec<String> = example
            .lines()
            .filter_map(|l| l.trim_start_matches('#').trim().split_once('='))
            .map(|(name, _)| name.trim().to_owned())
            .filter(|name| name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .filter(|name| name.starts_with("PAYDESK_") || name.starts_with("DATABASE_"))
            .collect();
        listed.sort();
        listed.dedup();
        let mut known = variables();
        known.sort();
        assert_eq!(listed, known);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = Cli::try_parse_from(["server", "--session-idle-minutes", "soon"]).unwrap_err();
        assert!(
            err.to_string().contains("PAYDESK_SESSION_IDLE_MINUTES"),
            "{err}"
        );
        let err = Cli::try_parse_from(["server", "--trusted-proxies", "10.0.0.0/99"]).unwrap_err();
        assert!(err.to_string().contains("PAYDESK_TRUSTED_PROXIES"), "{err}");
        let err = Cli::try_parse_from(["server", "--notify-retry-schedule", "5,10"]).unwrap_err();
        assert!(
            err.to_string().contains("PAYDESK_NOTIFY_RETRY_SCHEDULE"),
            "{err}"
        );
        let err = Cli::try_parse_from(["server", "--notify-concurrency", "0"]).unwrap_err();
        assert!(
            err.to_string().contains("PAYDESK_NOTIFY_CONCURRENCY"),
            "{err}"
        );
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let cli = Cli::try_parse_from(["server"]).unwrap();
        let s = &cli.settings;
        assert_eq!(s.app().session_idle.as_secs(), 30 * 60);
        assert_eq!(s.workers().notify_schedule.len(), 8);
        assert_eq!(s.workers().notify_concurrency, 32);
        assert!(!s.notify_targets().allow_private);
        assert_eq!(s.api().max_body_bytes, 64 * 1024);
    }
}
