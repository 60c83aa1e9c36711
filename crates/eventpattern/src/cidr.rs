//! The `cidr` matcher: an IPv4 or IPv6 block in CIDR notation, and whether an address (a
//! string of the event) is within it.

use std::net::IpAddr;

/// A CIDR block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cidr {
    /// What the block was written as.
    pub text: String,
    network: IpAddr,
    prefix_length: u8,
}

impl Cidr {
    /// Parses `address/length`; the error is the reason it is refused.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let malformed = || format!("Malformed CIDR, one '/' required: {text}");
        let (address, length) = text.split_once('/').ok_or_else(malformed)?;
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("Nonstandard IP address: {address}"))?;
        let most = match network {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix_length = length
            .parse::<u8>()
            .ok()
            .filter(|n| *n <= most && length.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                format!("Malformed CIDR, mask bits must be between 0 and {most}: {text}")
            })?;
        Ok(Cidr {
            text: text.to_string(),
            network,
            prefix_length,
        })
    }

    /// Whether `value` is an IP address of the same family within the block.
    pub fn contains(&self, value: &str) -> bool {
        let Ok(address) = value.parse::<IpAddr>() else {
            return false;
        };
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => same_prefix(
                u32::from(net).into(),
                u32::from(ip).into(),
                self.prefix_length,
                32,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(u128::from(net), u128::from(ip), self.prefix_length, 128)
            }
            _ => false,
        }
    }
}

/// Whether the first `length` of `width` bits of two addresses are the same.
fn same_prefix(a: u128, b: u128, length: u8, width: u32) -> bool {
    let ignored = width - u32::from(length);
    match ignored {
        0 => a == b,
        n if n >= 128 => true,
        n => (a >> n) == (b >> n),
    }
}
