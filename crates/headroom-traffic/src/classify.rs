//! Sorting requests into pages, static assets and bots.
//!
//! The three are a partition: a request from a bot is a bot request whatever it fetches;
//! a request from anyone else for a static file (by extension) is a static request; the
//! rest are pages. So `pages + static_assets + bots == requests`.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// What kind of request a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A page or API call by a person's browser or app.
    Page,
    /// An image, stylesheet, script, font or media file.
    Static,
    /// Any request by a crawler, monitor or script.
    Bot,
}

/// File extensions served as static assets (lowercase, without the dot).
pub const STATIC_EXTENSIONS: [&str; 24] = [
    "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "ico", "svg", "webp", "avif", "bmp",
    "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "pdf", "zip",
];

/// User-agent fragments (matched case-insensitively) that mark automated clients.
pub const BOT_MARKERS: [&str; 21] = [
    "bot",
    "crawl",
    "spider",
    "slurp",
    "curl/",
    "wget/",
    "python-",
    "go-http-client",
    "java/",
    "libwww",
    "httpclient",
    "okhttp",
    "facebookexternalhit",
    "headless",
    "monitor",
    "pingdom",
    "uptime",
    "scrapy",
    "feedfetcher",
    "feedparser",
    "archiver",
];

static BOTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(BOT_MARKERS)
        .expect("bot markers compile")
});

/// Classifies a request by its path and user agent.
pub fn classify(path: &[u8], user_agent: &[u8]) -> Kind {
    kind(is_bot(user_agent), is_static(path))
}

/// Classifies a request whose agent's bot verdict and path's static verdict are already
/// known (the ingest keeps one per distinct agent and per distinct path).
pub(crate) fn kind(bot: bool, is_static: bool) -> Kind {
    if bot {
        Kind::Bot
    } else if is_static {
        Kind::Static
    } else {
        Kind::Page
    }
}

/// True when the user agent names a crawler, monitor or scripting library.
pub fn is_bot(user_agent: &[u8]) -> bool {
    !user_agent.is_empty() && BOTS.is_match(user_agent)
}

/// True when the path ends in a static-asset extension.
pub fn is_static(path: &[u8]) -> bool {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = &name[dot + 1..];
    ext.len() <= 5
        && STATIC_EXTENSIONS
            .iter()
            .any(|e| e.as_bytes().eq_ignore_ascii_case(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_requests() {
        let chrome = b"Mozilla/5.0 (Macintosh) Chrome/32.0 Safari/537.36";
        assert_eq!(classify(b"/images/kibana-search.PNG", chrome), Kind::Static);
        assert_eq!(classify(b"/blog/tags/puppet", chrome), Kind::Page);
        assert_eq!(classify(b"/", chrome), Kind::Page);
        assert_eq!(classify(b"/v1.2/items", chrome), Kind::Page);
        let googlebot = b"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        assert_eq!(classify(b"/style.css", googlebot), Kind::Bot);
        assert_eq!(classify(b"/", b"curl/7.54.0"), Kind::Bot);
        assert_eq!(classify(b"/", b""), Kind::Page);
    }
}
