// The permit table's run-time items (ADR 0009), shared by the store and the CDK stack: the stack limits its grant
// to partition keys with this prefix (dynamodb:LeadingKeys), so it imports nothing else.
export const RUN_TIMES_KEY_PREFIX = 'runtimes#';
