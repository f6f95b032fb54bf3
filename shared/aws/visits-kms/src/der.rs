//! ECDSA signature: DER `SEQUENCE { INTEGER r, INTEGER s }` → the fixed 64-byte `r ‖ s` of JWS.

/// `None` unless `der` is one well-formed P-256 ECDSA signature.
pub fn der_signature_to_raw(der: &[u8]) -> Option<[u8; 64]> {
    let (tag, body, rest) = read_tlv(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (r_tag, r, after_r) = read_tlv(body)?;
    let (s_tag, s, after_s) = read_tlv(after_r)?;
    if r_tag != 0x02 || s_tag != 0x02 || !after_s.is_empty() {
        return None;
    }
    let mut raw = [0u8; 64];
    copy_unsigned(r, &mut raw[..32])?;
    copy_unsigned(s, &mut raw[32..])?;
    Some(raw)
}

/// Reads one tag-length-value with a short or one-byte long length.
fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (first as usize, rest),
        0x81 => {
            let (&len, rest) = rest.split_first()?;
            (len as usize, rest)
        }
        _ => return None,
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// A DER INTEGER (big-endian, maybe with a leading 0x00 sign byte) left-padded into 32 bytes.
fn copy_unsigned(integer: &[u8], out: &mut [u8]) -> Option<()> {
    let trimmed = match integer {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    if trimmed.len() > out.len() || trimmed.is_empty() {
        return None;
    }
    let start = out.len() - trimmed.len();
    out[start..].copy_from_slice(trimmed);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
        let mut body = vec![0x02, r.len() as u8];
        body.extend_from_slice(r);
        body.extend_from_slice(&[0x02, s.len() as u8]);
        body.extend_from_slice(s);
        let mut out = vec![0x30, body.len() as u8];
        out.extend(body);
        out
    }

    #[test]
    fn full_width_integers_with_sign_bytes() {
        let r = [&[0u8][..], &[0x80; 32]].concat();
        let s = [0x11; 32];
        let raw = der_signature_to_raw(&der(&r, &s)).unwrap();
        assert_eq!(raw.len(), 64);
        assert_eq!(&raw[..32], &[0x80; 32]);
        assert_eq!(&raw[32..], &[0x11; 32]);
    }

    #[test]
    fn short_integers_are_left_padded() {
        let raw = der_signature_to_raw(&der(&[0x01, 0x02], &[0x7f])).unwrap();
        assert_eq!(raw[30..32], [0x01, 0x02]);
        assert!(raw[..30].iter().all(|b| *b == 0));
        assert_eq!(raw[63], 0x7f);
    }

    #[test]
    fn malformed_input_is_refused() {
        assert!(der_signature_to_raw(&[]).is_none());
        assert!(der_signature_to_raw(&[0x30, 0x02, 0x02, 0x00]).is_none());
        assert!(der_signature_to_raw(&der(&[0x01; 33], &[0x01])).is_none(), "r too wide");
        let mut trailing = der(&[1], &[1]);
        trailing.push(0);
        assert!(der_signature_to_raw(&trailing).is_none());
    }
}
