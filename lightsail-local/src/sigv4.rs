//! What the stand-in reads from a SigV4 `Authorization` header: who signed, and for which region.
//!
//! Signatures are not verified: the stand-in trusts its callers, and only needs the credential
//! scope to route a call to an account and a region, as the real service does.

/// The credential scope of a signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
}

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/lightsail/aws4_request, ...`.
pub(crate) fn scope(authorization: &str) -> Option<Scope<'_>> {
    let rest = authorization.strip_prefix("AWS4-HMAC-SHA256")?.trim_start();
    let credential = rest
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))?;
    let mut parts = credential.split('/');
    let access_key_id = parts.next().filter(|s| !s.is_empty())?;
    let _date = parts.next()?;
    let region = parts.next().filter(|s| !s.is_empty())?;
    let service = parts.next().filter(|s| !s.is_empty())?;
    (parts.next()? == "aws4_request").then_some(Scope {
        access_key_id,
        region,
        service,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_credential_scope() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261127/eu-west-2/lightsail/aws4_request, \
                      SignedHeaders=content-type;host;x-amz-date, Signature=abc";
        assert_eq!(
            scope(header),
            Some(Scope {
                access_key_id: "AKIDLOCAL",
                region: "eu-west-2",
                service: "lightsail"
            })
        );
    }

    #[test]
    fn rejects_anything_else() {
        for header in [
            "",
            "Bearer token",
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
            "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/lightsail",
            "AWS4-HMAC-SHA256 Credential=/20261127/us-east-1/lightsail/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AKID/20261127//lightsail/aws4_request",
        ] {
            assert_eq!(scope(header), None, "{header:?}");
        }
    }
}
