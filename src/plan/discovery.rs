//! Listing a region's buckets. The SDK has no paginator for `GetBuckets`, so pages are followed
//! by hand, with guards against a service that never stops paging.

use std::collections::HashSet;

use super::deadline::Deadline;
use super::limiter::Limiter;
use crate::aws::RegionClient;
use crate::failure::{codes, Failure};
use crate::rules::BucketRecord;

/// More pages than any real account has (about 20 buckets each); past it, listing stops.
const MAX_PAGES: usize = 10_000;

/// The buckets listed, and why listing stopped early if it did. What was listed before an
/// error is kept: nothing found is thrown away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    pub(crate) buckets: Vec<BucketRecord>,
    pub(crate) error: Option<Failure>,
    /// Pages were left unread: a listing of named buckets stopped to ask for the rest by name.
    pub(crate) more: bool,
}

/// What a listing is for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wanted<'a> {
    /// Every bucket; with the instances given access when `with_resources`.
    All { with_resources: bool },
    /// These buckets, with the instances given access: listing stops at the page that holds
    /// the last of them, or once it has read as many pages as buckets are still missing (asking
    /// for those by name costs no more), so the listing may be partial.
    Named(&'a HashSet<&'a str>),
}

/// The buckets of the client's account and region, in the order Lightsail lists them.
pub(crate) async fn list_buckets(
    client: &RegionClient,
    wanted: Wanted<'_>,
    limiter: &Limiter,
    deadline: &Deadline,
) -> Listing {
    let with_resources = match wanted {
        Wanted::All { with_resources } => with_resources,
        Wanted::Named(_) => true,
    };
    let mut buckets: Vec<BucketRecord> = Vec::new();
    let mut listed = HashSet::new();
    let mut tokens = HashSet::new();
    let mut token = None;
    loop {
        let call = client.bucket_page(token.take(), with_resources);
        let names = buckets.len();
        let page = match deadline.run(limiter.run(call)).await {
            Some(Ok(page)) => page,
            Some(Err(error)) => return stopped(buckets, error),
            None => {
                let message =
                    format!("listing stopped after {names} buckets: the invocation's deadline was near");
                return stopped(buckets, Failure::new(codes::DEADLINE_EXCEEDED, message));
            }
        };
        for bucket in page.buckets {
            if listed.insert(bucket.name.clone()) {
                buckets.push(bucket);
            }
        }
        let Some(next) = page.next_page_token else {
            return Listing {
                buckets,
                error: None,
                more: false,
            };
        };
        if let Wanted::Named(names) = wanted {
            let missing = names.iter().filter(|name| !listed.contains(**name)).count();
            // Pages read so far: each token seen, and the first page.
            if missing <= tokens.len() + 1 {
                return Listing {
                    buckets,
                    error: None,
                    more: missing > 0,
                };
            }
        }
        if !tokens.insert(next.clone()) {
            let message = format!(
                "GetBuckets returned page token {next:?} a second time; listing stopped after {} pages \
                 with {} buckets",
                tokens.len() + 1,
                buckets.len()
            );
            return stopped(buckets, Failure::new(codes::REPEATED_PAGE_TOKEN, message));
        }
        if tokens.len() >= MAX_PAGES {
            let message = format!("GetBuckets returned more than {MAX_PAGES} pages; listing stopped");
            return stopped(buckets, Failure::new(codes::TOO_MANY_PAGES, message));
        }
        token = Some(next);
    }
}

impl Listing {
    /// The names listed, in listing order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.buckets.iter().map(|b| b.name.as_str())
    }
}

fn stopped(buckets: Vec<BucketRecord>, error: Failure) -> Listing {
    Listing {
        buckets,
        error: Some(error),
        more: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::PageAnswer;

    fn page(names: &[&'static str], next: Option<&'static str>) -> PageAnswer {
        Ok((names.to_vec(), next))
    }

    async fn list(client: &RegionClient) -> Listing {
        let all = Wanted::All {
            with_resources: false,
        };
        list_buckets(client, all, &Limiter::new(1), &Deadline::none()).await
    }

    fn names(listing: &Listing) -> Vec<&str> {
        listing.names().collect()
    }

    #[tokio::test]
    async fn follows_page_tokens_until_the_last_page() {
        let (client, calls) = RegionClient::listing(|token| match token {
            None => page(&["a-1", "a-2"], Some("t1")),
            Some("t1") => page(&["a-3", "a-2"], Some("t2")),
            _ => page(&["a-4"], None),
        });
        let listing = list(&client).await;
        assert_eq!(
            names(&listing),
            ["a-1", "a-2", "a-3", "a-4"],
            "a name listed twice counts once"
        );
        assert_eq!(listing.error, None);
        assert_eq!(calls(), 3);
    }

    #[tokio::test]
    async fn a_repeating_token_stops_the_loop_and_keeps_what_was_listed() {
        let (client, calls) = RegionClient::listing(|token| match token {
            None => page(&["a-1"], Some("t1")),
            _ => page(&["a-2"], Some("t1")),
        });
        let listing = list(&client).await;
        assert_eq!(names(&listing), ["a-1", "a-2"]);
        let error = listing.error.unwrap();
        assert_eq!(error.code, "RepeatedPageToken");
        assert!(error.message.contains("\"t1\""), "{}", error.message);
        assert_eq!(calls(), 2);
    }

    #[tokio::test]
    async fn an_error_on_a_later_page_keeps_the_earlier_pages() {
        let (client, _) = RegionClient::listing(|token| match token {
            None => page(&["a-1"], Some("t1")),
            _ => Err("AccessDeniedException"),
        });
        let listing = list(&client).await;
        assert_eq!(names(&listing), ["a-1"]);
        assert_eq!(listing.error.unwrap().code, "AccessDeniedException");
    }

    #[tokio::test]
    async fn a_listing_for_named_buckets_stops_at_the_page_holding_the_last_of_them() {
        let (client, calls) = RegionClient::listing(|token| match token {
            None => page(&["a-1"], Some("t1")),
            Some("t1") => page(&["a-2", "a-3"], Some("t2")),
            _ => page(&["a-4"], None),
        });
        let wanted: HashSet<&str> = ["a-3", "a-1", "a-2"].into();
        let named = Wanted::Named(&wanted);
        let listing = list_buckets(&client, named, &Limiter::new(1), &Deadline::none()).await;
        assert_eq!(names(&listing), ["a-1", "a-2", "a-3"]);
        assert_eq!((listing.error, listing.more), (None, false));
        assert_eq!(calls(), 2, "the third page is never asked for");
    }

    #[tokio::test]
    async fn a_listing_for_named_buckets_stops_once_names_would_cost_no_more() {
        let (client, calls) = RegionClient::listing(|token| match token {
            None => page(&["a-1", "a-2"], Some("t1")),
            Some("t1") => page(&["a-3"], Some("t2")),
            _ => page(&["a-4"], None),
        });
        // After page 1, two are missing and one page was read: one more page. After page 2,
        // still two are missing, and two pages were read: the rest are asked for by name.
        let wanted: HashSet<&str> = ["a-1", "ghost", "a-4"].into();
        let named = Wanted::Named(&wanted);
        let listing = list_buckets(&client, named, &Limiter::new(1), &Deadline::none()).await;
        assert_eq!(names(&listing), ["a-1", "a-2", "a-3"]);
        assert_eq!((listing.error, listing.more), (None, true));
        assert_eq!(calls(), 2);
    }
}
