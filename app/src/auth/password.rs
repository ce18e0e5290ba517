//! Password hashing: argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1), for
//! sign-in and payment passwords alike.
//!
//! Each hash takes tens of milliseconds of CPU and 19 MiB of memory, so the async helpers
//! run it on hashing threads of its own, never on the reactor, one per core: without
//! that bound, a burst of sign-ins starts hundreds of hashes at once and the server's
//! memory grows by 19 MiB for each. The threads are few and fixed because the memory
//! allocator keeps what a thread freed for that thread's next use: on the shared
//! blocking pool, each of its many threads would keep its own 19 MiB (docs/SECURITY.md).
//! Callers that cannot get a turn within [`QUEUE_WAIT`] are told to try again ([`Busy`]).

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, Semaphore};

/// How long a caller waits for a hashing slot before [`Busy`].
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Too many passwords are being checked at once; the caller should try again shortly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Paydesk is busy checking other passwords; try again in a moment.")]
pub struct Busy;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One slot per hashing thread: a caller holding a slot finds a thread free.
static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(cores()));

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads, one per core, taking jobs from one queue.
static THREADS: LazyLock<Mutex<mpsc::Sender<Job>>> = LazyLock::new(|| {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for n in 0..cores() {
        let rx = rx.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || loop {
                let job = match rx.lock().unwrap_or_else(|e| e.into_inner()).recv() {
                    Ok(job) => job,
                    Err(_) => return,
                };
                job();
            })
            .expect("a hashing thread starts");
    }
    Mutex::new(tx)
});

/// Hashes computed or verified since the process started.
static HASHES: AtomicU64 = AtomicU64::new(0);

/// How many argon2 hashes this process has computed (hashing and verifying alike); the
/// tests use it to check that throttled attempts cost no hashing.
pub fn hashes_computed() -> u64 {
    HASHES.load(Ordering::Relaxed)
}

thread_local! {
    /// The 19 MiB of working memory of this thread's hashes, allocated once and reused:
    /// each hash asking the allocator anew leaves the memory with the allocator's
    /// per-thread pools, and the process grows well beyond one hash per thread.
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Argon2id of `password` and the raw `salt` with `params` into `out`, in this thread's
/// reused working memory.
fn argon2id_into(params: Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    HASHES.fetch_add(1, Ordering::Relaxed);
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() != params.block_count() {
            *memory = vec![Block::default(); params.block_count()];
        }
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into_with_memory(password, salt, out, &mut memory[..])
            .is_ok()
    })
}

/// The PHC string of an argon2id hash of `password` with a fresh random salt.
pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let mut raw_salt = [0u8; 64];
    let raw_salt = salt
        .decode_b64(&mut raw_salt)
        .expect("a generated salt decodes");
    let params = Params::default();
    let mut out = [0u8; 32];
    assert!(
        argon2id_into(params.clone(), password.as_bytes(), raw_salt, &mut out),
        "argon2 with default parameters cannot fail"
    );
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("default parameters encode"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("a 32-byte output")),
    }
    .to_string()
}

/// Whether `password` matches the PHC string `hash`. A malformed hash, or one of another
/// algorithm, never matches.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
    {
        return false;
    }
    let mut raw_salt = [0u8; 64];
    let Ok(raw_salt) = salt.decode_b64(&mut raw_salt) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    argon2id_into(params, password.as_bytes(), raw_salt, &mut out)
        // Output compares in constant time.
        && Output::new(&out).is_ok_and(|out| out == expected)
}

/// Runs `work` on a hashing thread once a slot is free. The slot is held until the work
/// ends, even when the caller stops waiting (a closed connection): the hash still runs
/// to its end, and the next caller must not find its thread busy.
async fn in_slot<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
    let permit = tokio::time::timeout(QUEUE_WAIT, SLOTS.acquire())
        .await
        .map_err(|_| Busy)?
        .expect("the semaphore is never closed");
    let (done, result) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
        drop(permit);
    });
    THREADS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send(job)
        .expect("the hashing threads run as long as the process");
    Ok(result.await.expect("password hashing panicked"))
}

/// [`hash_blocking`] on a hashing thread, in turn with other hashes.
pub async fn hash(password: String) -> Result<String, Busy> {
    in_slot(move || hash_blocking(&password)).await
}

/// [`verify_blocking`] on a hashing thread, in turn with other hashes.
pub async fn verify(password: String, hash: String) -> Result<bool, Busy> {
    in_slot(move || verify_blocking(&password, &hash)).await
}

/// Spends on `password` the work of a real check, for an e-mail address nobody has, so
/// that a wrong address takes as long as a wrong password; never matches.
pub async fn verify_for_unknown_user(password: String) -> Result<bool, Busy> {
    in_slot(move || {
        verify_blocking(&password, decoy_hash());
        false
    })
    .await
}

/// A hash of a password nobody knows, made once (on a hashing thread).
fn decoy_hash() -> &'static str {
    use std::sync::OnceLock;
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_blocking("paydesk-decoy-password-never-used"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_blocking("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("correct horse", &h));
        assert!(!verify_blocking("Correct horse", &h));
        assert!(!verify_blocking("correct horse", "not a phc string"));
    }
}
