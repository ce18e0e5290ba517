//! The fixed part of the demo: currencies, acquirers, payment methods, merchants with
//! their users, sales channels and balances. Indexes into these tables (`u8`) are what
//! generated rows carry, so the tables must only ever be appended to.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::DemoMerchant;

pub struct Currency {
    pub code: &'static str,
    /// Decimal places of the minor unit (ISO 4217).
    pub exponent: u32,
    /// Units per US dollar the exchange-rate walk reverts to.
    pub per_usd: f64,
    /// Daily standard deviation of the log rate against USD.
    pub volatility: f64,
}

pub const USD: u8 = 0;
pub const EUR: u8 = 1;
pub const CNY: u8 = 2;
pub const HKD: u8 = 3;
pub const SGD: u8 = 4;
pub const BRL: u8 = 5;
pub const JPY: u8 = 6;
pub const KRW: u8 = 7;

pub const CURRENCIES: [Currency; 8] = [
    Currency {
        code: "USD",
        exponent: 2,
        per_usd: 1.0,
        volatility: 0.0,
    },
    Currency {
        code: "EUR",
        exponent: 2,
        per_usd: 0.92,
        volatility: 0.004,
    },
    Currency {
        code: "CNY",
        exponent: 2,
        per_usd: 7.2,
        volatility: 0.0015,
    },
    // Pegged to the dollar within a narrow band.
    Currency {
        code: "HKD",
        exponent: 2,
        per_usd: 7.8,
        volatility: 0.0002,
    },
    Currency {
        code: "SGD",
        exponent: 2,
        per_usd: 1.34,
        volatility: 0.002,
    },
    Currency {
        code: "BRL",
        exponent: 2,
        per_usd: 5.3,
        volatility: 0.008,
    },
    Currency {
        code: "JPY",
        exponent: 0,
        per_usd: 150.0,
        volatility: 0.005,
    },
    Currency {
        code: "KRW",
        exponent: 0,
        per_usd: 1380.0,
        volatility: 0.004,
    },
];

pub struct Acquirer {
    pub code: &'static str,
    pub name: &'static str,
    pub sync_card_refunds: bool,
}

pub const C2P_HK: u8 = 0;
pub const C2P_SG: u8 = 1;
pub const ADYEN: u8 = 2;
pub const ANTOM: u8 = 3;
pub const PAGSMILE: u8 = 4;

pub const ACQUIRERS: [Acquirer; 5] = [
    Acquirer {
        code: "2C2P_HK",
        name: "2C2P HK",
        sync_card_refunds: true,
    },
    Acquirer {
        code: "2C2P_SG",
        name: "2C2P SG",
        sync_card_refunds: true,
    },
    Acquirer {
        code: "ADYEN",
        name: "Adyen",
        sync_card_refunds: false,
    },
    Acquirer {
        code: "ANTOM",
        name: "Antom",
        sync_card_refunds: false,
    },
    Acquirer {
        code: "PAGSMILE",
        name: "Pagsmile",
        sync_card_refunds: false,
    },
];

pub struct Method {
    pub code: &'static str,
    pub name: &'static str,
    pub is_card: bool,
    pub refund_supported: bool,
    pub partial_refund_supported: bool,
    pub multiple_refunds_supported: bool,
    pub refund_window_days: i32,
    /// Refunds are final in the response (docs/RULES.md: Alipay+ wallets).
    pub sync_refunds: bool,
    pub min_refund_minor: i64,
}

const fn wallet(code: &'static str, name: &'static str, window: i32, min: i64) -> Method {
    Method {
        code,
        name,
        is_card: false,
        refund_supported: true,
        partial_refund_supported: true,
        multiple_refunds_supported: true,
        refund_window_days: window,
        sync_refunds: true,
        min_refund_minor: min,
    }
}

const fn other(
    code: &'static str,
    name: &'static str,
    is_card: bool,
    (refund, partial, multiple): (bool, bool, bool),
    window: i32,
    min: i64,
) -> Method {
    Method {
        code,
        name,
        is_card,
        refund_supported: refund,
        partial_refund_supported: partial,
        multiple_refunds_supported: multiple,
        refund_window_days: window,
        sync_refunds: false,
        min_refund_minor: min,
    }
}

