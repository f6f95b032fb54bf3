//! Creates the table as `template.yaml` declares it: for tests and `make dev-aws`.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};

use crate::schema::{INDEXES, attr};

pub async fn create_table(client: &Client, table: &str) -> Result<(), String> {
    let attribute =
        |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(attr::PK, KeyType::Hash).map_err(|e| e.to_string())?)
        .key_schema(key(attr::SK, KeyType::Range).map_err(|e| e.to_string())?)
        .attribute_definitions(attribute(attr::PK).map_err(|e| e.to_string())?)
        .attribute_definitions(attribute(attr::SK).map_err(|e| e.to_string())?)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .map_err(|e| e.to_string())?,
        );
    for index in INDEXES {
        let (pk, sk) = (index.pk, index.sk);
        request = request
            .attribute_definitions(attribute(pk).map_err(|e| e.to_string())?)
            .attribute_definitions(attribute(sk).map_err(|e| e.to_string())?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.name)
                    .key_schema(key(pk, KeyType::Hash).map_err(|e| e.to_string())?)
                    .key_schema(key(sk, KeyType::Range).map_err(|e| e.to_string())?)
                    // Listings read only the listed part: bookkeeping changes write no index.
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::Include)
                            .non_key_attributes(index.projects)
                            .build(),
                    )
                    .build()
                    .map_err(|e| e.to_string())?,
            );
    }
    request.send().await.map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())?;
    let ttl = TimeToLiveSpecification::builder().enabled(true).attribute_name(attr::TTL).build();
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(ttl.map_err(|e| e.to_string())?)
        .send()
        .await
        .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())?;
    Ok(())
}
