// The one place WORKFLOW_CONFIG is assembled: the CDK stack (from the deployment config) and the local runner
// (from the simulator or a vCenter it is pointed at) both describe the deployment with secret *names*, and this
// turns that into the document the handlers parse (config.ts), so the two cannot drift apart.

import type * as z from 'zod';
import { type SourceSettings, workflowConfigSchema } from './config.js';
import { InvalidConfigError } from './errors.js';

/** A source with its guest accounts named as secrets, as the deployment config writes it. */
export type NamedSecretSource = SourceSettings & { guestSecret: string; smokeGuestSecret?: string };

export interface DeploymentDescription {
  deploymentId: string;
  cloneFolders?: string[] | undefined;
  vcenter: {
    url: string;
    insecure?: boolean | undefined;
    caPem?: string;
    thumbprint?: string | undefined;
    secret: string;
  };
  sources: Record<string, NamedSecretSource>;
  defaults?: Record<string, unknown> | undefined;
  /** the vCenter-wide throttle (ADR 0006); absent = its defaults */
  throttle?: Record<string, unknown> | undefined;
  requestPolicies?: unknown;
}

/** WORKFLOW_CONFIG as written (the handlers' parse fills in the defaults). */
export type WorkflowConfigDocument = z.input<typeof workflowConfigSchema>;

export interface DocumentOptions {
  /** Only ValidateRequest applies request policies, so only its document carries them (least privilege). */
  withPolicies: boolean;
}

/**
 * WORKFLOW_CONFIG for one handler: secret ids only, never values. Validated here with the handlers' own
 * schema, so a document they would refuse fails `cdk synth` or the local run before anything starts.
 */
export function workflowConfigDocument(
  d: DeploymentDescription,
  { withPolicies }: DocumentOptions,
): WorkflowConfigDocument {
  const { url, insecure, caPem, thumbprint, secret } = d.vcenter;
  const document = {
    deploymentId: d.deploymentId,
    // Optional fields left undefined vanish in JSON.stringify, as the handlers expect of an omitted field.
    cloneFolders: d.cloneFolders,
    vcenter: { url, insecure, caPem, thumbprint, secretId: secret },
    sources: Object.fromEntries(
      Object.entries(d.sources).map(([name, { guestSecret, smokeGuestSecret, ...settings }]) => [
        name,
        { ...settings, guestSecretId: guestSecret, smokeGuestSecretId: smokeGuestSecret },
      ]),
    ),
    defaults: d.defaults ?? {},
    throttle: d.throttle,
    ...(withPolicies && d.requestPolicies !== undefined ? { requestPolicies: d.requestPolicies } : {}),
  };
  const checked = workflowConfigSchema.safeParse(document);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new InvalidConfigError(
      `WORKFLOW_CONFIG.${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'} (fix the deployment config)`,
    );
  }
  // The document as built (the schema has just accepted it), not the parsed one: the handlers apply the
  // schema's defaults themselves.
  return document as WorkflowConfigDocument;
}
