//! The access log's seals: each past hour sealed once, in order, chained to the hour before and
//! signed with the seal key; and the verification that finds a removed or altered record, a
//! missing or forged seal, or a broken chain.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::core::Core;
use crate::DomainError;
use crate::model::{Digest, SEAL_GRACE, SEAL_PERIOD, Seal, SealFinding, SealReport, seal_period_of};
use crate::ports::SealStore;
use crate::tokens::Tokens;

/// How far back a run looks for hours left unsealed (a failed run is caught up by the next).
pub const SEAL_CATCH_UP_HOURS: i32 = 48;

pub struct AccessSeals {
    core: Core,
    /// Signs with the seal key (its own KMS key in AWS), never the link key.
    tokens: Arc<Tokens>,
    seals: Arc<dyn SealStore>,
}

impl AccessSeals {
    pub fn new(core: Core, tokens: Arc<Tokens>, seals: Arc<dyn SealStore>) -> Self {
        Self { core, tokens, seals }
    }

    /// Seals every hour that ended at least [`SEAL_GRACE`] ago and is not sealed yet, oldest
    /// first, going back at most [`SEAL_CATCH_UP_HOURS`]. Answers the hours sealed.
    pub async fn seal_due(&self) -> Result<Vec<DateTime<Utc>>, DomainError> {
        let last = seal_period_of(self.core.now() - SEAL_GRACE) - SEAL_PERIOD;
        let mut due = Vec::new();
        // The newest seal there is: the first of the hours due chains to it.
        let mut previous = None;
        for back in 0..SEAL_CATCH_UP_HOURS {
            let period = last - SEAL_PERIOD * back;
            if let Some(signed) = self.seals.seal(&Seal::object_key(period)).await? {
                previous = Some(Digest::of(signed.as_bytes()));
                break;
            }
            due.push(period);
        }
        due.reverse();
        for period in &due {
            previous = Some(self.seal_hour(*period, previous).await?);
        }
        Ok(due)
    }

    /// Seals the hour starting at `period`, chained to `previous` (the hash of the hour before's
    /// seal, if there is one). Answers the hash of the seal kept for the hour: a run that lost a
    /// race to another keeps theirs, and the next hour chains to that one.
    async fn seal_hour(&self, period: DateTime<Utc>, previous: Option<Digest>) -> Result<Digest, DomainError> {
        let records = self.core.store.access_records_of_hour(period).await?;
        let seal = Seal::new(period, &records, previous, self.core.now());
        let signed = self.tokens.sign_document(&seal).await?;
        let kept = self.seals.put_seal(&Seal::object_key(period), &signed).await?;
        tracing::info!(period = %seal.period, records = seal.records.len(), "access log hour sealed");
        Ok(Digest::of(kept.as_bytes()))
    }

    /// Checks every hour from `from` until before `to` against its seal.
    pub async fn verify(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<SealReport, DomainError> {
        let mut report = SealReport::default();
        let mut period = seal_period_of(from);
        while period < to {
            self.verify_hour(period, &mut report).await?;
            period += SEAL_PERIOD;
        }
        Ok(report)
    }

    async fn verify_hour(&self, period: DateTime<Utc>, report: &mut SealReport) -> Result<(), DomainError> {
        let (signed, previous, records) = futures::try_join!(
            async { self.seals.seal(&Seal::object_key(period)).await.map_err(DomainError::from) },
            async { self.seals.seal(&Seal::object_key(period - SEAL_PERIOD)).await.map_err(DomainError::from) },
            async { self.core.store.access_records_of_hour(period).await.map_err(DomainError::from) },
        )?;
        let Some(signed) = signed else {
            report.findings.push(SealFinding::MissingSeal { period });
            return Ok(());
        };
        let seal = match self.tokens.verify_document::<Seal>(&signed).await? {
            Some(seal) if seal.period == period => seal,
            _ => {
                report.findings.push(SealFinding::BadSignature { period });
                return Ok(());
            }
        };
        // The first seal names none; every later one names the hour before's, which must be there.
        if seal.previous != previous.map(|signed| Digest::of(signed.as_bytes())) {
            report.findings.push(SealFinding::BrokenChain { period });
        }
        report.compare(&seal, &records);
        Ok(())
    }
}
