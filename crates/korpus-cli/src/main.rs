//! `korpus`: the case desk on the command line, for HQ staff, scripts and tests. Every subcommand
//! is an adapter: it reads its arguments, calls one function of korpus-app, korpus-store or
//! korpus-domain, and prints the result in the user's language or as JSON.

mod applications;
mod backup;
mod closing;
mod documents;
mod grievances;
mod history;
mod host_orgs;
mod inputs;
mod mentoring;
mod mentors;
mod output;
mod persons;
mod print;
mod programme;
mod recovery;
mod rulebooks;
mod screening;
mod selection;
mod sync;
mod training;

use clap::{Parser, Subcommand};
use korpus_app::database::{self, KeySource};
use korpus_app::secrets::OsKeyring;
use korpus_app::{AppError, Result};
use korpus_domain::Lang;
use korpus_store::{Store, SystemClock};
use output::Out;
use std::path::PathBuf;
use std::process::ExitCode;

/// Korpus: the case desk of the Youth Corps programme.
#[derive(Debug, Parser)]
#[command(name = "korpus", version, about)]
struct Cli {
    /// The case database (default: the desk's, korpus.db in the system's application-data folder).
    #[arg(long, global = true, env = "KORPUS_DB")]
    db: Option<PathBuf>,
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Language of messages: kk (default), ru or en.
    #[arg(long, global = true, env = "KORPUS_LANG", default_value = "kk")]
    lang: String,
    /// Who signs this session's changes (default: the author given at init).
    #[arg(long, global = true, env = "KORPUS_AUTHOR")]
    author: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new encrypted case database; its key goes to the system keyring unless
    /// KORPUS_DB_KEY is set, made from a recovery code printed once.
    Init(recovery::SheetArgs),
    /// Check an IIN or a BIN without a database.
    #[command(subcommand)]
    Check(programme::CheckCommand),
    /// Persons (young people who apply).
    #[command(subcommand)]
    Person(persons::PersonCommand),
    /// Host organisations.
    #[command(subcommand, name = "host-org")]
    HostOrg(host_orgs::HostOrgCommand),
    /// Sub-project applications and their groups.
    #[command(subcommand)]
    Application(applications::ApplicationCommand),
    /// Mentors.
    #[command(subcommand)]
    Mentor(mentors::MentorCommand),
    /// Supporting documents and their scanned files.
    #[command(subcommand)]
    Document(documents::DocumentCommand),
    /// Regions of the current cohort with their KATO codes.
    Regions,
    /// Directions of sub-projects.
    Directions,
    /// Counts of records by region.
    Summary,
    /// The envelopes waiting in the outbox for sync.
    Outbox(programme::OutboxArgs),
    /// Who changed a person, application, host organisation or mentor, what and when.
    History(history::HistoryArgs),
    /// Fill the database with realistic synthetic cases.
    DemoData(programme::DemoArgs),
    /// The programme's rules: explain every rule of one subject.
    #[command(subcommand)]
    Rules(screening::RulesCommand),
    /// Technical screening of a cohort: every application, host organisation and mentor.
    Screen(screening::ScreenArgs),
    /// The evaluation commission: members, score sheets, ranking, decision.
    #[command(subcommand)]
    Commission(selection::CommissionCommand),
    /// The A/B/C lottery: draw, list, show, verify, balance.
    #[command(subcommand)]
    Lottery(selection::LotteryCommand),
    /// Progress against the cohort's targets, by region and in total.
    Indicators(selection::IndicatorsArgs),
    /// The training calendar: plan, events, rosters and attendance sheets.
    #[command(subcommand)]
    Training(training::TrainingCommand),
    /// The feedback and grievance log.
    #[command(subcommand)]
    Grievance(grievances::GrievanceCommand),
    /// Money: grant contracts, scholarship rolls and totals.
    #[command(subcommand)]
    Money(closing::MoneyCommand),
    /// The sub-projects' programme and financial reports.
    #[command(subcommand)]
    Report(closing::ReportCommand),
    /// Outreach to young people and partners.
    #[command(subcommand)]
    Outreach(closing::OutreachCommand),
    /// Certificates: who earned one, issuing it.
    #[command(subcommand)]
    Certificate(closing::CertificateCommand),
    /// Print documents as PDF: certificates.
    #[command(subcommand)]
    Print(print::PrintCommand),
    /// Tell a genuine certificate from an edited or forged one, by its PDF or its QR code.
    VerifyCertificate(print::VerifyArgs),
    /// Sync with HQ: send the outbox, receive the changes (and enrol, status, cases).
    Sync(sync::SyncArgs),
    /// The recovery code that opens the database on any computer: new, open, status.
    #[command(subcommand)]
    Recovery(recovery::RecoveryCommand),
    /// Backups of the database: create, list, verify, restore, settings.
    #[command(subcommand)]
    Backup(backup::BackupCommand),
    /// Rulebooks: the one the forms check by, and HQ's signed file of a new one.
    #[command(subcommand)]
    Rulebook(rulebooks::RulebookCommand),
}

