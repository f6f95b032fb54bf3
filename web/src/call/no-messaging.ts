// Stands in for @aws-sdk/client-chime-sdk-messaging in the bundle. The Chime SDK's index (which
// one of its meeting tasks imports) pulls that client in, with the AWS SDK for Node behind it;
// the pages use meetings only, never messaging.
export {};
