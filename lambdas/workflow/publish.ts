// Puts events on the stack's bus from a handler. On AWS through EventBridge; in the local runner through the
// `localPutEvents` function it lends the invocation context (as it lends the secrets, ADR 0001), so local runs
// record or route the very entries a deployed function would send.
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

export type PutEntries = (entries: PutEventsRequestEntry[]) => Promise<void>;

let client: EventBridgeClient | undefined;

export function eventPublisher(context: unknown): PutEntries {
  const local = (context as { localPutEvents?: unknown } | null)?.localPutEvents;
  if (typeof local === 'function') return local as PutEntries;
  return async (entries) => {
    client ??= new EventBridgeClient({});
    const result = await client.send(new PutEventsCommand({ Entries: entries }));
    if ((result.FailedEntryCount ?? 0) > 0) {
      const failed = result.Entries?.find((e) => e.ErrorCode);
      throw new Error(
        `PutEvents rejected an entry: ${failed?.ErrorCode} ${failed?.ErrorMessage ?? ''}`.trim(),
      );
    }
  };
}

/** A handler's `putEvents` tool (taskHandler's `tools`), for handlers that publish. */
export function eventTools(context: unknown): { putEvents: PutEntries } {
  return { putEvents: eventPublisher(context) };
}