/// What every subcommand gets: where the database is, how to print, who signs.
pub struct App {
    /// Printing.
    pub out: Out,
    db: PathBuf,
    author: Option<String>,
}

impl App {
    /// Where the key comes from: `KORPUS_DB_KEY` when set, else the OS keyring.
    pub fn key_source(&self) -> KeySource<'static> {
        database::key_from_env().map_or(KeySource::Kept(&OsKeyring), KeySource::Given)
    }

    /// The database's path.
    pub fn db(&self) -> &std::path::Path {
        &self.db
    }

    /// Opens the database, signing changes by `--author` if given.
    pub fn store(&self) -> Result<Store> {
        let (mut store, _) = database::open(&self.db, self.key_source(), std::sync::Arc::new(SystemClock))?;
        if let Some(author) = &self.author {
            store.set_author(author);
        }
        Ok(store)
    }

    /// Runs `future` to its end on a runtime of this command's own (a call to HQ).
    pub fn block_on<T>(&self, future: impl Future<Output = Result<T>>) -> Result<T> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AppError::Store(korpus_store::StoreError::Io(e)))?;
        runtime.block_on(future)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang: Lang = match cli.lang.parse() {
        Ok(lang) => lang,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let db = cli.db.unwrap_or_else(database::default_path);
    let app = App { out: Out { lang, json: cli.json }, db, author: cli.author };
    let result = match cli.command {
        Command::Sync(a) => sync::run(&app, a),
        Command::Init(sheet) => programme::init(&app, &sheet),
        Command::Recovery(c) => recovery::run(&app, c),
        Command::Backup(c) => backup::run(&app, c),
        Command::Rulebook(c) => rulebooks::run(&app, c),
        Command::Check(c) => programme::check(&app, c),
        Command::Person(c) => persons::run(&app, c),
        Command::HostOrg(c) => host_orgs::run(&app, c),
        Command::Application(c) => applications::run(&app, c),
        Command::Mentor(c) => mentors::run(&app, c),
        Command::Document(c) => documents::run(&app, c),
        Command::Regions => programme::regions(&app),
        Command::Directions => programme::directions(&app),
        Command::Summary => programme::summary(&app),
        Command::Outbox(a) => programme::outbox(&app, a),
        Command::History(a) => history::run(&app, a),
        Command::DemoData(a) => programme::demo(&app, a),
        Command::Rules(c) => screening::rules(&app, c),
        Command::Screen(a) => screening::screen(&app, a),
        Command::Commission(c) => selection::commission(&app, c),
        Command::Lottery(c) => selection::lottery(&app, c),
        Command::Indicators(a) => selection::indicators(&app, a),
        Command::Training(c) => training::run(&app, c),
        Command::Grievance(c) => grievances::run(&app, c),
        Command::Money(c) => closing::money(&app, c),
        Command::Report(c) => closing::report(&app, c),
        Command::Outreach(c) => closing::outreach(&app, c),
        Command::Certificate(c) => closing::certificate(&app, c),
        Command::Print(c) => print::run(&app, c),
        Command::VerifyCertificate(a) => match print::verify(&app, a) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let out = app.out;
            if out.json {
                let report = serde_json::json!({
                    "error": { "code": error.code(), "message": error.message(out.lang), "fields": error.fields(out.lang) }
                });
                println!("{report:#}");
            } else {
                eprintln!("{}: {}", out.tr("cli-error", &[]), error.message(out.lang));
            }
            ExitCode::from(error.exit_code())
        }
    }
}
