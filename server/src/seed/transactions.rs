//! The transaction generator: payments with their captures, cancels, refunds,
//! chargebacks and refund reversals over the last [`HISTORY_DAYS`] days.
//!
//! It is an iterator of plain rows, deterministic for a seed, a row count and an end
//! instant. Days are planned one at a time: each gets its share of the requested rows
//! (growth, weekdays, shopping holidays), its payments are spread over the merchants'
//! local daytime and sorted by time, and each payment is followed at once by the rows
//! that later refer to it, so a child always has a larger id than its parent and ids can
//! be assigned while streaming. The last group is cut off at exactly the requested count.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::copy::{self, DAY_US, SECOND_US};
use super::rates::{Rates, QUOTE_SCALE};
use super::reference::{
    Channel, ACQUIRERS, ADYEN, ANTOM, C2P_HK, C2P_SG, CURRENCIES, JPY, KRW, MERCHANTS, METHODS,
};

/// Days of history, a little over 13 months.
pub const HISTORY_DAYS: i64 = 400;

const MINUTE_US: i64 = 60 * SECOND_US;
const HOUR_US: i64 = 60 * MINUTE_US;
const MERCHANT_COUNT: usize = MERCHANTS.len();

/// Relative activity per local hour: quiet at night, peaks at lunch and in the evening.
const HOUR_WEIGHTS: [f64; 24] = [
    0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.60, 0.90, 1.20, 1.40, 1.50, //
    1.70, 1.60, 1.40, 1.30, 1.30, 1.40, 1.60, 1.80, 1.90, 1.70, 1.20, 0.60,
];

const REFUND_REASONS: &[&str] = &[
    "Customer request",
    "Item out of stock",
    "Duplicate payment",
    "Order cancelled",
    "Damaged on arrival",
    "Late delivery",
    "Wrong item shipped",
];
const PARTIAL_REFUND_REASONS: &[&str] = &[
    "Partial return",
    "Price adjustment",
    "Shipping fee refund",
    "Missing item",
    "Goodwill discount",
];
const CARD_DECLINES: &[&str] = &[
    "Do not honor",
    "Insufficient funds",
    "Card expired",
    "Suspected fraud",
    "3-D Secure authentication failed",
];
const WALLET_FAILURES: &[&str] = &[
    "User balance insufficient",
    "User cancelled the payment",
    "Payment risk rejected",
];
const CANCEL_REASONS: &[&str] = &[
    "Order cancelled by customer",
    "Item out of stock",
    "Payment timed out",
];
const CHARGEBACK_REASONS: &[&str] = &[
    "Fraud - card absent environment",
    "Merchandise not received",
    "Not as described",
    "Duplicate processing",
    "Credit not processed",
];
const REVERSAL_REASONS: &[&str] = &[
    "Refund returned: beneficiary account closed",
    "Refund returned by the issuing bank",
    "Refund returned: wallet account frozen",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Payment,
    Capture,
    Refund,
    Cancel,
    Chargeback,
    RefundReversal,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Payment => "PAYMENT",
            Kind::Capture => "CAPTURE",
            Kind::Refund => "REFUND",
            Kind::Cancel => "CANCEL",
            Kind::Chargeback => "CHARGEBACK",
            Kind::RefundReversal => "REFUND_REVERSAL",
        }
    }

    /// The two digits after the date in a transaction ID.
    fn id_code(self) -> u64 {
        match self {
            Kind::Payment => 11,
            Kind::Capture => 12,
            Kind::Refund => 13,
            Kind::Cancel => 14,
            Kind::Chargeback => 15,
            Kind::RefundReversal => 16,
        }
    }

    /// Merchants send requests for these; chargebacks and reversals come from the
    /// acquirer and have no request ID.
    fn request_prefix(self) -> Option<&'static [u8]> {
        match self {
            Kind::Payment => Some(b"PAYREQ-"),
            Kind::Capture => Some(b"CAPREQ-"),
            Kind::Refund => Some(b"REFREQ-"),
            Kind::Cancel => Some(b"CANREQ-"),
            Kind::Chargeback | Kind::RefundReversal => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Success,
    Processing,
    Fail,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "SUCCESS",
            Status::Processing => "PROCESSING",
            Status::Fail => "FAIL",
            Status::Closed => "CLOSED",
        }
    }
}

/// One `transactions` row. Reference-data fields are indexes into the tables of
/// `reference`; the ID strings are derived from these fields when the row is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    pub id: i64,
    pub merchant: u8,
    pub kind: Kind,
    pub status: Status,
    pub amount_minor: i64,
    pub currency: u8,
    /// Amount in the merchant's settlement currency and the quote used, scaled by 1e10;
    /// None for rows that move no money (failed, closed, cancels).
    pub settlement: Option<(i64, i64)>,
    pub method: u8,
    pub acquirer: u8,
    pub original: Option<Original>,
    pub reason: Option<&'static str>,
    /// Microseconds since the Unix epoch.
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// The merchant's order number, shared by a payment and its children.
    pub order_no: u32,
    /// Per merchant, increasing with the id.
    pub serial_no: u32,
}

