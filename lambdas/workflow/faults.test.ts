import { describe, expect, it } from 'vitest';
import { IpTimeoutError } from './errors.js';
import { toWorkflowError } from './faults.js';

function fault(faultName: string): Error {
  return Object.assign(new Error(`${faultName}: boom`), { name: 'VsphereFault', faultName });
}
const transport = Object.assign(new Error('ECONNRESET'), { name: 'VsphereTransportError' });

describe('toWorkflowError', () => {
  it.each([
    ['InsufficientResourcesFault', 'clone', 'HostCapacityExceeded'],
    ['InsufficientMemoryResourcesFault', 'clone', 'HostCapacityExceeded'],
    ['FileFault', 'clone', 'CloneFailed'],
    ['GuestOperationsUnavailable', 'guest', 'GuestOpsUnavailable'],
    ['InvalidState', 'guest', 'GuestOpsUnavailable'],
    ['TooManyGuestLogons', 'guest', 'GuestOpsUnavailable'],
    ['InvalidGuestLogin', 'guest', 'GuestLoginFailed'],
    ['GuestPermissionDenied', 'guest', 'GuestLoginFailed'],
    ['GuestAuthenticationChallenge', 'guest', 'GuestLoginFailed'],
    ['GuestComponentsOutOfDate', 'guest', 'GuestOpsUnsupported'],
    ['OperationDisabledByGuest', 'guest', 'GuestOpsUnsupported'],
    ['OperationNotSupportedByGuest', 'guest', 'GuestOpsUnsupported'],
    ['InvalidLogin', 'login', 'LoginFailed'],
    // A session lost again right after the client's own re-login is transient, never LoginFailed.
    ['NotAuthenticated', 'login', 'VcenterUnavailable'],
    ['NotAuthenticated', 'teardown', 'VcenterUnavailable'],
    ['NoPermission', 'clone', 'PermissionDenied'],
    ['TaskInProgress', 'clone', 'VcenterUnavailable'],
    ['ManagedObjectNotFound', 'verify', 'SourceNotFound'],
    ['InvalidDeviceSpec', 'reconnect', 'NicReconnectFailed'],
    ['VimFault', 'teardown', 'TeardownFailed'],
  ] as const)('%s in %s → %s', (faultName, phase, expected) => {
    const e = toWorkflowError(fault(faultName), phase, 'vm1');
    expect(e.name).toBe(expected);
    expect(e.message).toContain(faultName);
  });

  it('transport errors: guest phase → GuestOpsUnavailable, else VcenterUnavailable', () => {
    expect(toWorkflowError(transport, 'guest', 'vm1').name).toBe('GuestOpsUnavailable');
    expect(toWorkflowError(transport, 'clone', 'vm1').name).toBe('VcenterUnavailable');
  });

  it.each([
    ['clone', 'VcenterUnavailable'],
    ['reconnect', 'VcenterUnavailable'],
    ['guest', 'GuestOpsUnavailable'],
    ['teardown', 'TeardownFailed'],
  ] as const)('a vSphere timeout in the %s phase → %s, a name the ASL retries', (phase, name) => {
    const timeout = Object.assign(new Error('timed out waiting for Task task-9'), {
      name: 'VsphereTimeoutError',
    });
    const e = toWorkflowError(timeout, phase, 'ci-1');
    expect(e.name).toBe(name);
    expect(e.message).toContain('did not finish in time');
  });

  it('passes workflow errors and unknown errors through', () => {
    const own = new IpTimeoutError('x');
    expect(toWorkflowError(own, 'ip', 'vm1')).toBe(own);
    const other = new TypeError('bug');
    expect(toWorkflowError(other, 'ip', 'vm1')).toBe(other);
  });
});
