//! TLS for outbound HTTPS (notifyRefund deliveries) runs on aws-lc-rs, the library the
//! open API's RSA signatures use, so only one crypto library is built and audited.
//! reqwest is compiled without a provider of its own and takes the process default.

/// Makes aws-lc-rs the process's TLS provider. Safe to call any number of times: the
/// first call wins and later ones change nothing.
pub fn use_aws_lc_rs() {
    // An error only says a provider is already installed, which is this one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
