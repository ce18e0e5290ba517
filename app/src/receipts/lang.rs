//! The texts of a refund receipt in each language. Receipts are drawn on the server
//! from these; numbers and dates come from `crate::locale::format`, as on pages.

pub use crate::locale::Language;

impl Language {
    pub fn labels(self) -> &'static Labels {
        match self {
            Language::En => &EN,
            Language::ZhCn => &ZH_CN,
            Language::PtBr => &PT_BR,
        }
    }
}

/// Every text of a receipt in one language.
pub struct Labels {
    pub title: &'static str,
    pub subtitle: &'static str,
    pub merchant: &'static str,
    pub refund_id: &'static str,
    pub refund_request_id: &'static str,
    pub original_payment_id: &'static str,
    pub original_amount: &'static str,
    pub refund_amount: &'static str,
    pub currency: &'static str,
    pub payment_method: &'static str,
    pub refund_time_local: &'static str,
    pub refund_time_utc: &'static str,
    pub status: &'static str,
    pub status_success: &'static str,
    pub reason: &'static str,
    pub settlement_amount: &'static str,
    pub settlement_quote: &'static str,
    pub verification_code: &'static str,
    pub verify_at: &'static str,
    pub issued_by: &'static str,
    /// Written for a field without a value.
    pub none: &'static str,
}

pub static EN: Labels = Labels {
    title: "Refund receipt",
    subtitle: "Official proof that this refund was processed successfully.",
    merchant: "Merchant",
    refund_id: "Refund ID",
    refund_request_id: "Refund request ID",
    original_payment_id: "Original payment ID",
    original_amount: "Original payment amount",
    refund_amount: "Refund amount",
    currency: "Refund currency",
    payment_method: "Payment method",
    refund_time_local: "Refund time (merchant time zone)",
    refund_time_utc: "Refund time (UTC)",
    status: "Status",
    status_success: "Successful",
    reason: "Refund reason",
    settlement_amount: "Settlement amount",
    settlement_quote: "Settlement quote",
    verification_code: "Verification code",
    verify_at: "Anyone holding this receipt can check that it is genuine at:",
    issued_by: "Issued by Paydesk.",
    none: "—",
};

pub static ZH_CN: Labels = Labels {
    title: "退款回单",
    subtitle: "本回单是该笔退款已成功处理的正式证明。",
    merchant: "商户",
    refund_id: "退款编号",
    refund_request_id: "退款请求编号",
    original_payment_id: "原支付编号",
    original_amount: "原支付金额",
    refund_amount: "退款金额",
    currency: "退款币种",
    payment_method: "支付方式",
    refund_time_local: "退款时间（商户时区）",
    refund_time_utc: "退款时间（UTC）",
    status: "状态",
    status_success: "成功",
    reason: "退款原因",
    settlement_amount: "结算金额",
    settlement_quote: "结算汇率",
    verification_code: "验证码",
    verify_at: "持有本回单的任何人均可在以下网址核验其真伪：",
    issued_by: "由 Paydesk 出具。",
    none: "—",
};

pub static PT_BR: Labels = Labels {
    title: "Comprovante de reembolso",
    subtitle: "Comprovante oficial de que este reembolso foi processado com sucesso.",
    merchant: "Estabelecimento",
    refund_id: "ID do reembolso",
    refund_request_id: "ID da solicitação de reembolso",
    original_payment_id: "ID do pagamento original",
    original_amount: "Valor do pagamento original",
    refund_amount: "Valor do reembolso",
    currency: "Moeda do reembolso",
    payment_method: "Método de pagamento",
    refund_time_local: "Data do reembolso (fuso horário do estabelecimento)",
    refund_time_utc: "Data do reembolso (UTC)",
    status: "Situação",
    status_success: "Concluído com sucesso",
    reason: "Motivo do reembolso",
    settlement_amount: "Valor de liquidação",
    settlement_quote: "Cotação de liquidação",
    verification_code: "Código de verificação",
    verify_at: "Quem tiver este comprovante pode confirmar sua autenticidade em:",
    issued_by: "Emitido pela Paydesk.",
    none: "—",
};
