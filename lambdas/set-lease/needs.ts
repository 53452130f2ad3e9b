// Read by workflowHandler and by the CDK stack (grants, VPC, security group): lambdas/workflow/handler-needs.ts.
import type { HandlerNeeds } from '../workflow/handler-needs.js';

export const HANDLER_NEEDS: HandlerNeeds = { vcenter: true, guest: false, smokeGuest: false, runTimes: true };
