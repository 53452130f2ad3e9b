// WORKFLOW_CONFIG and the secrets for local runs (ADR 0001: one config env var; ADR 0010: the secrets served by
// the local Parameters and Secrets extension, local/runner/secrets-extension.ts).

import {
  type NamedSecretSource,
  type WorkflowConfigDocument,
  workflowConfigDocument,
} from '../../lambdas/workflow/workflow-config-document.js';
import type { RunningSimulator } from '../simulator/index.js';
import type { Credentials, JsonValue, SourceConfig, VcenterTarget } from './types.js';

const LOCAL_VCENTER_SECRET = 'local/vcenter';

/** The SecretStrings the local extension serves for a setup: each secret's JSON, as Secrets Manager holds it. */
export function secretStrings(setup: LocalSetup): Record<string, string> {
  return Object.fromEntries(Object.entries(setup.secrets).map(([id, c]) => [id, JSON.stringify(c)]));
}

export interface LocalSetup {
  /** the JSON document the handlers read from process.env.WORKFLOW_CONFIG (built as the CDK stack builds it) */
  config: WorkflowConfigDocument;
  /** the secrets by the ids WORKFLOW_CONFIG names (`local/vcenter`, `local/guest/<source>`, …) */
  secrets: Record<string, Credentials>;
  /** the vCenter the run talks to, with its account (for the run-scoped teardown) */
  target: VcenterTarget;
}

/** Sources the simulator offers, by the names local tests and the demo use. */
export function simulatorSources(sim: RunningSimulator): Record<string, SourceConfig> {
  return {
    linux: { paths: [sim.sources.linux, sim.sources.linux2], os: 'linux' },
    windows: { paths: [sim.sources.windows], os: 'windows' },
    notFrozen: { paths: [sim.sources.notFrozen], os: 'linux' },
    poweredOff: { paths: [sim.sources.poweredOff], os: 'linux' },
    missing: { paths: [`${sim.sources.linux.replace(/\/[^/]*$/, '')}/no-such-vm`], os: 'linux' },
  };
}

function simulatorGuests(
  sim: RunningSimulator,
  sources: Record<string, SourceConfig>,
): Record<string, Credentials> {
  return Object.fromEntries(
    Object.entries(sources).map(([name, s]) => [
      name,
      s.os === 'windows' ? sim.guest.windows : sim.guest.linux,
    ]),
  );
}

export interface SetupOptions {
  simulator?: RunningSimulator;
  vcenter?: VcenterTarget;
  sources?: Record<string, SourceConfig>;
  guest?: Record<string, Credentials>;
  smokeGuest?: Record<string, Credentials>;
  defaults?: Record<string, JsonValue>;
  requestPolicies?: JsonValue;
  throttle?: Record<string, JsonValue>;
}

export function buildLocalSetup(options: SetupOptions): LocalSetup {
  const sim = options.simulator;
  const vcenter: VcenterTarget | undefined =
    options.vcenter ??
    (sim ? { url: sim.url, username: sim.username, password: sim.password, insecure: true } : undefined);
  if (!vcenter) throw new Error('runLocalWorkflow: pass `simulator` or `vcenter`');
  const sources = options.sources ?? (sim ? simulatorSources(sim) : undefined);
  if (!sources) throw new Error('runLocalWorkflow: pass `sources` when running against a vCenter');
  const guest = { ...(sim && !options.vcenter ? simulatorGuests(sim, sources) : {}), ...options.guest };

  const secrets: Record<string, Credentials> = {
    [LOCAL_VCENTER_SECRET]: { username: vcenter.username, password: vcenter.password },
  };
  const namedSources: Record<string, NamedSecretSource> = {};
  for (const [name, source] of Object.entries(sources)) {
    namedSources[name] = { ...source, guestSecret: `local/guest/${name}` };
    const creds = guest[name];
    if (creds) secrets[`local/guest/${name}`] = creds;
    const smoke = options.smokeGuest?.[name];
    if (smoke) {
      namedSources[name].smokeGuestSecret = `local/guest-smoke/${name}`;
      secrets[`local/guest-smoke/${name}`] = smoke;
    }
  }
  return {
    config: workflowConfigDocument(
      {
        // Not the AWS stack's id: its Reaper and this runner never take each other's clones.
        deploymentId: 'local',
        vcenter: {
          url: vcenter.url,
          ...(vcenter.insecure ? { insecure: true } : {}),
          ...(vcenter.caPem ? { caPem: vcenter.caPem } : {}),
          secret: LOCAL_VCENTER_SECRET,
        },
        sources: namedSources,
        // The handlers' own defaults (lambdas/workflow/config.ts) unless the caller sets some.
        defaults: { ...options.defaults },
        throttle: options.throttle,
        requestPolicies: options.requestPolicies,
      },
      { withPolicies: true },
    ),
    secrets,
    target: vcenter,
  };
}
