//! Connections: one thread each, so a long-lived live-reload socket or an idle keep-alive
//! connection never holds up a page request, with a bound on how many are open. When the
//! bound is reached, the connection that has waited longest for a request is closed to
//! make room: clients that open connections and send nothing (or half a request) cannot
//! lock a person out of their own preview.

use std::collections::HashMap;
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::http::{Reply, respond};
use super::request::{Buffer, HEAD_DEADLINE, ReadError, Request, Source, read_request};
use super::response::Response;
use super::{Shared, Side};

/// Open connections at most; beyond it the longest-waiting one is closed, or, when every
/// connection is busy, the new one is answered 503.
pub const MAX_CONNECTIONS: usize = 512;
/// A client that stops reading is dropped after this long, so its thread ends.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Request bodies are never used; one this small is read and dropped to keep the connection.
const MAX_DISCARDED_BODY: u64 = 64 * 1024;
/// Before closing a connection that may hold unread input, read and drop up to this much
/// for up to [`LINGER`], so the answer is not lost to the reset that closing a socket
/// with unread data sends.
const LINGER_BYTES: usize = 1024 * 1024;
const LINGER: Duration = Duration::from_secs(2);

/// What a connection is doing, for choosing which to close when the bound is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for a request, or for the rest of one.
    Waiting,
    /// Answering a request, or carrying live reload.
    Busy,
}

struct Slot {
    stream: Arc<TcpStream>,
    state: State,
    since: Instant,
}

/// The open connections.
#[derive(Default)]
pub struct Registry {
    slots: Mutex<HashMap<u64, Slot>>,
    next: AtomicU64,
}

impl Registry {
    /// Takes a place for `stream`, closing the longest-waiting connection when all are taken;
    /// `None` when every connection is busy.
    fn admit(&self, stream: &Arc<TcpStream>) -> Option<u64> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() >= MAX_CONNECTIONS {
            let oldest = slots
                .iter()
                .filter(|(_, s)| s.state == State::Waiting)
                .min_by_key(|(_, s)| s.since)
                .map(|(&id, _)| id)?;
            if let Some(slot) = slots.remove(&oldest) {
                // Its thread's read fails now, and the thread ends.
                let _ = slot.stream.shutdown(Shutdown::Both);
            }
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        slots.insert(
            id,
            Slot {
                stream: Arc::clone(stream),
                state: State::Waiting,
                since: Instant::now(),
            },
        );
        Some(id)
    }

    fn set(&self, id: u64, state: State) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.get_mut(&id) {
            slot.state = state;
            slot.since = Instant::now();
        }
    }

    fn leave(&self, id: u64) {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    /// How many connections are open.
    pub fn count(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Accepts connections until the process ends, each on its own thread.
pub fn listen(listener: TcpListener, shared: Arc<Shared>, side: Side) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors or similar: wait for connections to close.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let stream = Arc::new(stream);
        let Some(id) = shared.connections.admit(&stream) else {
            let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
            let _ = Response::text(503, "too many connections: try again in a moment")
                .with("Retry-After", "1")
                .write_to(&mut &*stream, true, false);
            linger(&stream);
            continue;
        };
        let spawned = std::thread::Builder::new()
            .name("grove-conn".into())
            .spawn({
                let stream = Arc::clone(&stream);
                let shared = Arc::clone(&shared);
                move || {
                    serve_connection(id, &stream, &shared, side);
                    shared.connections.leave(id);
                }
            });
        if spawned.is_err() {
            shared.connections.leave(id);
        }
    }
}

/// Answers the requests of one connection in order until it closes or turns into a
/// live-reload socket. I/O errors end the connection quietly: the tab went away.
fn serve_connection(id: u64, stream: &Arc<TcpStream>, shared: &Shared, side: Side) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let mut buffer = Buffer::default();
    loop {
        shared.connections.set(id, State::Waiting);
        let request = match read_request(&mut &**stream, &mut buffer) {
            Ok(r) => r,
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, why)) => {
                let _ = Response::text(status, why).write_to(&mut &**stream, true, false);
                linger(stream);
                return;
            }
        };
        shared.connections.set(id, State::Busy);
        let mut request = request;
        let mut keep_alive = request.keep_alive();
        if let Some(limit) = body_limit(&request, side) {
            // Authorized from the head alone: a request without the key, or from another
            // origin, is answered and closed before a byte of its body is kept.
            if let Err(refusal) = super::edit::authorize(&request, shared) {
                let _ = refusal.write_to(&mut &**stream, true, false);
                linger(stream);
                return;
            }
            if let Err((status, why)) = read_body(&mut request, limit, &mut &**stream, &mut buffer)
            {
                // The editor's script reads every answer as JSON.
                let _ = super::edit::refuse(status, &why).write_to(&mut &**stream, true, false);
                linger(stream);
                return;
            }
        } else if !discard_body(&request, &mut &**stream, &mut buffer) {
            keep_alive = false;
        }
        match respond(&request, shared, side) {
            Reply::Live { accept, hello } => {
                let Some((tx, rx)) = shared.hub.join() else {
                    let _ = Response::text(503, "too many open tabs").write_to(
                        &mut &**stream,
                        true,
                        false,
                    );
                    return;
                };
                let head = format!(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                );
                if (&**stream).write_all(head.as_bytes()).is_err() {
                    return;
                }
                super::live::serve(Arc::clone(stream), tx, rx, hello);
                return;
            }
            Reply::Page(response) => {
                let with_body = request.method != "HEAD";
                if response
                    .write_to(&mut &**stream, with_body, keep_alive)
                    .is_err()
                {
                    return;
                }
                if !keep_alive {
                    linger(stream);
                    return;
                }
            }
        }
    }
}

