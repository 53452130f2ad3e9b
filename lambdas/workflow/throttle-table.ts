// The permit table's keys, shared by the CDK stack and the local store: one item per (vCenter#kind, slot).
export const PERMIT_TABLE_KEYS = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
};
export const PERMIT_TTL_ATTRIBUTE = 'ttl';
