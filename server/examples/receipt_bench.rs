//! Refund receipt generation: the one-off font load, then milliseconds per receipt and
//! the PDF sizes for each language, on the calling thread (what one blocking-pool task
//! costs). Needs no database: the refund's facts are made up here, with a long Chinese
//! merchant name and an accented Portuguese reason so that every script is subset.
//!
//!   cargo run --release -p server --example receipt_bench -- [receipts per language] [dir to write PDFs to]

use app::receipts::{content::RefundFacts, generate_blocking, Language};
use chrono::{TimeZone, Utc};
use std::time::Instant;

fn facts(i: usize) -> RefundFacts {
    RefundFacts {
        merchant_id: uuid::Uuid::nil(),
        merchant_name: "Lotus Tea House 莲花茶馆（上海）有限公司".into(),
        time_zone: "Asia/Shanghai".into(),
        refund_id: format!("20261129REF{i:08}"),
        refund_request_id: Some(format!("REQ-{i}")),
        payment_id: format!("20261128PAY{i:08}"),
        payment_amount_minor: 1_234_567,
        payment_currency: "USD".into(),
        refund_amount_minor: 123_456,
        refund_currency: "USD".into(),
        payment_method_code: "VISA".into(),
        payment_method_name: "Visa".into(),
        status: app::transactions::kind::TransactionStatus::Success,
        reason: Some(
            "Produto danificado na entrega — devolução solicitada pelo cliente; 商品损坏".into(),
        ),
        refunded_at: Utc.with_ymd_and_hms(2026, 11, 29, 18, 5, 11).unwrap(),
        settlement_amount_minor: Some(880_000),
        settlement_currency: Some("CNY".into()),
        settlement_quote: Some("7.1234".into()),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let out = args.next();
    let key = b"bench key";
    let base = "https://paydesk.example";

    let start = Instant::now();
    app::receipts::pdf::font();
    println!(
        "font load (once per process): {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );

    for language in Language::ALL {
        let mut sizes = Vec::with_capacity(n);
        let mut times = Vec::with_capacity(n);
        for i in 0..n {
            let f = facts(i);
            let t = Instant::now();
            let pdf = generate_blocking(&f, language, key, base);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            sizes.push(pdf.len());
            if i == 0 {
                assert_eq!(
                    pdf,
                    generate_blocking(&f, language, key, base),
                    "not reproducible"
                );
                if let Some(dir) = &out {
                    std::fs::create_dir_all(dir).unwrap();
                    std::fs::write(format!("{dir}/receipt-{}.pdf", language.tag()), &pdf).unwrap();
                }
            }
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mean = times.iter().sum::<f64>() / n as f64;
        let p50 = times[n / 2];
        let p99 = times[(n * 99 / 100).min(n - 1)];
        println!(
            "{:<6} receipts={n} mean={mean:.2} ms p50={p50:.2} ms p99={p99:.2} ms size min={} max={} bytes",
            language.tag(),
            sizes.iter().min().unwrap(),
            sizes.iter().max().unwrap(),
        );
    }
}
