//! The AWS regions trailwatch knows, so that a mistyped region (`us-east1`, `mars-north-9`) is
//! refused before any call, with the closest known one suggested.

/// Every region of the `aws`, `aws-cn` and `aws-us-gov` partitions, as of this release.
pub const KNOWN: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-east-1",
    "us-gov-west-1",
];

/// A region trailwatch does not know, and the closest one it does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown AWS region {}; did you mean `{closest}`?",
    quoted::quoted(region)
)]
pub struct UnknownRegion {
    /// The region given.
    pub region: String,
    /// The known region nearest to it.
    pub closest: &'static str,
}

/// The region, or why it is refused (naming the closest known region).
pub fn check(region: &str) -> Result<&str, UnknownRegion> {
    if KNOWN.contains(&region) {
        return Ok(region);
    }
    let closest = KNOWN
        .iter()
        .min_by_key(|known| strsim::levenshtein(region, known))
        .expect("the list is not empty");
    Err(UnknownRegion {
        region: region.to_string(),
        closest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_pass_and_typos_suggest_the_closest() {
        assert_eq!(check("eu-west-1"), Ok("eu-west-1"));
        assert!(check("us-east1")
            .unwrap_err()
            .to_string()
            .contains("did you mean `us-east-1`?"));
        assert!(check("mars-north-9")
            .unwrap_err()
            .to_string()
            .starts_with("unknown AWS region `mars-north-9`"));
        assert!(check("us-gov-west1")
            .unwrap_err()
            .to_string()
            .contains("`us-gov-west-1`"));
    }
}
