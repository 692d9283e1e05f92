//! `oamm events SIGNATURE`: the options program's events in one
//! transaction, decoded from its logs (only the lines the program itself
//! wrote: see `oamm_sdk::events`).
use crate::backend::Backend;
use crate::output::Report;
use anyhow::Result;
use serde_json::json;

pub async fn run(b: &mut Backend, signature: &str) -> Result<Report> {
    let logs = b.transaction_logs(signature).await?;
    let events = oamm_sdk::events::options_events(&logs, &b.program_id());
    let json = json!({
        "signature": signature,
        "events": events.iter().map(|e| json!({ "event": e.name(), "fields": format!("{e:?}") })).collect::<Vec<_>>(),
        "log_lines": logs.len(),
    });
    let table = if events.is_empty() {
        format!("no options-program events in {signature} ({} log lines)\n", logs.len())
    } else {
        events.iter().map(|e| format!("{e:?}\n")).collect()
    };
    Ok(Report { json, table })
}