pub const ALIPAY_CN: u8 = 0;
pub const ALIPAY_HK: u8 = 1;
pub const GCASH: u8 = 2;
pub const DANA: u8 = 3;
pub const KAKAOPAY: u8 = 4;
pub const TRUEMONEY: u8 = 5;
pub const TNG: u8 = 6;
pub const VISA: u8 = 7;
pub const MASTERCARD: u8 = 8;
pub const PAYPAY: u8 = 9;
pub const GRABPAY: u8 = 10;
pub const PIX: u8 = 11;
pub const KONBINI: u8 = 12;
pub const BOLETO: u8 = 13;

pub const METHODS: [Method; 14] = [
    wallet("ALIPAY_CN", "Alipay", 365, 1),
    wallet("ALIPAY_HK", "AlipayHK", 365, 1),
    wallet("GCASH", "GCash", 180, 100),
    // A one-week window, so that REFUND_WINDOW_EXCEED is easy to show.
    wallet("DANA", "DANA", 7, 100),
    wallet("KAKAOPAY", "KakaoPay", 365, 100),
    wallet("TRUEMONEY", "TrueMoney", 90, 100),
    wallet("TNG", "Touch 'n Go eWallet", 180, 100),
    other("VISA", "Visa", true, (true, true, true), 180, 100),
    other(
        "MASTERCARD",
        "Mastercard",
        true,
        (true, true, true),
        180,
        100,
    ),
    other("PAYPAY", "PayPay", false, (true, true, true), 365, 1),
    other("GRABPAY", "GrabPay", false, (true, false, false), 30, 100),
    other("PIX", "Pix", false, (true, true, false), 90, 1),
    other("KONBINI", "Konbini", false, (false, false, false), 30, 1),
    other(
        "BOLETO",
        "Boleto Bancário",
        false,
        (false, false, false),
        30,
        1,
    ),
];

/// One way a merchant gets paid: method, pricing currency, acquirer and relative volume.
pub struct Channel {
    pub method: u8,
    pub currency: u8,
    pub acquirer: u8,
    pub weight: u32,
}

const fn ch(method: u8, currency: u8, acquirer: u8, weight: u32) -> Channel {
    Channel {
        method,
        currency,
        acquirer,
        weight,
    }
}

