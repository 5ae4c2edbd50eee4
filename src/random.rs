//! Randomness from the operating system, for tokens, version ids, nonces and jitter.

/// Fills `buffer` from the OS generator. A machine that cannot supply randomness cannot run a
/// vault safely, so failure is fatal rather than silently weak.
pub fn fill(buffer: &mut [u8]) {
    #[allow(clippy::expect_used)]
    getrandom::fill(buffer).expect("the operating system's random number generator");
}

/// `bytes` random bytes as lowercase hex.
pub fn hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    fill(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// A uniform float in [0, 1).
pub fn unit() -> f64 {
    let mut buffer = [0u8; 8];
    fill(&mut buffer);
    (u64::from_le_bytes(buffer) >> 11) as f64 / (1u64 << 53) as f64
}
