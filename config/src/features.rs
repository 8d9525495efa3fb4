//! The runtime's optional parts, as cargo features (like lwIP's `lwipopts.h`):
//! `ipv6`, `dns`, `dhcpv4`, `raw` and `multicast`. A build without one has none of its code;
//! a board file needs some of them (its generated `BoardInfo` says which), and
//! a config that asks for a part the build lacks does not start.

/// One optional part of the runtime, named as its cargo feature.
///
/// # Examples
///
/// ```
/// use usocket_config::Feature;
///
/// assert_eq!(Feature::Dhcpv4.name(), "dhcpv4");
/// assert_eq!(Feature::NAMES, ["ipv6", "dns", "dhcpv4", "raw", "multicast"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// `ipv6`: AF_INET6 sockets and IPv6 addresses (smoltcp's `proto-ipv6`).
    Ipv6,
    /// `dns`: getaddrinfo() of names (smoltcp's `socket-dns`).
    Dns,
    /// `dhcpv4`: the DHCPv4 client (smoltcp's `proto-dhcpv4`, `socket-dhcpv4`).
    Dhcpv4,
    /// `raw`: SOCK_RAW sockets (smoltcp's `socket-raw`).
    Raw,
    /// `multicast`: multicast group memberships (smoltcp's `multicast`: IGMP and MLD).
    Multicast,
}

impl Feature {
    /// Every optional part, in the order lists of them are written (and
    /// [`Features::missing_from`] reports them).
    pub const ALL: [Feature; 5] = [Feature::Ipv6, Feature::Dns, Feature::Dhcpv4, Feature::Raw, Feature::Multicast];

    /// Their cargo feature names, in [`Feature::ALL`]'s order (for generators
    /// and build tools that speak in names).
    pub const NAMES: [&'static str; 5] = {
        let mut names = [""; 5];
        let mut i = 0;
        while i < names.len() {
            names[i] = Feature::ALL[i].name();
            i += 1;
        }
        names
    };

    /// Its cargo feature name.
    pub const fn name(self) -> &'static str {
        match self {
            Feature::Ipv6 => "ipv6",
            Feature::Dns => "dns",
            Feature::Dhcpv4 => "dhcpv4",
            Feature::Raw => "raw",
            Feature::Multicast => "multicast",
        }
    }
}

/// Which optional parts a build has, or a board file needs.
///
/// A firmware compares what its board needs with [`Features::BUILT`], the
/// runtime's build (the generated `BoardInfo::features`).
///
/// # Examples
///
/// ```
/// use usocket_config::{Feature, Features};
///
/// let none = Features { ipv6: false, dns: false, dhcpv4: false, raw: false, multicast: false };
/// let board_needs = Features { ipv6: true, dns: true, ..none };
/// let built = Features { ipv6: true, ..none };
/// assert_eq!(board_needs.missing_from(&built), Some(Feature::Dns));
/// // A board that needs nothing fits every build.
/// assert_eq!(none.missing_from(&Features::BUILT), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// `ipv6`.
    pub ipv6: bool,
    /// `dns`.
    pub dns: bool,
    /// `dhcpv4`.
    pub dhcpv4: bool,
    /// `raw`.
    pub raw: bool,
    /// `multicast`.
    pub multicast: bool,
}

impl Features {
    /// The parts this build of the runtime has (the runtime forwards its
    /// cargo features of the same names to this crate).
    pub const BUILT: Features = Features {
        ipv6: cfg!(feature = "ipv6"),
        dns: cfg!(feature = "dns"),
        dhcpv4: cfg!(feature = "dhcpv4"),
        raw: cfg!(feature = "raw"),
        multicast: cfg!(feature = "multicast"),
    };

    /// Does it have `feature`?
    pub const fn has(&self, feature: Feature) -> bool {
        match feature {
            Feature::Ipv6 => self.ipv6,
            Feature::Dns => self.dns,
            Feature::Dhcpv4 => self.dhcpv4,
            Feature::Raw => self.raw,
            Feature::Multicast => self.multicast,
        }
    }

    /// The first part these features need that `built` lacks (a `const fn`, so
    /// that a firmware build can refuse a board at compile time).
    pub const fn missing_from(&self, built: &Features) -> Option<Feature> {
        let mut i = 0;
        while i < Feature::ALL.len() {
            let feature = Feature::ALL[i];
            if self.has(feature) && !built.has(feature) {
                return Some(feature);
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_first_part_missing() {
        let none = Features { ipv6: false, dns: false, dhcpv4: false, raw: false, multicast: false };
        let all = Features { ipv6: true, dns: true, dhcpv4: true, raw: true, multicast: true };
        assert_eq!(none.missing_from(&none), None);
        assert_eq!(all.missing_from(&all), None);
        assert_eq!(all.missing_from(&none), Some(Feature::Ipv6));
        assert_eq!(Features { raw: true, ..none }.missing_from(&Features { raw: false, ..all }).map(Feature::name), Some("raw"));
        assert_eq!(Features { dhcpv4: true, ..none }.missing_from(&none).map(Feature::name), Some("dhcpv4"));
        assert_eq!(none.missing_from(&Features::BUILT), None, "a board that needs nothing fits every build");
        assert_eq!(Feature::NAMES, ["ipv6", "dns", "dhcpv4", "raw", "multicast"]);
    }
}
