//! Listing a region's buckets. The SDK has no paginator for `GetBuckets`, so pages are followed
//! by hand, with guards against a service that never stops paging.

use std::collections::HashSet;

use super::deadline::Deadline;
use super::limiter::Limiter;
use crate::aws::RegionClient;
use crate::failure::{codes, Failure};

/// More pages than any real account has (about 20 buckets each); past it, listing stops.
const MAX_PAGES: usize = 10_000;

/// The buckets listed, and why listing stopped early if it did. What was listed before an
/// error is kept: nothing found is thrown away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    pub(crate) names: Vec<String>,
    pub(crate) error: Option<Failure>,
}

/// Every bucket name of the client's account and region, in the order Lightsail lists them.
pub(crate) async fn list_bucket_names(
    client: &RegionClient,
    limiter: &Limiter,
    deadline: &Deadline,
) -> Listing {
    let mut names = Vec::new();
    let mut listed = HashSet::new();
    let mut tokens = HashSet::new();
    let mut token = None;
    loop {
        let page = match deadline.run(limiter.run(client.bucket_page(token.take()))).await {
            Some(Ok(page)) => page,
            Some(Err(error)) => return stopped(names, error),
            None => {
                let message = format!(
                    "listing stopped after {} buckets: the invocation's deadline was near",
                    names.len()
                );
                return stopped(names, Failure::new(codes::DEADLINE_EXCEEDED, message));
            }
        };
        for name in page.names {
            if listed.insert(name.clone()) {
                names.push(name);
            }
        }
        let Some(next) = page.next_page_token else {
            return Listing { names, error: None };
        };
        if !tokens.insert(next.clone()) {
            let message = format!(
                "GetBuckets returned page token {next:?} a second time; listing stopped after {} pages \
                 with {} buckets",
                tokens.len() + 1,
                names.len()
            );
            return stopped(names, Failure::new(codes::REPEATED_PAGE_TOKEN, message));
        }
        if tokens.len() >= MAX_PAGES {
            let message = format!("GetBuckets returned more than {MAX_PAGES} pages; listing stopped");
            return stopped(names, Failure::new(codes::TOO_MANY_PAGES, message));
        }
        token = Some(next);
    }
}

fn stopped(names: Vec<String>, error: Failure) -> Listing {
    Listing {
        names,
        error: Some(error),
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
        list_bucket_names(client, &Limiter::new(1), &Deadline::none()).await
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
            listing.names,
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
        assert_eq!(listing.names, ["a-1", "a-2"]);
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
        assert_eq!(listing.names, ["a-1"]);
        assert_eq!(listing.error.unwrap().code, "AccessDeniedException");
    }
}
