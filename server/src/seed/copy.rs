//! Streaming COPY ... FROM STDIN in PostgreSQL's text format: a producer on a blocking
//! thread fills ~1 MB chunks while the connection sends the previous ones, so that
//! generating rows and loading them overlap and memory stays bounded.

use sqlx::PgConnection;
use tokio::sync::mpsc;

/// Rows are handed over in chunks of about this size.
pub const CHUNK: usize = 1 << 20;
/// Chunks in flight between the producer and the connection.
const IN_FLIGHT: usize = 4;

pub const SECOND_US: i64 = 1_000_000;
pub const DAY_US: i64 = 86_400 * SECOND_US;

/// The producer's end: append rows to [`ChunkWriter::buf`] and call
/// [`ChunkWriter::row_done`] after each.
pub struct ChunkWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Vec<u8>>,
    closed: bool,
}

impl ChunkWriter {
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Hands a full chunk to the connection. False once the COPY has failed: the
    /// producer should then stop.
    pub fn row_done(&mut self) -> bool {
        if self.buf.len() >= CHUNK {
            self.flush();
        }
        !self.closed
    }

    fn flush(&mut self) {
        if self.buf.is_empty() || self.closed {
            return;
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + 4096));
        self.closed = self.tx.blocking_send(full).is_err();
    }
}

/// Runs `statement` (a `COPY ... FROM STDIN` in text format) with the rows `produce`
/// writes on a blocking thread. Returns the rows PostgreSQL loaded and what `produce`
/// returned.
pub async fn copy_in<T, F>(
    conn: &mut PgConnection,
    statement: &str,
    produce: F,
) -> anyhow::Result<(u64, T)>
where
    T: Send + 'static,
    F: FnOnce(&mut ChunkWriter) -> T + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(IN_FLIGHT);
    let mut copy = conn.copy_in_raw(statement).await?;
    let producer = tokio::task::spawn_blocking(move || {
        let mut w = ChunkWriter {
            buf: Vec::with_capacity(CHUNK + 4096),
            tx,
            closed: false,
        };
        let out = produce(&mut w);
        w.flush();
        out
    });
    let mut send_error = None;
    while let Some(chunk) = rx.recv().await {
        if let Err(e) = copy.send(chunk).await {
            send_error = Some(e);
            break;
        }
    }
    // Closing the receiver stops a producer that is still writing.
    drop(rx);
    let produced = producer.await;
    if let Some(e) = send_error {
        copy.abort("seed: sending rows failed").await.ok();
        return Err(e.into());
    }
    match produced {
        Ok(out) => Ok((copy.finish().await?, out)),
        Err(e) => {
            copy.abort("seed: row generation failed").await.ok();
            Err(e.into())
        }
    }
}

// Field writers for the text format. Generated rows have millions of fields, so these
// avoid `format!` and its allocations.

pub fn tab(buf: &mut Vec<u8>) {
    buf.push(b'\t');
}

pub fn null(buf: &mut Vec<u8>) {
    buf.extend_from_slice(b"\\N");
}

pub fn end_row(buf: &mut Vec<u8>) {
    buf.push(b'\n');
}

pub fn u64_padded(buf: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in (tmp.len() - i)..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(&tmp[i..]);
}

pub fn u64(buf: &mut Vec<u8>, v: u64) {
    u64_padded(buf, v, 0);
}

pub fn i64(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    u64(buf, v.unsigned_abs());
}

/// A fixed-point number with `scale` decimals, e.g. a `numeric(20, 10)` held as an
/// integer count of 1e-10.
pub fn fixed(buf: &mut Vec<u8>, v: i64, scale: u32) {
    let unit = 10_u64.pow(scale);
    if v < 0 {
        buf.push(b'-');
    }
    let a = v.unsigned_abs();
    u64(buf, a / unit);
    buf.push(b'.');
    u64_padded(buf, a % unit, scale as usize);
}

/// Text with the format's escapes, so that any string is safe in a field.
pub fn text(buf: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

/// Year, month and day of a count of days since 1970-01-01 (proleptic Gregorian).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYYMMDD` of a day, as in transaction IDs.
pub fn compact_date(buf: &mut Vec<u8>, days: i64) {
    let (y, m, d) = civil(days);
    u64_padded(buf, y as u64, 4);
    u64_padded(buf, u64::from(m), 2);
    u64_padded(buf, u64::from(d), 2);
}

/// `YYYY-MM-DD` of a day.
pub fn date(buf: &mut Vec<u8>, days: i64) {
    let (y, m, d) = civil(days);
    u64_padded(buf, y as u64, 4);
    buf.push(b'-');
    u64_padded(buf, u64::from(m), 2);
    buf.push(b'-');
    u64_padded(buf, u64::from(d), 2);
}

/// A `timestamptz` in UTC from microseconds since the Unix epoch.
pub fn timestamp(buf: &mut Vec<u8>, micros: i64) {
    date(buf, micros.div_euclid(DAY_US));
    let rem = micros.rem_euclid(DAY_US);
    let secs = (rem / SECOND_US) as u64;
    buf.push(b' ');
    u64_padded(buf, secs / 3_600, 2);
    buf.push(b':');
    u64_padded(buf, secs / 60 % 60, 2);
    buf.push(b':');
    u64_padded(buf, secs % 60, 2);
    buf.push(b'.');
    u64_padded(buf, (rem % SECOND_US) as u64, 6);
    buf.extend_from_slice(b"+00");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut b = Vec::new();
        f(&mut b);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn fields_are_in_postgres_text_format() {
        assert_eq!(s(|b| u64(b, 0)), "0");
        assert_eq!(s(|b| i64(b, -120)), "-120");
        assert_eq!(s(|b| u64_padded(b, 42, 6)), "000042");
        assert_eq!(s(|b| u64_padded(b, 1234567, 3)), "1234567");
        assert_eq!(s(|b| fixed(b, 10_000_000_000, 10)), "1.0000000000");
        assert_eq!(s(|b| fixed(b, 73_412, 10)), "0.0000073412");
        assert_eq!(s(|b| text(b, "a\tb\\c\nd")), "a\\tb\\\\c\\nd");
    }

    #[test]
    fn dates_match_chrono() {
        for days in [-1, 0, 59, 365 * 30 + 7, 20_786, 20_820, 40_000] {
            let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days);
            assert_eq!(s(|b| date(b, days)), d.format("%Y-%m-%d").to_string());
            assert_eq!(s(|b| compact_date(b, days)), d.format("%Y%m%d").to_string());
        }
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 7, 5, 9).unwrap()
            + chrono::Duration::microseconds(4_321);
        assert_eq!(
            s(|b| timestamp(b, t.timestamp_micros())),
            "2026-11-29 07:05:09.004321+00"
        );
    }
}
