//! Store: persistence of attempts and submissions with sqlx; the only module that speaks SQL.
//! SQLite (default, embedded file) and PostgreSQL sit behind one interface.
