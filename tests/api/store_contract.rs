//! The store contract, run against the in-memory store and the DynamoDB store on the local AWS.

use std::sync::Arc;

use visits_embedded::MemoryStore;
use visits_tests::local_aws::dynamodb_store;
use visits_tests::store_contract::{self as contract, SharedStore};

async fn memory() -> SharedStore {
    Arc::new(MemoryStore::new())
}

async fn dynamodb() -> SharedStore {
    Arc::new(dynamodb_store().await)
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod in_memory {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { contract::$case(memory().await).await; })*
        }
        mod on_dynamodb {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { contract::$case(dynamodb().await).await; })*
        }
    };
}

contract!(
    create_get_and_duplicate,
    listing_pages_in_order,
    a_link_redeems_once,
    a_codes_copy_follows_its_link_and_visit,
    an_expired_link_does_not_redeem,
    a_newer_link_revokes_the_older,
    a_stale_version_writes_nothing,
    the_audit_trail_comes_back_whole_and_in_order,
    idempotency_keys_are_taken_once,
    an_expired_idempotency_key_can_be_reused,
    failure_counters_count_within_a_window,
    a_join_reads_everything_it_needs_at_once,
    a_guest_and_their_link_round_trip,
    a_visit_history_holds_the_visit_its_chain_and_its_refusals,
    fifty_concurrent_redemptions_have_one_winner,
    a_session_token_is_signed_for_the_visit_as_its_last_write_left_it,
    refusals_are_numbered_per_link_without_gaps_and_leave_the_visit_alone,
    access_records_come_back_newest_first_by_range_in_pages,
);

mod signups {
    use std::sync::Arc;

    use visits_embedded::MemoryStore;
    use visits_tests::local_aws::dynamodb_store;
    use visits_tests::store_contract::signups::{self as contract, SharedSignups};

    async fn memory() -> SharedSignups {
        Arc::new(MemoryStore::new())
    }

    async fn dynamodb() -> SharedSignups {
        Arc::new(dynamodb_store().await)
    }

    macro_rules! signup_contract {
        ($($case:ident),* $(,)?) => {
            mod in_memory {
                use super::*;
                $(#[tokio::test]
                async fn $case() { contract::$case(memory().await).await; })*
            }
            mod on_dynamodb {
                use super::*;
                $(#[tokio::test]
                async fn $case() { contract::$case(dynamodb().await).await; })*
            }
        };
    }

    signup_contract!(
        a_signup_is_kept_new_once_and_changed_only_over_its_version,
        a_contact_is_claimed_once_with_its_signup,
        an_undone_verification_lets_its_contact_go,
        a_booking_moves_its_signup_with_the_visit,
    );
}

mod applications {
    use std::sync::Arc;

    use visits_embedded::MemoryStore;
    use visits_tests::application_contract::{self as contract, SharedApplications};
    use visits_tests::local_aws::dynamodb_store;

    async fn memory() -> SharedApplications {
        Arc::new(MemoryStore::new())
    }

    async fn dynamodb() -> SharedApplications {
        Arc::new(dynamodb_store().await)
    }

    macro_rules! application_contract {
        ($($case:ident),* $(,)?) => {
            mod in_memory {
                use super::*;
                $(#[tokio::test]
                async fn $case() { contract::$case(memory().await).await; })*
            }
            mod on_dynamodb {
                use super::*;
                $(#[tokio::test]
                async fn $case() { contract::$case(dynamodb().await).await; })*
            }
        };
    }

    application_contract!(
        an_application_is_kept_with_its_chain_and_changed_only_over_its_version,
        applications_list_by_status_oldest_first_in_pages,
        an_upload_moves_with_its_applications_documents,
    );
}
