import { describe, expect, it } from 'vitest';
import { VsphereFault } from './errors.js';
import { parseSoapFault, taskFault } from './fault.js';

const envelope = (detail: string, ns = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"') =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${ns}>` +
  `<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>boom</faultstring>` +
  `<detail>${detail}</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

describe('SOAP faults', () => {
  it('names the fault by the xsi:type of the detail element', () => {
    const f = parseSoapFault(
      envelope('<InvalidGuestLoginFault xmlns="urn:vim25" xsi:type="InvalidGuestLogin"/>'),
    );
    expect(f).toBeInstanceOf(VsphereFault);
    expect(f?.faultName).toBe('InvalidGuestLogin');
    expect(f?.message).toBe('InvalidGuestLogin: boom');
  });

  it("resolves vcsim's XMLSchema-instance: prefix", () => {
    const xml = envelope(
      '<Fault xmlns="urn:vim25" XMLSchema-instance:type="ManagedObjectNotFound"><obj type="VirtualMachine">vm-9</obj></Fault>',
      'xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"',
    );
    const f = parseSoapFault(xml);
    expect(f?.faultName).toBe('ManagedObjectNotFound');
    expect(f?.detail.obj).toEqual({ type: 'VirtualMachine', value: 'vm-9' });
  });

  it('ignores a type attribute in another namespace and falls back to the element name minus Fault', () => {
    const f = parseSoapFault(
      envelope('<NotAuthenticatedFault xmlns="urn:vim25" xmlns:o="urn:other" o:type="X"/>'),
    );
    expect(f?.faultName).toBe('NotAuthenticated');
  });

  it('returns undefined for non-fault bodies and non-XML', () => {
    expect(parseSoapFault('<html>bad gateway</html>')).toBeUndefined();
    expect(parseSoapFault('not xml at all')).toBeUndefined();
  });

  it('turns a task info.error into a VsphereFault', () => {
    const f = taskFault({ fault: { _type: 'InsufficientResourcesFault' }, localizedMessage: 'no memory' });
    expect(f.faultName).toBe('InsufficientResourcesFault');
    expect(f.message).toContain('no memory');
  });
});
