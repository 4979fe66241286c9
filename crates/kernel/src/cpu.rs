//! What the CPU says about itself: where each state component sits in the xsave area.

/// The offset and size, in the standard (non-compacted) xsave layout that ptrace's
/// NT_X86_XSTATE uses, of state component `index` (2 = AVX upper halves, 5 = AVX-512
/// opmasks, 6 = upper halves of zmm0-15, 7 = zmm16-31, 9 = PKRU, 17-18 = AMX).
/// `None` when this CPU does not have the component. The layout differs between
/// vendors, so it is asked of the CPU, never assumed.
pub fn xsave_component(index: u32) -> Option<(usize, usize)> {
    if !(2..63).contains(&index) {
        return None;
    }
    let leaf = std::arch::x86_64::__cpuid_count(0xd, index);
    (leaf.eax != 0 && leaf.ebx != 0).then_some((leaf.ebx as usize, leaf.eax as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avx_upper_halves_follow_the_legacy_area_and_header() {
        // Every x86_64 CPU with AVX puts component 2 right after the 512-byte legacy
        // area and the 64-byte header.
        if let Some((offset, size)) = xsave_component(2) {
            assert_eq!((offset, size), (576, 256));
        }
        assert_eq!(xsave_component(0), None);
    }
}
