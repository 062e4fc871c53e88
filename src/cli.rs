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
        /// Include pages whose `publishDate` is still to come.
        #[arg(long)]
        future: bool,
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
        /// Organizer token for the admin pages and exports, at least 24 characters; without it one is generated
        /// and kept in SOURCE/.pufa-admin-token.
        #[arg(long, env = "PUFA_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Refuse to start while the database has pending migrations, instead of applying them (for N processes
        /// behind one database, migrated once with `pufa db migrate`).
        #[arg(long)]
        no_migrate: bool,
        /// Do not watch the site folder (no rebuilds on change, no reload script in the pages).
        #[arg(long)]
        no_watch: bool,
        /// Serve SOURCE/public as it is, without building it (implies --no-watch): for the 2nd…Nth process on one
        /// folder, after `pufa build` or the first process built it.
        #[arg(long)]
        no_build: bool,
    },
    /// The database: apply migrations, export and import results.
    Db {
        #[command(subcommand)]
        what: DbCommand,
    },
    /// Former spelling of `pufa db migrate`, kept for one release.
    #[command(hide = true)]
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    /// Former spelling of `pufa db export`, kept for one release.
    #[command(hide = true)]
    Export {
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Bring questions (`pufa import questions`), organizations (`pufa import organizations`) or the question
    /// template (`pufa import template`) into quizzes/. `pufa import FILE`, for a results file, is the former
    /// spelling of `pufa db import`, kept for one release.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Import {
        #[command(subcommand)]
        what: Option<ImportWhat>,
        /// A results file (former spelling of `pufa db import FILE`).
        #[arg(required = true)]
        file: Option<PathBuf>,
        #[command(flatten)]
        db: Database,
    },
}

/// `pufa db …`: the database of a site.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply the pending database migrations and list them.
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    /// Write the results of competitions and surveys and the suggestions to a JSON Lines file.
    Export {
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Read a file written by `pufa db export` into the database, all or nothing; importing twice counts once.
    Import {
        /// The file to read.
        file: PathBuf,
        #[command(flatten)]
        db: Database,
    },
}

/// What `pufa db export` writes.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: Database,
    /// A competition id; repeat for several. Default: every competition with attempts.
    #[arg(long = "competition", short)]
    pub competitions: Vec<String>,
    /// The file to write (format `pufa-results`).
    #[arg(long, short)]
    pub output: PathBuf,
}

/// What `pufa import` reads besides a results file.
#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Read questions from .xlsx/.xls/.csv sheets, .docx/.txt exam documents or Moodle .gift files into
    /// SOURCE/quizzes/banks/ID.yaml; nothing is written when any question is wrong.
    Questions {
        /// The files to read; their questions go into one bank.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The site folder, holding quizzes/.
        #[arg(long, short, default_value = ".")]
        source: PathBuf,
        /// The bank id (default: the first file's name, in pinyin for Chinese).
        #[arg(long)]
        bank: Option<String>,
        /// The bank's title (default: the existing bank's, else the first file's name).
        #[arg(long)]
        title: Option<String>,
        /// Replace an existing bank instead of merging into it by question id.
        #[arg(long)]
        replace: bool,
    },
    /// Read organizations (名称, 类型 学校/企业/其他, 乡镇, 人数, optional 编号) from an .xlsx/.xls/.csv sheet into
    /// SOURCE/quizzes/organizations.yaml, merged with those there: existing ids stay, new ones come from the name.
    Organizations {
        /// The sheet to read.
        file: PathBuf,
        /// The site folder, holding quizzes/.
        #[arg(long, short, default_value = ".")]
        source: PathBuf,
    },
    /// Write the Excel template for questions: its columns, one example per type, a note on each column.
    Template {
        /// The file to write.
        #[arg(long, short, default_value = "题库模板.xlsx")]
        output: PathBuf,
        /// The site folder, whose site.yaml `language` is that of the notes.
        #[arg(long, short, default_value = ".")]
        source: PathBuf,
    },
}

/// The database of `migrate`, `export` and `import`, chosen as `serve` chooses it.
#[derive(Debug, clap::Args)]
pub struct Database {
    /// The site folder; its pufa.sqlite is the default database, its site.yaml `language` that of the messages.
    #[arg(long, short, default_value = ".")]
    pub source: PathBuf,
    /// `sqlite:PATH` (default: SOURCE/pufa.sqlite) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
}

impl Database {
    pub fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| crate::commands::default_database_url(&self.source))
    }
}

impl Cli {
    /// A fresh clone's `cargo run --release -- serve` runs from the repository root, where the demo site lives.
    pub fn parse_args() -> Self {
        Cli::parse()
    }
}
