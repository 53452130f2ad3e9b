import { describe, expect, it } from 'vitest';
import {
  handlerPath,
  kebab,
  lambdaFunctionOf,
  localSubstitutions,
  placeholders,
  REPO_ROOT,
  readAsl,
  substitute,
  taskStates,
} from '../../local/runner/asl.js';
import { adaptForLocal, stripLocalKeys } from '../../local/runner/parity.js';
import { loadLocalDefinition } from '../../local/runner/run.js';
import { LEASE_ASL } from './fixture.js';

describe('placeholders', () => {
  it('maps each function placeholder to a local Lambda ARN and the bus to a local name', () => {
    const text = readAsl(LEASE_ASL);
    expect(placeholders(text)).toEqual(['EchoFunctionArn', 'EventBusName', 'GreetFunctionArn']);
    expect(localSubstitutions(text)).toEqual({
      EchoFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Echo',
      EventBusName: 'instant-clone-local',
      GreetFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Greet',
    });
  });

  it('leaves no placeholder behind and refuses unknown ones', () => {
    expect(JSON.stringify(loadLocalDefinition(LEASE_ASL))).not.toContain('${');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ASL placeholders, not JS templates
    expect(() => substitute('"${Nope}"', {})).toThrow(/no substitution for \$\{Nope\}/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ASL placeholders, not JS templates
    expect(() => localSubstitutions('"${QueueUrl}"')).toThrow(/is neither/);
  });

  it('derives handler paths by the ADR naming convention', () => {
    expect(kebab('WaitForIp')).toBe('wait-for-ip');
    expect(kebab('VerifySourceFrozen')).toBe('verify-source-frozen');
    expect(kebab('ReconnectNic')).toBe('reconnect-nic');
    expect(handlerPath('RefreshGuestNetwork')).toBe(`${REPO_ROOT}/lambdas/refresh-guest-network/handler.ts`);
  });

  it('finds Task states inside Map iterators and names the function each calls', () => {
    const tasks = taskStates(loadLocalDefinition(LEASE_ASL) as unknown as Record<string, unknown>);
    expect(tasks.map((t) => t.name).sort()).toEqual(['Done', 'Echo', 'Greet', 'Ready']);
    const fns = Object.fromEntries(tasks.map((t) => [t.name, lambdaFunctionOf(t.definition)]));
    expect(fns).toEqual({ Greet: 'Greet', Echo: 'Echo', Ready: undefined, Done: undefined });
  });
});

describe('local parity tweaks', () => {
  it('carries TimeoutSecondsPath through Parameters and strips it again', () => {
    const adapted = adaptForLocal(loadLocalDefinition(LEASE_ASL)) as unknown as {
      States: Record<string, { Parameters: Record<string, unknown>; TimeoutSecondsPath: string }>;
    };
    expect(adapted.States.Ready?.TimeoutSecondsPath).toBe('$.__localTimeoutSeconds');
    expect(adapted.States.Ready?.Parameters['__localTimeoutSeconds.$']).toBe('$.leaseSeconds');
    expect(stripLocalKeys({ Entries: [], __localTimeoutSeconds: 3 })).toEqual({ Entries: [] });
  });
});
