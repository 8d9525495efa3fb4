//! `[ram]` (`spec/ram.toml`): exactly one table, every cost 1..=65536 bytes,
//! `without` naming known features and items.

use std::collections::BTreeMap;

use toml::Spanned;

use super::checker::Checker;
use crate::diag::FileId;
use crate::ir::board::FEATURES;
use crate::ir::ram::{Costs, RamCosts};
use crate::raw::{RawCosts, RawRam};

/// One cost in bytes: 1..=65536, else an error at its place.
fn cost(ck: &mut Checker, file: FileId, v: &Spanned<i64>) -> usize {
    if !(1..=65536).contains(v.get_ref()) {
        ck.err(file, v.span(), format!("cost {} is out of range", v.get_ref()), "out of range", "1..=65536 bytes");
    }
    usize::try_from(*v.get_ref()).unwrap_or(0)
}

/// Validates `[ram]`: exactly one, every cost 1..=65536 bytes.
pub(super) fn build_ram(ck: &mut Checker, items: &[(FileId, Spanned<RawRam>)]) -> Option<RamCosts> {
    let Some((file, r)) = items.first() else {
        ck.err(0, 0..0, "the spec has no [ram] table", "missing", "[ram] with the per-item costs (see spec/ram.toml)");
        return None;
    };
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [ram] table", "second definition", "exactly one [ram]");
    }
    let r = r.get_ref();
    let file = *file;
    let names = usocket_config::ram::Costs::default().items().map(|(name, _)| name);
    let mut costs = |raw: &Spanned<RawCosts>, pointer_bits: u64| {
        let raw = raw.get_ref();
        let mut without = BTreeMap::new();
        for (feature, items) in &raw.without {
            if !FEATURES.contains(&feature.as_str()) {
                let expected = format!("one of {}", FEATURES.join(", "));
                ck.err(file, items.span(), format!("`{feature}` is not a runtime feature"), "unknown feature", expected).did_you_mean(feature, FEATURES);
            }
            let mut less = BTreeMap::new();
            for (item, bytes) in items.get_ref() {
                if !names.contains(&item.as_str()) {
                    ck.err(file, bytes.span(), format!("`{item}` is not a cost of this table"), "unknown item", format!("one of {}", names.join(", ")))
                        .did_you_mean(item, names.iter().copied());
                }
                less.insert(item.clone(), cost(ck, file, bytes));
            }
            without.insert(feature.clone(), less);
        }
        let items = usocket_config::ram::Costs {
            smoltcp_socket: cost(ck, file, &raw.smoltcp_socket),
            parked_socket: cost(ck, file, &raw.parked_socket),
            fd_slot: cost(ck, file, &raw.fd_slot),
            pool_entry: cost(ck, file, &raw.pool_entry),
            binding: cost(ck, file, &raw.binding),
            udp_packet_meta: cost(ck, file, &raw.udp_packet_meta),
            raw_packet_meta: cost(ck, file, &raw.raw_packet_meta),
            dns_query: cost(ck, file, &raw.dns_query),
            stack: cost(ck, file, &raw.stack),
        };
        Costs { doc: raw.doc.trim().to_string(), pointer_bits, items, without }
    };
    let bits64 = costs(&r.bits64, 64);
    let bits32 = costs(&r.bits32, 32);
    Some(RamCosts { doc: r.doc.trim().to_string(), bits64, bits32 })
}
