//! The local AWS (moto) that `make test` starts. Tests that need it fail loudly without it.

use aws_config::SdkConfig;

/// The SDK configuration pointing at the local AWS. Panics, naming the fix, if it is not running.
pub async fn sdk_config() -> SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1") || endpoint.starts_with("http://localhost"),
        "these tests need the local AWS emulator: run them with `make test` (AWS_ENDPOINT_URL is {endpoint:?})"
    );
    visits_aws::sdk_config().await
}

/// A fresh, empty table on the local AWS, named uniquely so tests do not meet.
pub async fn dynamodb_store() -> visits_dynamodb::DynamoStore {
    let config = sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = format!("visits-test-{}", uuid::Uuid::new_v4());
    visits_dynamodb::create_table(&client, &table).await.expect("the local AWS creates a table");
    visits_dynamodb::DynamoStore::new(client, table)
}
