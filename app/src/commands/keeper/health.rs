//! `--health-addr`: GET /healthz answers 200 while the keeper's ticks
//! succeed and 503 when none has succeeded for a while (or none has run
//! yet), with a JSON body saying which; what a supervisor (systemd,
//! Kubernetes, an uptime check) polls to restart or page.
use anyhow::{Context, Result};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::warn;

#[derive(Default, Debug)]
struct State {
    ticks: u64,
    failed_in_a_row: u32,
    last_tick: Option<Instant>,
    last_success: Option<Instant>,
}

/// The keeper loop's record of its ticks, shared with the server.
#[derive(Clone, Debug)]
pub struct Health {
    state: Arc<Mutex<State>>,
    /// Unhealthy when the last successful tick is older than this.
    stale_after: Duration,
}

impl Health {
    /// Stale after three intervals without a successful tick (and at least
    /// a minute: a slow node or a backoff is not an outage).
    pub fn new(interval: Duration) -> Health {
        Health { state: Default::default(), stale_after: (interval * 3).max(Duration::from_secs(60)) }
    }

    pub fn record_tick(&self, ok: bool) {
        let mut s = self.state.lock().expect("health state");
        let now = Instant::now();
        s.ticks += 1;
        s.last_tick = Some(now);
        if ok {
            s.last_success = Some(now);
            s.failed_in_a_row = 0;
        } else {
            s.failed_in_a_row = s.failed_in_a_row.saturating_add(1);
        }
    }

    /// (HTTP status, body).
    fn report(&self) -> (u16, serde_json::Value) {
        let s = self.state.lock().expect("health state");
        let ago = |t: Option<Instant>| t.map(|t| t.elapsed().as_secs_f64());
        let status = match s.last_success {
            None if s.ticks == 0 => "starting",
            None => "failing",
            Some(t) if t.elapsed() > self.stale_after => "failing",
            Some(_) => "ok",
        };
        let body = json!({
            "status": status,
            "ticks": s.ticks,
            "failed_in_a_row": s.failed_in_a_row,
            "last_tick_s_ago": ago(s.last_tick),
            "last_success_s_ago": ago(s.last_success),
            "stale_after_s": self.stale_after.as_secs(),
        });
        (if status == "ok" { 200 } else { 503 }, body)
    }

    /// Serve GET /healthz on `addr` (port 0: any free port); returns the
    /// address bound.
    pub async fn serve(&self, addr: SocketAddr) -> Result<SocketAddr> {
        let listener =
            tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot serve health on {addr}"))?;
        let bound = listener.local_addr()?;
        let health = self.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = match listener.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        warn!("health endpoint: {e}");
                        continue;
                    }
                };
                let health = health.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    let request = String::from_utf8_lossy(&buf[..n]);
                    let path = request.split_whitespace().nth(1).unwrap_or("");
                    let (code, body) = match path {
                        "/healthz" | "/health" => health.report(),
                        _ => (404, json!({ "error": "not found: GET /healthz" })),
                    };
                    let reason = match code {
                        200 => "OK",
                        404 => "Not Found",
                        _ => "Service Unavailable",
                    };
                    let body = body.to_string();
                    let reply = format!(
                        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        Ok(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: SocketAddr, path: &str) -> (u16, serde_json::Value) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        let code = out.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = out.split_once("\r\n\r\n").unwrap().1;
        (code, serde_json::from_str(body).unwrap())
    }

    #[tokio::test]
    async fn healthz_is_503_until_a_tick_succeeds_and_again_once_ticks_go_stale() {
        let health = Health::new(Duration::from_secs(10));
        let addr = health.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let (code, body) = get(addr, "/healthz").await;
        assert_eq!((code, body["status"].as_str()), (503, Some("starting")));
        health.record_tick(false);
        let (code, body) = get(addr, "/healthz").await;
        assert_eq!((code, body["status"].as_str(), body["failed_in_a_row"].as_u64()), (503, Some("failing"), Some(1)));
        health.record_tick(true);
        let (code, body) = get(addr, "/healthz").await;
        assert_eq!((code, body["status"].as_str(), body["ticks"].as_u64()), (200, Some("ok"), Some(2)));
        assert_eq!(body["stale_after_s"], 60);
        // a success older than the window: failing again
        health.state.lock().unwrap().last_success = Some(Instant::now() - Duration::from_secs(61));
        let (code, body) = get(addr, "/healthz").await;
        assert_eq!((code, body["status"].as_str()), (503, Some("failing")));
        let (code, _) = get(addr, "/metrics").await;
        assert_eq!(code, 404);
    }
}
