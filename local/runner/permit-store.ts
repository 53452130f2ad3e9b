// The throttle's permit table in local mode and tests: dynalite (a DynamoDB implementation on LevelDB, in memory
// here) on a loopback port, talked to by the same @aws-sdk/client-dynamodb the Lambdas use on AWS.
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
// @ts-expect-error dynalite ships no type declarations
import dynalite from 'dynalite';
import { PERMIT_TABLE_KEYS } from '../../lambdas/workflow/throttle-table.js';

export interface PermitStore {
  endpoint: string;
  tableName: string;
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

/** Credentials dynalite ignores; the SDK insists on some. */
export const LOCAL_DYNAMODB = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

export async function startPermitStore(tableName = 'instant-clone-permits'): Promise<PermitStore> {
  const server = (dynalite as (o: object) => import('node:http').Server)({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  const client = () => {
    const c = new DynamoDBClient({ ...LOCAL_DYNAMODB, endpoint });
    clients.push(c);
    return c;
  };
  await client().send(
    new CreateTableCommand({ TableName: tableName, ...PERMIT_TABLE_KEYS, BillingMode: 'PAY_PER_REQUEST' }),
  );
  return {
    endpoint,
    tableName,
    client,
    stop: async () => {
      for (const c of clients) c.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
