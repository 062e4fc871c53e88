//! Verification codes: a certificate's serial and an HMAC-SHA256 of it under the server's secret, cut to 80 bits
//! and written in base32 — `2026-000042-K7Q2M9XA3B5C8D1E`. Nobody without the secret can make a code for another
//! serial, and changing any character of a code makes it unknown. Codes are compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Bytes of the HMAC kept: 80 bits, 16 base32 characters.
const MAC_BYTES: usize = 10;

/// RFC 4648 base32: letters and 2–7, no 0/1/8/9 to confuse with O, I, B, g on paper.
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The verification code of `serial`.
pub fn make(key: &[u8], serial: &str) -> String {
    format!("{serial}-{}", base32(&tag(key, serial)))
}

/// The serial a code verifies, or None for an unknown, altered or malformed code. Letters may be typed in lower
/// case.
pub fn check(key: &[u8], code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let (serial, mac) = code.rsplit_once('-')?;
    if !is_serial(serial) || mac.len() != 16 {
        return None;
    }
    let want = base32(&tag(key, serial));
    bool::from(want.as_bytes().ct_eq(mac.as_bytes())).then(|| serial.to_string())
}

/// `2026-000042`: a year, a dash and six or more digits.
fn is_serial(s: &str) -> bool {
    let Some((year, seq)) = s.split_once('-') else { return false };
    year.len() == 4 && (6..=12).contains(&seq.len()) && year.bytes().chain(seq.bytes()).all(|b| b.is_ascii_digit())
}

fn tag(key: &[u8], serial: &str) -> [u8; MAC_BYTES] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"pufa certificate v1\n");
    mac.update(serial.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; MAC_BYTES];
    out.copy_from_slice(&full[..MAC_BYTES]);
    out
}

/// Base32 of a multiple of five bytes, without padding.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5);
    for chunk in bytes.chunks(5) {
        let n = chunk.iter().fold(0u64, |n, b| n << 8 | u64::from(*b)) << (8 * (5 - chunk.len()));
        for i in (0..8).rev() {
            out.push(char::from(ALPHABET[(n >> (5 * i) & 31) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_checks_and_any_change_does_not() {
        let key = b"0123456789abcdef0123456789abcdef";
        let code = make(key, "2026-000042");
        assert_eq!(code.len(), "2026-000042-".len() + 16);
        assert_eq!(check(key, &code).as_deref(), Some("2026-000042"));
        assert_eq!(check(key, &code.to_ascii_lowercase()).as_deref(), Some("2026-000042"));
        // Another serial with the same tag, one changed letter, another key, garbage: all unknown.
        assert_eq!(check(key, &code.replace("000042", "000043")), None);
        let last = code.chars().last().unwrap();
        let altered = format!("{}{}", &code[..code.len() - 1], if last == 'A' { 'B' } else { 'A' });
        assert_eq!(check(key, &altered), None);
        assert_eq!(check(b"another key", &code), None);
        for bad in ["", "-", "2026-000042", "2026-42-AAAAAAAAAAAAAAAA", "x026-000042-AAAAAAAAAAAAAAAA"] {
            assert_eq!(check(key, bad), None, "{bad}");
        }
    }

    #[test]
    fn base32_is_rfc_4648() {
        // RFC 4648 section 10: BASE32("fooba") = "MZXW6YTB".
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
    }
}
