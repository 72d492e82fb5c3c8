//! Live reload over WebSocket: every open tab keeps one WebSocket to `/__grove/live`, and
//! each finished rebuild is sent to all of them. A WebSocket does not count against the
//! browser's six HTTP/1.1 connections per host, so any number of open tabs leaves page
//! requests free (an event stream per tab did not: the seventh tab never loaded).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tungstenite::protocol::{Role, WebSocket};
use tungstenite::{Message, Utf8Bytes};

/// How many tabs may listen at once; each holds two threads, so the number is bounded.
pub const MAX_CLIENTS: usize = 256;
/// A message every so often, so that a tab on a machine that went to sleep (a connection
/// that is gone without a goodbye) is noticed when the write fails.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// How many messages may wait for a slow tab.
const BACKLOG: usize = 64;

/// What a tab's connection is told.
#[derive(Debug, Clone)]
pub enum Msg {
    Text(Utf8Bytes),
    /// Only checks that the tab is still there.
    Probe,
    /// The tab went away or said goodbye: close.
    Stop,
}

/// The open live-reload connections.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<SyncSender<Msg>>>,
}

impl Hub {
    /// A place for one more tab: `None` when [`MAX_CLIENTS`] are listening already.
    pub fn join(&self) -> Option<(SyncSender<Msg>, Receiver<Msg>)> {
        let (tx, rx) = sync_channel(BACKLOG);
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.retain(|c| !is_closed(c));
        if clients.len() >= MAX_CLIENTS {
            return None;
        }
        clients.push(tx.clone());
        Some((tx, rx))
    }

    /// Sends one event to every tab: `fields` (a JSON object) with `"event": event`.
    pub fn broadcast(&self, event: &str, fields: serde_json::Value) {
        let text = Utf8Bytes::from(message(event, fields));
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.retain(|c| {
            !matches!(
                c.try_send(Msg::Text(text.clone())),
                Err(TrySendError::Disconnected(_))
            )
        });
    }

    /// How many tabs are listening.
    pub fn count(&self) -> usize {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.retain(|c| !is_closed(c));
        clients.len()
    }
}

/// One event as the script reads it: a JSON object with an `event` field.
pub fn message(event: &str, fields: serde_json::Value) -> String {
    let mut object = match fields {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    object.insert("event".into(), event.into());
    serde_json::Value::Object(object).to_string()
}

fn is_closed(c: &SyncSender<Msg>) -> bool {
    matches!(c.try_send(Msg::Probe), Err(TrySendError::Disconnected(_)))
}

/// The connection as tungstenite sees it: reads and writes through a shared handle, so
/// that the thread that watches for the tab's goodbye can use the same socket.
struct Socket(Arc<TcpStream>);

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (&*self.0).write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        (&*self.0).flush()
    }
}

/// Runs one tab's connection once the `101 Switching Protocols` is sent: `hello` first,
/// then every broadcast, until the tab goes away. The script never sends anything, so
/// any frame from the tab (its close) or the end of the stream ends the connection; a
/// second thread waits for that, and this one only writes.
pub fn serve(stream: Arc<TcpStream>, tx: SyncSender<Msg>, rx: Receiver<Msg>, hello: String) {
    let watched = Arc::clone(&stream);
    let watcher = std::thread::Builder::new()
        .name("grove-live-read".into())
        .spawn(move || {
            let _ = watched.set_read_timeout(None);
            let mut buf = [0u8; 512];
            let _ = (&*watched).read(&mut buf);
            let _ = tx.send(Msg::Stop);
        });
    if watcher.is_err() {
        return;
    }
    let mut socket = WebSocket::from_raw_socket(Socket(Arc::clone(&stream)), Role::Server, None);
    if socket.send(Message::text(hello)).is_ok() {
        loop {
            let sent = match rx.recv_timeout(HEARTBEAT) {
                Ok(Msg::Text(text)) => socket.send(Message::Text(text)),
                Ok(Msg::Probe) => Ok(()),
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => {
                    let _ = socket.close(None);
                    let _ = socket.flush();
                    break;
                }
                Err(RecvTimeoutError::Timeout) => {
                    socket.send(Message::text(message("ping", serde_json::json!({}))))
                }
            };
            if sent.is_err() {
                break;
            }
        }
    }
    // Ends the watching thread's read too.
    let _ = stream.shutdown(Shutdown::Both);
}

/// The script injected into served pages (never into `grove build` output).
pub const SCRIPT: &str = r#"(function () {
  "use strict";
  var build = null, box = null;
  function show(message) {
    if (!box) {
      box = document.createElement("div");
      box.id = "grove-error-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:70vh;overflow:auto;z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#2b0b0b;color:#ffecec;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;border-top:4px solid #ff6b6b;box-shadow:0 -4px 24px rgba(0,0,0,.4)";
    }
    box.textContent = "grove could not rebuild the site. This page shows the last version that built.\n\n" + message;
    if (!box.isConnected) document.body.appendChild(box);
  }
  function here() {
    var path = location.pathname;
    try { path = decodeURIComponent(path); } catch (err) { /* keep it as sent */ }
    return path.replace(/index\.html$/, "");
  }
  function hide() { if (box && box.isConnected) box.remove(); }
  // A stylesheet's content-hashed name changes with its text: `renamed` maps old to new.
  function swapStylesheets(renamed) {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (old) {
      var url = new URL(old.href, location.href);
      if (url.origin !== location.origin) return;
      if (Object.prototype.hasOwnProperty.call(renamed, url.pathname)) url.pathname = renamed[url.pathname];
      url.searchParams.set("grove-reload", String(Date.now()));
      var fresh = old.cloneNode();
      fresh.href = url.href;
      fresh.onload = fresh.onerror = function () { old.remove(); };
      old.after(fresh);
    });
  }
  var handlers = {
    hello: function (d) {
      if (build === null) build = d.build;
      else if (d.build !== build) { location.reload(); return; }
      if (d.error) show(d.error); else hide();
    },
    // A rebuild names the pages whose output changed; others stay as they are.
    reload: function (d) {
      if (!d.paths || d.paths.indexOf(here()) >= 0) { location.reload(); return; }
      build = d.build;
      hide();
    },
    css: function (d) { build = d.build; hide(); swapStylesheets(d.renamed || {}); },
    "build-error": function (d) { show(d.message); }
  };
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__grove/live");
    socket.onmessage = function (e) {
      var d = JSON.parse(e.data);
      if (handlers[d.event]) handlers[d.event](d);
    };
    // Closed by a restart or a sleeping laptop: try again every second.
    socket.onclose = function () { setTimeout(connect, 1000); };
  }
  connect();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_their_event_name() {
        let m: serde_json::Value =
            serde_json::from_str(&message("reload", serde_json::json!({"build": 3}))).unwrap();
        assert_eq!(m["event"], "reload");
        assert_eq!(m["build"], 3);
    }

    #[test]
    fn the_hub_refuses_tabs_beyond_its_bound_and_forgets_closed_ones() {
        let hub = Hub::default();
        let mut held: Vec<_> = (0..MAX_CLIENTS).map(|_| hub.join().unwrap()).collect();
        assert!(hub.join().is_none());
        held.pop();
        // the sender kept by the tab's own threads is gone with it
        assert_eq!(hub.count(), MAX_CLIENTS - 1);
        assert!(hub.join().is_some());
    }
}
