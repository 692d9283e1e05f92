//! `--output table|json`: every command builds one JSON value (stable, for
//! scripts) and a table for people.
use crate::OutputFormat;
use serde_json::Value;

#[derive(Debug)]
pub struct Report {
    pub json: Value,
    pub table: String,
}

impl Report {
    pub fn print(&self, format: OutputFormat) {
        match format {
            OutputFormat::Json => println!("{}", self.json),
            OutputFormat::Table => print!("{}", self.table),
        }
    }
}

/// Rows of `label  value` aligned on the label.
pub fn kv(rows: &[(&str, String)]) -> String {
    let w = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter().map(|(k, v)| format!("  {k:<w$}  {v}\n")).collect()
}
