//! Which names the preview answers to. A page on another site can point a name it owns at
//! 127.0.0.1 (DNS rebinding) and then read the preview as if it were its own origin:
//! drafts, build errors with file paths, and (with editing) write access. Requests must
//! therefore name the preview by its own address in `Host`, and live-reload connections
//! must come from a page of the preview (`Origin`).

use std::net::IpAddr;

/// The addresses the preview answers at.
#[derive(Debug, Clone)]
pub struct Hosts {
    port: u16,
    bind: IpAddr,
}

impl Hosts {
    pub fn new(bind: IpAddr, port: u16) -> Hosts {
        Hosts { port, bind }
    }

    /// Whether a `Host` header value names the preview: `127.0.0.1:PORT`,
    /// `localhost:PORT`, `[::1]:PORT`, or the address given to `--bind`. Bound to every
    /// address (`0.0.0.0`), any IP address with the port is accepted, since other
    /// machines reach it by theirs; a name that is not `localhost` never is.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match split_port(&host) {
            Some((name, port)) => (name, port),
            None if self.port == 80 => (host.as_str(), 80),
            None => return false,
        };
        if port != self.port {
            return false;
        }
        if name == "localhost" {
            return true;
        }
        let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        else {
            return false;
        };
        // An IPv6 address must be bracketed in Host; an IPv4 one must not.
        if ip.is_ipv6() != name.starts_with('[') {
            return false;
        }
        ip.is_loopback() || ip == self.bind || self.bind.is_unspecified()
    }

    /// Whether an `Origin` header value is a page of the preview.
    pub fn allows_origin(&self, origin: &str) -> bool {
        origin
            .trim()
            .strip_prefix("http://")
            .is_some_and(|host| !host.contains('/') && self.allows(host))
    }

    /// The port requests must name.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://NAME:PORT` for the name a request used in `Host` (already allowed), so that
    /// a link to the preview's other address works from wherever the page was opened.
    pub fn origin_for(&self, host: &str) -> String {
        let host = host.trim().to_ascii_lowercase();
        let name = split_port(&host).map_or(host.as_str(), |(name, _)| name);
        format!("http://{name}:{}", self.port)
    }

    /// The address to show in messages: `127.0.0.1:1111`.
    pub fn shown(&self) -> String {
        let ip = if self.bind.is_unspecified() {
            "127.0.0.1".to_string()
        } else if self.bind.is_ipv6() {
            format!("[{}]", self.bind)
        } else {
            self.bind.to_string()
        };
        format!("{ip}:{}", self.port)
    }
}

/// `name:port` into its parts; `[::1]:80` keeps its brackets.
fn split_port(host: &str) -> Option<(&str, u16)> {
    let (name, port) = host.rsplit_once(':')?;
    if name.contains(':') && !(name.starts_with('[') && name.ends_with(']')) {
        return None; // an IPv6 address without brackets and without a port
    }
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((name, port.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(port: u16) -> Hosts {
        Hosts::new("127.0.0.1".parse().unwrap(), port)
    }

    #[test]
    fn the_other_address_keeps_the_name_the_request_used() {
        let editor = local(1112);
        assert_eq!(editor.origin_for("localhost:1111"), "http://localhost:1112");
        assert_eq!(editor.origin_for("127.0.0.1:1111"), "http://127.0.0.1:1112");
        assert_eq!(editor.origin_for("[::1]:1111"), "http://[::1]:1112");
    }

    #[test]
    fn the_preview_answers_to_its_own_addresses_only() {
        let h = local(1111);
        for good in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST:1111",
            "[::1]:1111",
        ] {
            assert!(h.allows(good), "{good}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "127.0.0.1",
            "127.0.0.1:2222",
            "192.168.1.5:1111",
            "localhost.evil.example:1111",
            "::1:1111",
            "[127.0.0.1]:1111",
            "127.0.0.1:+1111",
            "",
        ] {
            assert!(!h.allows(bad), "{bad}");
        }
        assert!(local(80).allows("localhost"));
    }

    #[test]
    fn bound_to_every_address_any_ip_is_accepted_but_no_other_name() {
        let h = Hosts::new("0.0.0.0".parse().unwrap(), 1111);
        assert!(h.allows("192.168.1.5:1111"));
        assert!(!h.allows("rebind.evil.example:1111"));
        let h = Hosts::new("192.168.1.5".parse().unwrap(), 1111);
        assert!(h.allows("192.168.1.5:1111") && h.allows("127.0.0.1:1111"));
        assert!(!h.allows("192.168.1.6:1111"));
    }

    #[test]
    fn origins_are_pages_of_the_preview() {
        let h = local(1111);
        assert!(h.allows_origin("http://127.0.0.1:1111"));
        assert!(h.allows_origin("http://localhost:1111"));
        assert!(!h.allows_origin("http://evil.example"));
        assert!(!h.allows_origin("https://127.0.0.1:1111"));
        assert!(!h.allows_origin("null"));
        assert!(!h.allows_origin("http://127.0.0.1:1111/x"));
    }
}
