// Stands in for @aws-sdk/client-chime-sdk-messaging in the bundle. The Chime SDK's index pulls
// that client in, with the AWS SDK for Node behind it; only DefaultMessagingSession calls it, and
// the pages use meetings only, never messaging.
export {};