/// What a row keeps of its original: its key (the id and the month, by `created_at`) and
/// what the original's transaction ID is made of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Original {
    pub id: i64,
    pub created_at: i64,
    pub kind: Kind,
}

/// What a payment's rows have in common.
#[derive(Clone, Copy)]
struct Order {
    merchant: usize,
    method: u8,
    acquirer: u8,
    currency: u8,
    amount: i64,
    order_no: u32,
}

/// How a row ended and when: `finished_at` is None while it is PROCESSING.
#[derive(Clone, Copy)]
struct Outcome {
    status: Status,
    created_at: i64,
    finished_at: Option<i64>,
}

pub struct Generator {
    rng: ChaCha8Rng,
    rates: Arc<Rates>,
    start: i64,
    end: i64,
    total: u64,
    handed_out: u64,
    planned: u64,
    groups: u64,
    /// Rows and payments planned for the latest day.
    last_day: (u64, u64),
    next_id: i64,
    day: i64,
    /// Cumulative share of all rows up to and including each day.
    cum_share: Vec<f64>,
    /// Each merchant's UTC offset in seconds on each day (DST included).
    offsets: Vec<[i64; MERCHANT_COUNT]>,
    cum_hours: [f64; 24],
    queue: VecDeque<Row>,
    slots: Vec<(i64, u8)>,
    order_no: [u32; MERCHANT_COUNT],
    serial_no: [u32; MERCHANT_COUNT],
}

/// First instant of the history that ends at `end`.
pub fn history_start(end: DateTime<Utc>) -> i64 {
    end.timestamp_micros() - HISTORY_DAYS * DAY_US
}

impl Generator {
    /// About `total` rows (exactly, unless `total` is tiny) ending before `end`.
    pub fn new(seed: u64, total: u64, end: DateTime<Utc>, rates: Arc<Rates>) -> Generator {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(2);
        let end_us = end.timestamp_micros();
        let start = history_start(end);

        let zones: Vec<Tz> = MERCHANTS
            .iter()
            .map(|m| {
                m.time_zone
                    .parse()
                    .expect("merchant time zones are IANA names")
            })
            .collect();
        let mut weights = Vec::with_capacity(HISTORY_DAYS as usize);
        let mut offsets = Vec::with_capacity(HISTORY_DAYS as usize);
        for d in 0..HISTORY_DAYS {
            let noon = DateTime::from_timestamp_micros(start + d * DAY_US + 12 * HOUR_US)
                .expect("in range");
            let mut off = [0; MERCHANT_COUNT];
            for (o, tz) in off.iter_mut().zip(&zones) {
                *o = i64::from(
                    tz.offset_from_utc_datetime(&noon.naive_utc())
                        .fix()
                        .local_minus_utc(),
                );
            }
            offsets.push(off);
            let date = noon.date_naive();
            // Business grows by half over the period.
            let trend = 0.8 + 0.4 * d as f64 / (HISTORY_DAYS - 1) as f64;
            let weekday = match date.weekday() {
                Weekday::Sat => 1.2,
                Weekday::Sun | Weekday::Fri => 1.1,
                _ => 1.0,
            };
            let holiday = match (date.month(), date.day(), date.weekday()) {
                (11, 11, _) => 2.2,                 // Singles' Day
                (11, 23..=29, Weekday::Fri) => 1.8, // Black Friday
                (12, 15..=23, _) => 1.25,           // Christmas shopping
                (1, 1, _) => 0.7,
                _ => 1.0,
            };
            weights.push(trend * weekday * holiday * rng.gen_range(0.9..1.1));
        }
        let sum: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cum_share = weights
            .iter()
            .map(|w| {
                acc += w / sum;
                acc
            })
            .collect();
        let mut cum_hours = [0.0; 24];
        let mut acc = 0.0;
        for (c, w) in cum_hours.iter_mut().zip(HOUR_WEIGHTS) {
            acc += w;
            *c = acc;
        }
        Generator {
            rng,
            rates,
            start,
            end: end_us,
            total,
            handed_out: 0,
            planned: 0,
            groups: 0,
            last_day: (0, 0),
            next_id: 1,
            day: 0,
            cum_share,
            offsets,
            cum_hours,
            queue: VecDeque::new(),
            slots: Vec::new(),
            order_no: [0; MERCHANT_COUNT],
            serial_no: [0; MERCHANT_COUNT],
        }
    }

    /// Plans the next day's payments (the last day again until the total is reached).
    fn plan_day(&mut self) {
        let last = HISTORY_DAYS - 1;
        let d = self.day.min(last);
        self.day += 1;
        let target = if d == last {
            self.total
        } else {
            (self.total as f64 * self.cum_share[d as usize]).round() as u64
        };
        if target <= self.planned {
            return;
        }
        // Payments near the end have fewer children (their refunds would lie in the
        // future), so the latest day's ratio predicts better than the overall one.
        let rows_per_payment = match self.last_day {
            (rows, payments) if payments >= 50 => rows as f64 / payments as f64,
            _ if self.groups > 0 => self.planned as f64 / self.groups as f64,
            _ => 1.6,
        };
        let payments =
            (((target - self.planned) as f64 / rows_per_payment).round() as usize).max(1);

        let day_start = self.start + d * DAY_US;
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        for _ in 0..payments {
            let m = self.pick_merchant();
            let x = self.rng.gen_range(0.0..self.cum_hours[23]);
            let hour = self.cum_hours.partition_point(|&c| c <= x).min(23) as i64;
            let local = hour * 3_600 + self.rng.gen_range(0..3_600);
            // Local daytime mapped into this UTC day, so that every day keeps its share.
            let utc = (local - self.offsets[d as usize][m]).rem_euclid(86_400);
            slots.push((
                day_start + utc * SECOND_US + self.rng.gen_range(0..SECOND_US),
                m as u8,
            ));
        }
        slots.sort_unstable();
        let planned_before = self.planned;
        for &(t, m) in &slots {
            self.payment(m as usize, t);
            self.groups += 1;
        }
        self.last_day = (self.planned - planned_before, slots.len() as u64);
        self.slots = slots;
    }

