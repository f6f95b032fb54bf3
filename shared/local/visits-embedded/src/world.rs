//! Every embedded adapter, wired together once for demo mode and tests.

use std::sync::Arc;

use visits_domain::ports::{Clock, IdSource, Mac};
use visits_domain::rules::Policy;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::Core;

use visits_runtime::OsRandom;
use visits_runtime::hmac::HmacSha256;

use crate::clock::{DemoClock, OffsetClock};
use crate::{DemoRecorder, DemoVideo, LocalSigner, LocalStorage, MemoryDirectory, MemoryEvents, MemoryStore, Outbox};

/// The embedded adapters, each shared, so every function served locally sees the same world.
#[derive(Clone)]
pub struct EmbeddedWorld {
    pub store: Arc<MemoryStore>,
    pub signer: Arc<LocalSigner>,
    pub video: Arc<DemoVideo>,
    /// Recordings and transcripts of the demo video's meetings.
    pub recorder: Arc<DemoRecorder>,
    pub outbox: Arc<Outbox>,
    pub clock: Arc<dyn Clock>,
    /// The same clock, as `POST /dev/clock` moves it.
    pub demo_clock: Arc<dyn DemoClock>,
    pub ids: Arc<dyn IdSource>,
    pub policy: Arc<Policy>,
    pub tokens: Arc<Tokens>,
    pub directory: Arc<MemoryDirectory>,
    /// Keys one-time codes and contact lookups: a fresh key per process, as nothing outlives it.
    pub mac: Arc<dyn Mac>,
    pub storage: Arc<LocalStorage>,
    /// What was published for subscribers (`Patient waiting`).
    pub events: Arc<MemoryEvents>,
}

impl EmbeddedWorld {
    pub fn new(policy: Policy, clock: Arc<dyn DemoClock>, print_outbox: bool) -> Self {
        let demo_clock = clock.clone();
        let clock: Arc<dyn Clock> = clock;
        let signer = Arc::new(LocalSigner::generate());
        let tokens = Arc::new(Tokens::new(signer.clone(), policy.token_issuer.clone()));
        let mut mac_key = [0u8; 32];
        OsRandom.fill(&mut mac_key);
        let mac = HmacSha256::new(&mac_key).unwrap_or_else(|_| unreachable!("32 bytes are an HMAC key"));
        let mut storage_key = [0u8; 32];
        OsRandom.fill(&mut storage_key);
        let storage = Arc::new(LocalStorage::new(&storage_key, clock.clone(), uploads_folder()));
        let video = Arc::new(DemoVideo::with_clock(clock.clone()));
        let recorder = Arc::new(DemoRecorder::new(video.clone(), storage.clone(), clock.clone()));
        Self {
            store: Arc::new(MemoryStore::new()),
            signer,
            video,
            recorder,
            outbox: Arc::new(Outbox::new(print_outbox)),
            clock,
            demo_clock,
            ids: Arc::new(OsRandom),
            policy: Arc::new(policy),
            tokens,
            directory: Arc::new(MemoryDirectory::new()),
            mac: Arc::new(mac),
            storage,
            events: Arc::new(MemoryEvents::new()),
        }
    }

    /// Demo mode: the system clock (which `POST /dev/clock` moves forward), messages printed for
    /// the person at the terminal.
    pub fn demo(policy: Policy) -> Self {
        Self::new(policy, Arc::new(OffsetClock::new()), true)
    }

    pub fn core(&self) -> Core {
        Core {
            store: self.store.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
            policy: self.policy.clone(),
        }
    }
}

/// Where demo uploads are kept: `$VIDEO_VISITS_CACHE/uploads` (default `~/.cache/video-visits`),
/// one folder per process so runs do not see each other's files.
pub fn uploads_folder() -> std::path::PathBuf {
    let cache = std::env::var_os("VIDEO_VISITS_CACHE").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("HOME")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir)
            .join(".cache/video-visits")
    });
    cache.join("uploads").join(std::process::id().to_string())
}