/// Longest editor request other than a picture: the form of one page as JSON.
const MAX_FORM_BODY: usize = 4 * 1024 * 1024;

/// How large a body the request may carry when it is one the server reads: the editor's
/// requests, on the editor's address; `None` for every other request, whose body is dropped.
fn body_limit(request: &Request, side: Side) -> Option<usize> {
    if side != Side::Editor
        || request.method != "POST"
        || !request.path().starts_with("/__grove/api/")
    {
        return None;
    }
    Some(if request.path() == "/__grove/api/upload" {
        super::edit::upload::MAX_BYTES
    } else {
        MAX_FORM_BODY
    })
}

/// Reads the body of an editor request into `request.body`, within the head's deadline.
fn read_body(
    request: &mut Request,
    limit: usize,
    source: &mut impl Source,
    buffer: &mut Buffer,
) -> Result<(), (u16, String)> {
    if request.chunked {
        return Err((411, "send the length of the body (Content-Length)".into()));
    }
    let len = usize::try_from(request.content_length).unwrap_or(usize::MAX);
    if len > limit {
        let mb = |n: usize| n as f64 / 1_048_576.0;
        let why = if request.path() == "/__grove/api/upload" {
            format!(
                "This picture is {:.1} MB; the largest accepted is {:.0} MB. Make it smaller (a width of 3,000 pixels is plenty) and upload it again",
                mb(len),
                mb(limit)
            )
        } else {
            format!(
                "This page's text is {:.1} MB; the largest the editor takes is {:.0} MB",
                mb(len),
                mb(limit)
            )
        };
        return Err((413, why));
    }
    let mut body = Vec::with_capacity(len);
    let mut left = len - buffer.take_into(len, &mut body);
    let start = Instant::now();
    let mut chunk = vec![0u8; 64 * 1024];
    while left > 0 {
        let Some(wait) = BODY_DEADLINE.checked_sub(start.elapsed()) else {
            return Err((408, "the request's body did not arrive in time".into()));
        };
        let want = left.min(chunk.len());
        match source.read_for(&mut chunk[..want], wait) {
            Ok(0) => {
                return Err((
                    400,
                    "the connection closed before the whole body arrived".into(),
                ));
            }
            Err(_) => return Err((408, "the request's body did not arrive in time".into())),
            Ok(n) => {
                body.extend_from_slice(&chunk[..n]);
                left -= n;
            }
        }
    }
    request.body = body;
    Ok(())
}

/// A picture of 10 MB over a slow Wi-Fi link takes a while: more than a head's deadline.
const BODY_DEADLINE: Duration = Duration::from_secs(60);

/// Reads a small request body so the next request starts where expected; false when the
/// body cannot be skipped (chunked, or too large) and the connection must close.
fn discard_body(request: &Request, source: &mut impl Source, buffer: &mut Buffer) -> bool {
    if request.chunked || request.content_length > MAX_DISCARDED_BODY {
        return false;
    }
    let mut left = request.content_length as usize;
    left -= buffer.take(left);
    let start = Instant::now();
    let mut chunk = [0u8; 8192];
    while left > 0 {
        let Some(wait) = HEAD_DEADLINE.checked_sub(start.elapsed()) else {
            return false;
        };
        match source.read_for(&mut chunk[..left.min(8192)], wait) {
            Ok(0) | Err(_) => return false,
            Ok(n) => left -= n,
        }
    }
    true
}

/// Closes a connection gently: no more writes, then what the client still sends is read
/// and dropped for a moment, so that its unread input does not turn our last answer into
/// a reset it may never see.
fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let start = Instant::now();
    let mut drained = 0;
    let mut chunk = [0u8; 8192];
    while drained < LINGER_BYTES {
        let Some(wait) = LINGER.checked_sub(start.elapsed()) else {
            break;
        };
        match (&mut &*stream).read_for(&mut chunk, wait) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}
