//! `upload-scanned`: GuardDuty Malware Protection for S3's result event (through EventBridge)
//! moves the upload to clean, infected or failed. A repeated or late event changes nothing; a
//! store that is down fails the invocation, so EventBridge's retry delivers it again.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent};
use serde::{Deserialize, Serialize};
use visits_domain::model::ScanStatus;
use visits_domain::usecases::ScanResults;

/// The part of GuardDuty's "GuardDuty Malware Protection Object Scan Result" detail we read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResultDetail {
    pub scan_status: String,
    pub s3_object_details: S3ObjectDetails,
    #[serde(default)]
    pub scan_result_details: Option<ScanResultDetails>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3ObjectDetails {
    pub bucket_name: String,
    pub object_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResultDetails {
    pub scan_result_status: String,
}

impl ScanResultDetail {
    /// What the result means for the upload: only a completed scan without threats is clean.
    pub fn status(&self) -> ScanStatus {
        let result = self.scan_result_details.as_ref().map(|d| d.scan_result_status.as_str());
        match (self.scan_status.as_str(), result) {
            ("COMPLETED", Some("NO_THREATS_FOUND")) => ScanStatus::Clean,
            ("COMPLETED", Some("THREATS_FOUND")) => ScanStatus::Infected,
            // Unsupported, access denied, failed or skipped: nobody may read it.
            _ => ScanStatus::Failed,
        }
    }
}

pub struct App {
    scans: ScanResults,
}

impl App {
    pub fn new(scans: ScanResults) -> Self {
        Self { scans }
    }
}

pub async fn handle(app: &App, event: LambdaEvent<EventBridgeEvent<ScanResultDetail>>) -> Result<(), Error> {
    let detail = &event.payload.detail;
    let status = detail.status();
    let changed = app.scans.scanned(&detail.s3_object_details.object_key, status).await?;
    tracing::info!(status = ?status, changed, "scan result");
    Ok(())
}