    fn pick_merchant(&mut self) -> usize {
        let total: u32 = MERCHANTS.iter().map(|m| m.share).sum();
        let mut x = self.rng.gen_range(0..total);
        for (i, m) in MERCHANTS.iter().enumerate() {
            if x < m.share {
                return i;
            }
            x -= m.share;
        }
        unreachable!("x is below the sum of the shares")
    }

    fn pick_channel(&mut self, m: usize) -> &'static Channel {
        let channels = MERCHANTS[m].channels;
        let total: u32 = channels.iter().map(|c| c.weight).sum();
        let mut x = self.rng.gen_range(0..total);
        for c in channels {
            if x < c.weight {
                return c;
            }
            x -= c.weight;
        }
        unreachable!("x is below the sum of the weights")
    }

    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.gen_range(lo..hi)
    }

    fn pick(&mut self, list: &[&'static str]) -> &'static str {
        list[self.rng.gen_range(0..list.len())]
    }

    fn sometimes(&mut self, p: f64, list: &[&'static str]) -> Option<&'static str> {
        if self.rng.gen_bool(p) {
            Some(self.pick(list))
        } else {
            None
        }
    }

    /// A shop price: mostly cheap, in whole units or with .99/.90/.50 endings; yen and
    /// won prices in round steps.
    fn price(&mut self, m: usize, currency: u8) -> i64 {
        let &(_, lo, hi) = MERCHANTS[m]
            .prices
            .iter()
            .find(|p| p.0 == currency)
            .expect("each channel currency has a price range");
        let v = lo * (hi / lo).powf(self.rng.gen::<f64>().powf(1.4));
        if CURRENCIES[currency as usize].exponent == 0 {
            let step = match (currency, v) {
                (KRW, v) if v >= 10_000.0 => 1_000,
                (KRW, _) => 100,
                (_, v) if v >= 5_000.0 => 100,
                _ => 10,
            };
            let a = ((v / step as f64).round() as i64).max(1) * step;
            if currency == JPY && a >= 2_000 && self.rng.gen_bool(0.3) {
                a / 1_000 * 1_000 - 20 // the ¥1,980 kind of price
            } else {
                a
            }
        } else {
            let cents = match self.rng.gen_range(0..10) {
                0..=3 => 0,
                4 | 5 => 99,
                6 => 90,
                7 => 50,
                _ => self.rng.gen_range(1..100),
            };
            v.floor() as i64 * 100 + cents
        }
    }

    /// Part of `left` for a partial refund, at least `min` and less than `left`, round
    /// when it is large enough.
    fn partial_of(&mut self, left: i64, min: i64, currency: u8) -> Option<i64> {
        if left <= min {
            return None;
        }
        let v = (left as f64 * self.rng.gen_range(0.1..0.7)) as i64;
        let step = match (CURRENCIES[currency as usize].exponent, currency) {
            (0, KRW) => 100,
            (0, _) => 10,
            _ => 100,
        };
        let v = if v >= 10 * step { v / step * step } else { v };
        Some(v.clamp(min, left - 1))
    }

    fn push(
        &mut self,
        o: &Order,
        kind: Kind,
        amount: i64,
        original_id: Option<i64>,
        reason: Option<&'static str>,
        Outcome {
            status,
            created_at,
            finished_at,
        }: Outcome,
    ) -> usize {
        let settles = !matches!(status, Status::Fail | Status::Closed) && kind != Kind::Cancel;
        let settlement = settles.then(|| {
            // Settled at the rate of the day the money moved (docs/RULES.md, Settlement).
            let day = finished_at.unwrap_or(created_at).div_euclid(DAY_US);
            let to = MERCHANTS[o.merchant].settlement;
            let q = self.rates.quote(day, o.currency, to);
            (Rates::convert(amount, q, o.currency, to), q)
        });
        self.serial_no[o.merchant] += 1;
        // An original is planned with its children, so it is still in the queue.
        let original = original_id.map(|id| {
            let o = self
                .queue
                .iter()
                .rev()
                .find(|r| r.id == id)
                .expect("an original is queued before its children");
            Original {
                id,
                created_at: o.created_at,
                kind: o.kind,
            }
        });
        self.queue.push_back(Row {
            id: self.next_id,
            merchant: o.merchant as u8,
            kind,
            status,
            amount_minor: amount,
            currency: o.currency,
            settlement,
            method: o.method,
            acquirer: o.acquirer,
            original,
            reason,
            created_at,
            finished_at,
            order_no: o.order_no,
            serial_no: self.serial_no[o.merchant],
        });
        self.next_id += 1;
        self.planned += 1;
        self.queue.len() - 1
    }

    /// A payment created at `t0` and everything that follows from it.
    fn payment(&mut self, m: usize, t0: i64) {
        let ch = self.pick_channel(m);
        let method = &METHODS[ch.method as usize];
        let card = method.is_card;
        self.order_no[m] += 1;
        let o = Order {
            merchant: m,
            method: ch.method,
            acquirer: ch.acquirer,
            currency: ch.currency,
            amount: self.price(m, ch.currency),
            order_no: self.order_no[m],
        };

        let r: f64 = self.rng.gen();
        let (mut status, latency) = if card {
            if r < 0.93 {
                (Status::Success, self.between(SECOND_US, 8 * SECOND_US))
            } else {
                (Status::Fail, self.between(SECOND_US, 5 * SECOND_US))
            }
        } else if r < 0.915 {
            (
                Status::Success,
                self.between(5 * SECOND_US, 120 * SECOND_US),
            )
        } else if r < 0.965 {
            (Status::Fail, self.between(10 * SECOND_US, 300 * SECOND_US))
        } else {
            // Never paid: closed when the order timed out or the merchant cancelled it.
            (Status::Closed, self.between(3 * MINUTE_US, 30 * MINUTE_US))
        };
        let mut finished = Some(t0 + latency);
        if t0 + latency >= self.end || (self.end - t0 < 30 * MINUTE_US && self.rng.gen_bool(0.4)) {
            status = Status::Processing;
            finished = None;
        }
        let reason = match status {
            Status::Fail => self.sometimes(0.7, if card { CARD_DECLINES } else { WALLET_FAILURES }),
            _ => None,
        };
        let at = self.push(
            &o,
            Kind::Payment,
            o.amount,
            None,
            reason,
            Outcome {
                status,
                created_at: t0,
                finished_at: finished,
            },
        );
        let pay_id = self.queue[at].id;
        let Some(paid) = finished else { return };
        match status {
            Status::Closed => {
                if self.rng.gen_bool(0.6) {
                    let reason = self.sometimes(0.8, CANCEL_REASONS);
                    let tc = paid - self.between(SECOND_US, 3 * SECOND_US);
                    self.push(
                        &o,
                        Kind::Cancel,
                        o.amount,
                        Some(pay_id),
                        reason,
                        Outcome {
                            status: Status::Success,
                            created_at: tc,
                            finished_at: Some(paid),
                        },
                    );
                }
                return;
            }
            Status::Success => {}
            _ => return,
        }

        // Card payments are authorisations: refundable only once captured (docs/RULES.md).
        let mut refundable_from = paid;
        if card {
            let r: f64 = self.rng.gen();
            if r < 0.95 {
                let delay = if self.rng.gen_bool(0.6) {
                    self.between(2 * SECOND_US, 30 * SECOND_US)
                } else {
                    self.between(10 * MINUTE_US, 3 * DAY_US)
                };
                let tc = paid + delay;
                let tf = tc + self.between(SECOND_US, 5 * SECOND_US);
                if tf >= self.end {
                    return; // not captured yet
                }
                let failed = self.rng.gen_bool(0.003);
                let st = if failed {
                    Status::Fail
                } else {
                    Status::Success
                };
                self.push(
                    &o,
                    Kind::Capture,
                    o.amount,
                    Some(pay_id),
                    None,
                    Outcome {
                        status: st,
                        created_at: tc,
                        finished_at: Some(tf),
                    },
                );
                if failed {
                    return;
                }
                refundable_from = tf;
            } else if r < 0.98 {
                // Voided: the authorisation expired or the order was called off.
                let tc = paid + self.between(HOUR_US, 7 * DAY_US);
                let tf = tc + self.between(SECOND_US, 5 * SECOND_US);
                if tf >= self.end {
                    return;
                }
                let reason = if tc - paid > 5 * DAY_US {
                    "Authorization expired"
                } else {
                    self.pick(CANCEL_REASONS)
                };
                self.push(
                    &o,
                    Kind::Cancel,
                    o.amount,
                    Some(pay_id),
                    Some(reason),
                    Outcome {
                        status: Status::Success,
                        created_at: tc,
                        finished_at: Some(tf),
                    },
                );
                let p = &mut self.queue[at];
                p.status = Status::Closed;
                p.settlement = None;
                return;
            } else {
                return; // authorised, never captured
            }
            if self.rng.gen_bool(0.004) && self.chargeback(&o, pay_id, refundable_from) {
                return;
            }
        }
        self.refunds(&o, pay_id, refundable_from);
    }

    /// A dispute some weeks after capture: undecided (PROCESSING) until the scheme rules.
    /// False when it would fall after the end of the history.
    fn chargeback(&mut self, o: &Order, pay_id: i64, captured: i64) -> bool {
        let t = captured + self.between(5 * DAY_US, 120 * DAY_US);
        if t >= self.end {
            return false;
        }
        let decided = t + self.between(15 * DAY_US, 75 * DAY_US);
        let (status, finished) = if decided < self.end {
            // SUCCESS: the cardholder won and the funds were taken back.
            (
                if self.rng.gen_bool(0.6) {
                    Status::Success
                } else {
                    Status::Fail
                },
                Some(decided),
            )
        } else {
            (Status::Processing, None)
        };
        let reason = self.pick(CHARGEBACK_REASONS);
        self.push(
            o,
            Kind::Chargeback,
            o.amount,
            Some(pay_id),
            Some(reason),
            Outcome {
                status,
                created_at: t,
                finished_at: finished,
            },
        );
        true
    }

    /// About 8% of payments are refunded in full, 5% in part and 2% in several parts,
    /// as far as the payment method allows and within its refund window. Failed refunds
    /// do not count against the refundable amount and are often retried.
    fn refunds(&mut self, o: &Order, pay_id: i64, refundable_from: i64) {
        #[derive(PartialEq)]
        enum Plan {
            Full,
            Partial,
            Multiple,
        }
        let method = &METHODS[o.method as usize];
        if !method.refund_supported {
            return;
        }
        let r: f64 = self.rng.gen();
        let plan = match r {
            r if r < 0.08 => Plan::Full,
            r if r < 0.13 => Plan::Partial,
            r if r < 0.15 => Plan::Multiple,
            _ => return,
        };
        let plan = match plan {
            Plan::Partial | Plan::Multiple if !method.partial_refund_supported => return,
            Plan::Multiple if !method.multiple_refunds_supported => Plan::Partial,
            p => p,
        };
        let sync = method.sync_refunds
            || (method.is_card && ACQUIRERS[o.acquirer as usize].sync_card_refunds);
        let horizon =
            (refundable_from + i64::from(method.refund_window_days) * DAY_US).min(self.end);
        let min = method.min_refund_minor;
        let count = if plan == Plan::Multiple {
            self.rng.gen_range(2..=4)
        } else {
            1
        };
        let mut left = o.amount;
        let mut made = 0;
        let mut t = refundable_from;
        for _ in 0..count + 2 {
            if made == count {
                break;
            }
            t += match self.rng.gen::<f64>() {
                r if r < 0.55 => self.between(10 * MINUTE_US, 2 * DAY_US),
                r if r < 0.9 => self.between(2 * DAY_US, 20 * DAY_US),
                _ => self.between(20 * DAY_US, 200 * DAY_US),
            };
            if t >= horizon {
                break;
            }
            let amount = match plan {
                Plan::Full => left,
                Plan::Multiple if made == count - 1 && self.rng.gen_bool(0.35) => left,
                _ => match self.partial_of(left, min, o.currency) {
                    Some(a) => a,
                    None => break,
                },
            };
            if amount < min || amount > left {
                break;
            }
            let done = t + if sync {
                self.between(SECOND_US, 4 * SECOND_US)
            } else if method.is_card {
                self.between(DAY_US, 5 * DAY_US)
            } else {
                self.between(30 * MINUTE_US, 2 * DAY_US)
            };
            let (status, finished) = if done >= self.end {
                (Status::Processing, None)
            } else if self.rng.gen_bool(if sync { 0.97 } else { 0.95 }) {
                (Status::Success, Some(done))
            } else {
                (Status::Fail, Some(done))
            };
            let reasons = if amount == o.amount {
                REFUND_REASONS
            } else {
                PARTIAL_REFUND_REASONS
            };
            let reason = self.sometimes(0.45, reasons);
            let at = self.push(
                o,
                Kind::Refund,
                amount,
                Some(pay_id),
                reason,
                Outcome {
                    status,
                    created_at: t,
                    finished_at: finished,
                },
            );
            if status == Status::Fail {
                if self.rng.gen_bool(0.5) {
                    continue;
                }
                break;
            }
            left -= amount;
            made += 1;
            if let (Status::Success, Some(done)) = (status, finished) {
                if self.rng.gen_bool(0.005) {
                    // Spec 002's "refund return": the customer's account could not take
                    // the funds and they came back to the merchant.
                    let refund_id = self.queue[at].id;
                    let tr = done + self.between(2 * DAY_US, 25 * DAY_US);
                    let tf = tr + self.between(SECOND_US, 60 * SECOND_US);
                    if tf < self.end {
                        let reason = self.pick(REVERSAL_REASONS);
                        let st = Status::Success;
                        self.push(
                            o,
                            Kind::RefundReversal,
                            amount,
                            Some(refund_id),
                            Some(reason),
                            Outcome {
                                status: st,
                                created_at: tr,
                                finished_at: Some(tf),
                            },
                        );
                    }
                }
            }
        }
    }
}

impl Iterator for Generator {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        while self.handed_out < self.total {
            if let Some(row) = self.queue.pop_front() {
                self.handed_out += 1;
                return Some(row);
            }
            self.plan_day();
        }
        None
    }
}

pub const COPY_STATEMENT: &str = "COPY transactions (id, merchant_id, transaction_id, \
    reference_transaction_id, transaction_request_id, acquirer_transaction_id, serial_no, \
    transaction_type, status, amount_minor, currency, settlement_amount_minor, \
    settlement_currency, settlement_quote, payment_method_type, acquirer_code, original_id, \
    original_created_at, original_transaction_id, reason, created_at, finished_at) \
    FROM STDIN (FORMAT text)";

/// A bijective scramble of an id (the splitmix64 finaliser): IDs derived from it look
/// random yet are as unique as the id.
fn scramble(id: i64, salt: u64) -> u64 {
    let mut x = (id as u64 ^ salt).wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn hex16(buf: &mut Vec<u8>, v: u64) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for i in (0..16).rev() {
        buf.push(DIGITS[(v >> (i * 4) & 0xf) as usize]);
    }
}

/// Paydesk's transaction ID of a row, Antom-like: creation date, type, then digits
/// unique through the id.
fn transaction_id(buf: &mut Vec<u8>, id: i64, created_at: i64, kind: Kind) {
    copy::compact_date(buf, created_at.div_euclid(DAY_US));
    copy::u64_padded(buf, kind.id_code(), 2);
    copy::u64_padded(buf, scramble(id, 0x7a11) % 1_000_000, 6);
    copy::u64_padded(buf, id as u64, 12);
}

/// Writes rows in the column order of [`COPY_STATEMENT`].
pub struct RowWriter {
    merchant_ids: [[u8; 36]; MERCHANT_COUNT],
}

impl Default for RowWriter {
    fn default() -> Self {
        let mut merchant_ids = [[0; 36]; MERCHANT_COUNT];
        for (out, m) in merchant_ids.iter_mut().zip(&MERCHANTS) {
            m.id.hyphenated().encode_lower(out);
        }
        RowWriter { merchant_ids }
    }
}

impl RowWriter {
    pub fn write(&self, buf: &mut Vec<u8>, r: &Row) {
        let m = &MERCHANTS[r.merchant as usize];
        let method = &METHODS[r.method as usize];
        let day = r.created_at.div_euclid(DAY_US);
        copy::i64(buf, r.id);
        copy::tab(buf);
        buf.extend_from_slice(&self.merchant_ids[r.merchant as usize]);
        copy::tab(buf);
        transaction_id(buf, r.id, r.created_at, r.kind);
        copy::tab(buf);
        buf.extend_from_slice(b"ORD-");
        buf.extend_from_slice(m.order_prefix.as_bytes());
        copy::u64_padded(buf, u64::from(r.order_no), 7);
        copy::tab(buf);
        match r.kind.request_prefix() {
            Some(prefix) => {
                buf.extend_from_slice(prefix);
                hex16(buf, scramble(r.id, 0x4e9));
            }
            None => copy::null(buf),
        }
        copy::tab(buf);
        // Wallet payments that were never paid, and their cancels, never reached the
        // acquirer.
        let unpaid_wallet = !method.is_card
            && (r.kind == Kind::Cancel || (r.kind == Kind::Payment && r.status == Status::Closed));
        if unpaid_wallet {
            copy::null(buf);
        } else {
            let h = scramble(r.id, 0xacc);
            match r.acquirer {
                C2P_HK | C2P_SG => copy::u64_padded(buf, h % 1_000_000_000_000_000_000, 18),
                ADYEN => copy::u64(buf, 1_000_000_000_000_000 + h % 9_000_000_000_000_000),
                ANTOM => {
                    copy::compact_date(buf, day);
                    buf.extend_from_slice(b"2200");
                    copy::u64_padded(buf, h % 10_000_000_000_000_000, 16);
                }
                _ => {
                    buf.extend_from_slice(b"PS");
                    hex16(buf, h);
                }
            }
        }
        copy::tab(buf);
        copy::u64(
            buf,
            (u64::from(r.merchant) + 1) * 1_000_000_000 + u64::from(r.serial_no),
        );
        copy::tab(buf);
        buf.extend_from_slice(r.kind.as_str().as_bytes());
        copy::tab(buf);
        buf.extend_from_slice(r.status.as_str().as_bytes());
        copy::tab(buf);
        copy::i64(buf, r.amount_minor);
        copy::tab(buf);
        buf.extend_from_slice(CURRENCIES[r.currency as usize].code.as_bytes());
        copy::tab(buf);
        match r.settlement {
            Some((amount, _)) => copy::i64(buf, amount),
            None => copy::null(buf),
        }
        copy::tab(buf);
        buf.extend_from_slice(CURRENCIES[m.settlement as usize].code.as_bytes());
        copy::tab(buf);
        match r.settlement {
            Some((_, quote)) => copy::fixed(buf, quote, QUOTE_SCALE),
            None => copy::null(buf),
        }
        copy::tab(buf);
        buf.extend_from_slice(method.code.as_bytes());
        copy::tab(buf);
        buf.extend_from_slice(ACQUIRERS[r.acquirer as usize].code.as_bytes());
        copy::tab(buf);
        match r.original {
            Some(o) => {
                copy::i64(buf, o.id);
                copy::tab(buf);
                copy::timestamp(buf, o.created_at);
                copy::tab(buf);
                transaction_id(buf, o.id, o.created_at, o.kind);
            }
            None => {
                copy::null(buf);
                copy::tab(buf);
                copy::null(buf);
                copy::tab(buf);
                copy::null(buf);
            }
        }
        copy::tab(buf);
        match r.reason {
            Some(reason) => copy::text(buf, reason),
            None => copy::null(buf),
        }
        copy::tab(buf);
        copy::timestamp(buf, r.created_at);
        copy::tab(buf);
        match r.finished_at {
            Some(t) => copy::timestamp(buf, t),
            None => copy::null(buf),
        }
        copy::end_row(buf);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::TimeZone;

    use super::*;
    use crate::seed::rates::ONE;

    fn end() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap()
    }

    fn generator(seed: u64, total: u64) -> Generator {
        let first_day = history_start(end()).div_euclid(DAY_US);
        let rates = Arc::new(Rates::generate(seed, first_day, HISTORY_DAYS as usize + 1));
        Generator::new(seed, total, end(), rates)
    }

    fn text(rows: &[Row]) -> Vec<u8> {
        let w = RowWriter::default();
        let mut buf = Vec::new();
        for r in rows {
            w.write(&mut buf, r);
        }
        buf
    }

    #[test]
    fn the_same_seed_gives_the_same_rows() {
        let a: Vec<Row> = generator(7, 20_000).collect();
        let b: Vec<Row> = generator(7, 20_000).take(5_000).collect();
        assert_eq!(a[..5_000], b[..]);
        assert_eq!(text(&a[..5_000]), text(&b));
        let c: Vec<Row> = generator(8, 20_000).take(100).collect();
        assert_ne!(a[..100], c[..]);
    }

    #[test]
    fn exactly_the_requested_number_of_rows() {
        for n in [0, 1, 2, 17, 3_000, 12_345] {
            assert_eq!(generator(1, n).count() as u64, n);
        }
    }

    #[test]
    fn rows_are_consistent_with_their_originals_and_the_refund_rules() {
        let rows: Vec<Row> = generator(3, 80_000).collect();
        let start = history_start(end());
        let end = end().timestamp_micros();
        let by_id: HashMap<i64, &Row> = rows.iter().map(|r| (r.id, r)).collect();
        let mut refunded: HashMap<i64, (i64, usize)> = HashMap::new();
        let mut kinds = HashMap::new();

        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r.id, i as i64 + 1, "ids are dense and increasing");
            assert!(r.created_at >= start && r.created_at < end, "{r:?}");
            assert_eq!(
                r.finished_at.is_none(),
                r.status == Status::Processing,
                "{r:?}"
            );
            if let Some(f) = r.finished_at {
                assert!(f >= r.created_at && f < end, "{r:?}");
            }
            let m = &MERCHANTS[r.merchant as usize];
            if let Some((amount, quote)) = r.settlement {
                if r.currency == m.settlement {
                    assert_eq!((amount, quote), (r.amount_minor, ONE));
                } else {
                    assert!(quote > 0 && amount >= 0);
                }
            }
            *kinds.entry((r.kind, r.status)).or_insert(0) += 1;
            let method = &METHODS[r.method as usize];

            let Some(pid) = r.original.map(|o| o.id) else {
                assert_eq!(r.kind, Kind::Payment);
                let cur = &CURRENCIES[r.currency as usize];
                let &(_, lo, hi) = m.prices.iter().find(|p| p.0 == r.currency).unwrap();
                let unit = 10_f64.powi(cur.exponent as i32);
                let a = r.amount_minor as f64;
                assert!(a >= lo * unit * 0.9 && a <= (hi + 1.0) * unit, "{r:?}");
                match r.currency {
                    JPY => assert_eq!(r.amount_minor % 10, 0, "{r:?}"),
                    KRW => assert_eq!(r.amount_minor % 100, 0, "{r:?}"),
                    _ => {}
                }
                continue;
            };
            let p = by_id[&pid];
            assert!(
                p.id < r.id && p.created_at < r.created_at,
                "child after parent: {p:?} {r:?}"
            );
            assert_eq!(
                (p.merchant, p.currency, p.method, p.acquirer, p.order_no),
                (r.merchant, r.currency, r.method, r.acquirer, r.order_no)
            );
            match r.kind {
                Kind::Payment => panic!("a payment has no original: {r:?}"),
                Kind::RefundReversal => {
                    assert_eq!(
                        (p.kind, p.status, r.status),
                        (Kind::Refund, Status::Success, Status::Success)
                    );
                    assert_eq!(p.amount_minor, r.amount_minor);
                    assert!(r.created_at > p.finished_at.unwrap());
                }
                Kind::Capture | Kind::Chargeback => {
                    assert!(
                        method.is_card && p.kind == Kind::Payment && p.status == Status::Success,
                        "{r:?}"
                    );
                    assert_eq!(p.amount_minor, r.amount_minor);
                }
                Kind::Cancel => {
                    assert_eq!((p.kind, p.status), (Kind::Payment, Status::Closed));
                }
                Kind::Refund => {
                    assert_eq!((p.kind, p.status), (Kind::Payment, Status::Success));
                    assert!(method.refund_supported, "{r:?}");
                    assert!(r.amount_minor >= method.min_refund_minor, "{r:?}");
                    assert!(
                        method.partial_refund_supported || r.amount_minor == p.amount_minor,
                        "{r:?}"
                    );
                    // Within the window from payment success (or capture, for cards).
                    let from = if method.is_card {
                        let capture = rows[p.id as usize..]
                            .iter()
                            .take_while(|c| c.order_no == p.order_no && c.merchant == p.merchant)
                            .find(|c| {
                                c.kind == Kind::Capture && c.original.map(|o| o.id) == Some(p.id)
                            })
                            .expect("card refunds need a capture");
                        assert_eq!(capture.status, Status::Success);
                        assert!(capture.finished_at.unwrap() < r.created_at);
                        capture.finished_at.unwrap()
                    } else {
                        p.finished_at.unwrap()
                    };
                    assert!(
                        r.created_at <= from + i64::from(method.refund_window_days) * DAY_US,
                        "{r:?}"
                    );
                    if r.status != Status::Fail {
                        let e = refunded.entry(p.id).or_insert((0, 0));
                        e.0 += r.amount_minor;
                        e.1 += 1;
                    }
                }
            }
        }
        for (pid, (sum, n)) in &refunded {
            let p = by_id[pid];
            let method = &METHODS[p.method as usize];
            assert!(*sum <= p.amount_minor, "refunds exceed payment {pid}");
            assert!(*n == 1 || method.multiple_refunds_supported, "{p:?}");
        }
        // Everything the dashboard should be able to show turns up.
        for k in [
            (Kind::Payment, Status::Success),
            (Kind::Payment, Status::Fail),
            (Kind::Payment, Status::Closed),
            (Kind::Capture, Status::Success),
            (Kind::Cancel, Status::Success),
            (Kind::Refund, Status::Success),
            (Kind::Refund, Status::Fail),
            (Kind::Refund, Status::Processing),
            (Kind::Chargeback, Status::Processing),
            (Kind::Chargeback, Status::Success),
            (Kind::Chargeback, Status::Fail),
            (Kind::RefundReversal, Status::Success),
        ] {
            assert!(
                kinds.get(&k).copied().unwrap_or(0) > 0,
                "no {k:?} in {kinds:?}"
            );
        }
        assert!(
            refunded.values().any(|(_, n)| *n > 1),
            "some payments are refunded several times"
        );
    }

    #[test]
    fn payments_follow_the_merchants_local_daytime() {
        let g = generator(5, 30_000);
        let offsets = g.offsets.clone();
        let start = g.start;
        let (mut day, mut night) = (0, 0);
        for r in g.filter(|r| r.kind == Kind::Payment) {
            let d = ((r.created_at - start) / DAY_US) as usize;
            let local = (r.created_at / SECOND_US + offsets[d][r.merchant as usize])
                .rem_euclid(86_400)
                / 3_600;
            match local {
                10..=21 => day += 1,
                1..=5 => night += 1,
                _ => {}
            }
        }
        assert!(day > 10 * night, "day {day}, night {night}");
    }

    #[test]
    fn the_last_day_gets_no_more_than_its_share() {
        let g = generator(6, 100_000);
        let start = g.start;
        let mut per_day = vec![0_u32; HISTORY_DAYS as usize];
        for r in g.filter(|r| r.kind == Kind::Payment) {
            per_day[((r.created_at - start) / DAY_US) as usize] += 1;
        }
        let (last, week) = per_day[per_day.len() - 8..].split_last().unwrap();
        let average = week.iter().sum::<u32>() as f64 / week.len() as f64;
        assert!(f64::from(*last) < 1.3 * average, "{per_day:?}");
        assert!(per_day.iter().all(|&n| n > 0), "{per_day:?}");
    }

    #[test]
    fn a_row_is_one_line_of_twenty_two_text_fields() {
        let rows: Vec<Row> = generator(9, 2_000).collect();
        let buf = text(&rows);
        let s = std::str::from_utf8(&buf).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), rows.len());
        let refund = rows.iter().position(|r| r.kind == Kind::Refund).unwrap();
        let f: Vec<&str> = lines[refund].split('\t').collect();
        assert_eq!(f.len(), 22);
        let r = &rows[refund];
        assert_eq!(f[0], r.id.to_string());
        assert_eq!(f[1], MERCHANTS[r.merchant as usize].id.to_string());
        assert!(
            f[2].len() == 28 && f[2].bytes().all(|b| b.is_ascii_digit()) && &f[2][8..10] == "13"
        );
        assert!(f[3].starts_with("ORD-") && f[4].starts_with("REFREQ-"));
        let original_id = r.original.unwrap().id;
        assert_eq!((f[7], f[16]), ("REFUND", original_id.to_string().as_str()));
        // The original's month and transaction ID, as its own line has them.
        let original = rows.iter().position(|p| p.id == original_id).unwrap();
        let mut at = Vec::new();
        copy::timestamp(&mut at, rows[original].created_at);
        assert_eq!(f[17].as_bytes(), at, "the original's created_at");
        assert_eq!(f[18], lines[original].split('\t').nth(2).unwrap());
        DateTime::parse_from_str(f[20], "%Y-%m-%d %H:%M:%S%.f%#z").expect("timestamptz");
        // Transaction IDs are unique.
        let mut ids: Vec<&str> = lines
            .iter()
            .map(|l| l.split('\t').nth(2).unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rows.len());
    }
}
