//! Command-line arguments and dispatch: parsing only, the work happens in `site` and `server`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// 普法: law-promotion site generator and legal-knowledge competition server.
#[derive(Debug, Parser)]
#[command(name = "pufa", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the static site into the output folder (default: SOURCE/public).
    Build {
        /// The site folder, holding content/ and optionally themes/, quizzes/, site.yaml.
        #[arg(long, short, default_value = ".")]
        source: PathBuf,
        /// Where to write the site; replaced as a whole only when the build succeeds.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Build everything, ignoring the build cache in SOURCE/.pufa-cache/ (which is written again).
        #[arg(long)]
        clean: bool,
    },
    /// Validate content, theme and quizzes without writing anything.
    Check {
        #[arg(long, short, default_value = ".")]
        source: PathBuf,
    },
    /// Build the site and serve it together with the competition server.
    Serve {
        #[arg(long, short, default_value = ".")]
        source: PathBuf,
        #[arg(long, short, default_value_t = 8080)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// `sqlite:PATH` (default: SOURCE/pufa.sqlite) or `postgres://…`.
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
        /// Organizer token for the admin pages and exports; without it they are disabled.
        #[arg(long, env = "PUFA_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Do not watch the site folder (no rebuilds on change, no reload script in the pages).
        #[arg(long)]
        no_watch: bool,
    },
}

impl Cli {
    /// A fresh clone's `cargo run --release -- serve` runs from the repository root, where the demo site lives.
    pub fn parse_args() -> Self {
        Cli::parse()
    }
}
