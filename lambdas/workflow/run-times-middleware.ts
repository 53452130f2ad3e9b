// The learned run times' middleware (ADR 0009) for handlers whose needs.ts declares `runTimes`: the store loads
// before the secrets are fetched and the session borrowed, and the invocation's runs are written when it ends.
// It reaches DynamoDB only through the table door (table-access.ts), which the handler passes in, so the AWS SDK
// loads in a container's first invocation, not at import, and handlers without run times never bundle it.
import type { MiddlewareObj } from '@middy/core';
import type { WorkflowConfig } from './config.js';
import type { HandlerNeeds } from './handler-needs.js';
import type { RunTimeStore } from './run-time-store.js';
import type { tableAccess } from './table-access.js';

export function runTimesMiddleware(
  loadConfig: () => WorkflowConfig,
  needs: HandlerNeeds,
  table: typeof tableAccess | undefined,
): MiddlewareObj {
  let store: RunTimeStore | undefined;
  const settle = async () => {
    await store?.settle();
  };
  return {
    before: async () => {
      store = undefined;
      if (!needs.runTimes) return;
      let config: WorkflowConfig;
      try {
        config = loadConfig();
      } catch {
        return; // a bad config is the handler's to report (InvalidConfig); its waits would not start anyway
      }
      const door = table?.();
      if (!door) return;
      store = await door.then(
        (m) => m.attachRunTimeStore(config),
        () => undefined, // the module did not load: waits plan as a cold container's do
      );
    },
    after: settle,
    onError: settle,
  };
}