pub struct Merchant {
    pub id: Uuid,
    pub name: &'static str,
    /// Domain label of the users' e-mail addresses.
    pub slug: &'static str,
    /// Prefix of the merchant's order references.
    pub order_prefix: &'static str,
    pub time_zone: &'static str,
    pub settlement: u8,
    /// Relative transaction volume.
    pub share: u32,
    pub channels: &'static [Channel],
    /// Price range in major units per pricing currency.
    pub prices: &'static [(u8, f64, f64)],
    /// Display names of the admin, operator, finance and viewer users.
    pub staff: [&'static str; 4],
}

pub const ROLES: [&str; 4] = ["admin", "operator", "finance", "viewer"];

pub const MERCHANTS: [Merchant; 4] = [
    Merchant {
        id: Uuid::from_u128(0x5eed0000_0000_4000_8000_000000000001),
        name: "Lotus Tea House",
        slug: "lotus",
        order_prefix: "LT",
        time_zone: "Asia/Shanghai",
        settlement: CNY,
        share: 32,
        channels: &[
            ch(ALIPAY_CN, CNY, ANTOM, 34),
            ch(ALIPAY_HK, HKD, ANTOM, 12),
            ch(KAKAOPAY, CNY, ANTOM, 4),
            ch(GCASH, CNY, ANTOM, 3),
            ch(TNG, CNY, ANTOM, 3),
            ch(VISA, HKD, C2P_HK, 10),
            ch(VISA, USD, C2P_HK, 5),
            ch(VISA, CNY, ADYEN, 4),
            ch(MASTERCARD, HKD, C2P_HK, 7),
            ch(MASTERCARD, USD, ADYEN, 4),
        ],
        prices: &[
            (CNY, 25.0, 2_500.0),
            (HKD, 30.0, 3_000.0),
            (USD, 5.0, 400.0),
        ],
        staff: ["Ada Admin", "Lin Operator", "Fang Finance", "Wei Viewer"],
    },
    Merchant {
        id: Uuid::from_u128(0x5eed0000_0000_4000_8000_000000000002),
        name: "Sakura Electronics",
        slug: "sakura",
        order_prefix: "SE",
        time_zone: "Asia/Tokyo",
        settlement: JPY,
        share: 30,
        channels: &[
            ch(PAYPAY, JPY, ANTOM, 22),
            ch(KONBINI, JPY, ANTOM, 8),
            ch(ALIPAY_CN, JPY, ANTOM, 10),
            ch(KAKAOPAY, KRW, ANTOM, 5),
            ch(TRUEMONEY, JPY, ANTOM, 3),
            ch(VISA, JPY, C2P_SG, 12),
            ch(VISA, JPY, ADYEN, 10),
            ch(VISA, KRW, ADYEN, 3),
            ch(VISA, USD, C2P_SG, 4),
            ch(MASTERCARD, JPY, ADYEN, 10),
            ch(MASTERCARD, JPY, C2P_SG, 5),
        ],
        prices: &[
            (JPY, 500.0, 200_000.0),
            (KRW, 5_000.0, 2_000_000.0),
            (USD, 5.0, 1_500.0),
        ],
        staff: [
            "Aiko Admin",
            "Kenji Operator",
            "Fumiko Finance",
            "Yuki Viewer",
        ],
    },
    Merchant {
        id: Uuid::from_u128(0x5eed0000_0000_4000_8000_000000000003),
        name: "Harbour Books",
        slug: "harbour",
        order_prefix: "HB",
        time_zone: "America/Sao_Paulo",
        settlement: USD,
        share: 16,
        channels: &[
            ch(PIX, BRL, PAGSMILE, 40),
            ch(BOLETO, BRL, PAGSMILE, 12),
            ch(VISA, BRL, ADYEN, 15),
            ch(VISA, USD, ADYEN, 6),
            ch(MASTERCARD, BRL, ADYEN, 12),
            ch(MASTERCARD, USD, C2P_SG, 3),
            ch(ALIPAY_CN, USD, ANTOM, 4),
        ],
        prices: &[(BRL, 19.0, 600.0), (USD, 5.0, 150.0)],
        staff: [
            "Ana Admin",
            "Otávio Operator",
            "Flávia Finance",
            "Vitor Viewer",
        ],
    },
    Merchant {
        id: Uuid::from_u128(0x5eed0000_0000_4000_8000_000000000004),
        name: "Fjord Outdoor",
        slug: "fjord",
        order_prefix: "FO",
        time_zone: "America/Los_Angeles",
        settlement: USD,
        share: 22,
        channels: &[
            ch(VISA, USD, ADYEN, 25),
            ch(VISA, USD, C2P_SG, 8),
            ch(VISA, EUR, ADYEN, 6),
            ch(MASTERCARD, USD, ADYEN, 15),
            ch(MASTERCARD, EUR, C2P_HK, 3),
            ch(GRABPAY, SGD, ANTOM, 8),
            ch(ALIPAY_CN, USD, ANTOM, 10),
            ch(DANA, USD, ANTOM, 4),
            ch(TRUEMONEY, USD, ANTOM, 3),
            ch(PAYPAY, JPY, ANTOM, 3),
        ],
        prices: &[
            (USD, 10.0, 2_000.0),
            (EUR, 10.0, 1_500.0),
            (SGD, 15.0, 2_500.0),
            (JPY, 1_500.0, 200_000.0),
        ],
        staff: [
            "Astrid Admin",
            "Ola Operator",
            "Frida Finance",
            "Vilde Viewer",
        ],
    },
];

/// The one balance kept deliberately low, so that MERCHANT_BALANCE_NOT_ENOUGH can be
/// shown: Harbour Books holds only USD 250.00.
pub const LOW_BALANCE: (u8, u8, i64) = (2, USD, 25_000);

/// Every currency a merchant prices in or settles in, in table order.
pub fn merchant_currencies(m: &Merchant) -> Vec<u8> {
    let mut out: Vec<u8> = m.channels.iter().map(|c| c.currency).collect();
    out.push(m.settlement);
    out.sort_unstable();
    out.dedup();
    out
}

/// The (transaction currency, settlement currency) pairs that need daily rates.
pub fn rate_pairs() -> Vec<(u8, u8)> {
    let mut out: Vec<(u8, u8)> = MERCHANTS
        .iter()
        .flat_map(|m| {
            merchant_currencies(m)
                .into_iter()
                .map(move |c| (c, m.settlement))
        })
        .filter(|(c, s)| c != s)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

pub fn user_id(merchant: usize, role: usize) -> Uuid {
    Uuid::from_u128(
        0x5eed0000_0000_4000_8001_000000000000 | ((merchant as u128) << 8) | role as u128,
    )
}

pub fn email(merchant: &Merchant, role: &str) -> String {
    format!("{role}@{}.example", merchant.slug)
}

pub fn demo_merchants() -> Vec<DemoMerchant> {
    MERCHANTS
        .iter()
        .map(|m| DemoMerchant {
            name: m.name.to_owned(),
            time_zone: m.time_zone.to_owned(),
            logins: ROLES
                .iter()
                .map(|r| (email(m, r), (*r).to_owned()))
                .collect(),
        })
        .collect()
}

/// The merchants and logins already in the database, for a seed that is skipped.
pub async fn existing(conn: &mut PgConnection) -> sqlx::Result<Vec<DemoMerchant>> {
    let merchants =
        sqlx::query!("SELECT id, name, time_zone FROM merchants ORDER BY created_at, name")
            .fetch_all(&mut *conn)
            .await?;
    let users = sqlx::query!(
        "SELECT merchant_id, email, role FROM users
         ORDER BY array_position(ARRAY['admin', 'operator', 'finance', 'viewer'], role), email",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(merchants
        .into_iter()
        .map(|m| DemoMerchant {
            logins: users
                .iter()
                .filter(|u| u.merchant_id == m.id)
                .map(|u| (u.email.clone(), u.role.clone()))
                .collect(),
            name: m.name,
            time_zone: m.time_zone,
        })
        .collect())
}

/// Empties everything the seed owns. TRUNCATE rather than DELETE: it is instant on a
/// million rows and leaves no dead rows behind. CASCADE takes along rows of
/// other tables that point at demo merchants, users or transactions, which could not
/// outlive them anyway.
pub async fn clear(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        "TRUNCATE transactions, merchant_balances, exchange_rates, users, sign_in_failures,
                  tower_sessions.session, merchants, payment_methods, acquirers
         RESTART IDENTITY CASCADE",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts acquirers, payment methods, merchants and their users; `since` is when the
/// merchants signed up, before the first transaction.
pub async fn insert(
    conn: &mut PgConnection,
    password_hash: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<()> {
    for a in &ACQUIRERS {
        sqlx::query!(
            "INSERT INTO acquirers (code, name, sync_card_refunds) VALUES ($1, $2, $3)",
            a.code,
            a.name,
            a.sync_card_refunds
        )
        .execute(&mut *conn)
        .await?;
    }
    for p in &METHODS {
        sqlx::query!(
            "INSERT INTO payment_methods (code, name, is_card, refund_supported,
                 partial_refund_supported, multiple_refunds_supported, refund_window_days,
                 refund_mode, min_refund_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            p.code,
            p.name,
            p.is_card,
            p.refund_supported,
            p.partial_refund_supported,
            p.multiple_refunds_supported,
            p.refund_window_days,
            if p.sync_refunds { "SYNC" } else { "ASYNC" },
            p.min_refund_minor
        )
        .execute(&mut *conn)
        .await?;
    }
    for (i, m) in MERCHANTS.iter().enumerate() {
        // Minutes apart, so that listing by sign-up time keeps this order.
        let created = since + Duration::minutes(i as i64);
        sqlx::query!(
            "INSERT INTO merchants (id, name, time_zone, settlement_currency, status, created_at)
             VALUES ($1, $2, $3, $4, 'ACTIVE', $5)",
            m.id,
            m.name,
            m.time_zone,
            CURRENCIES[m.settlement as usize].code,
            // `as _`: sqlx also knows the `time` crate and would want its type.
            created as _
        )
        .execute(&mut *conn)
        .await?;
        for (r, role) in ROLES.iter().enumerate() {
            let joined = created + Duration::hours(1 + r as i64);
            sqlx::query!(
                "INSERT INTO users (id, merchant_id, email, display_name, password_hash, role, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                user_id(i, r),
                m.id,
                email(m, role),
                m.staff[r],
                password_hash,
                *role,
                joined as _
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Balances in every currency a merchant uses: the equivalent of about two million US
/// dollars, so that demo refunds succeed, except for [`LOW_BALANCE`].
pub async fn insert_balances(conn: &mut PgConnection, at: DateTime<Utc>) -> sqlx::Result<()> {
    for (i, m) in MERCHANTS.iter().enumerate() {
        for c in merchant_currencies(m) {
            let cur = &CURRENCIES[c as usize];
            let available = if (i as u8, c) == (LOW_BALANCE.0, LOW_BALANCE.1) {
                LOW_BALANCE.2
            } else {
                // A round figure in major units, then scaled to minor units.
                let major = (2_000_000.0 * cur.per_usd / 1_000.0).round() as i64 * 1_000;
                major * 10_i64.pow(cur.exponent)
            };
            sqlx::query!(
                "INSERT INTO merchant_balances (merchant_id, currency, available_minor, updated_at)
                 VALUES ($1, $2, $3, $4)",
                m.id,
                cur.code,
                available,
                at as _
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
