import { describe, expect, it } from 'vitest';
import { decodeReturnval } from './decode.js';

const response = (inner: string) =>
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><R xmlns="urn:vim25">${inner}</R></soapenv:Body></soapenv:Envelope>`;

describe('response decoding', () => {
  it('decodes morefs, typed scalars, ArrayOf values and one-item arrays', () => {
    const v = decodeReturnval(
      response(
        '<returnval><obj type="VirtualMachine">vm-1</obj>' +
          '<propSet><name>guest.net</name><val xsi:type="ArrayOfGuestNicInfo"><GuestNicInfo xsi:type="GuestNicInfo">' +
          '<ipAddress>10.0.0.5</ipAddress><macAddress>00:50:56:00:00:01</macAddress><connected>true</connected>' +
          '<deviceConfigId>4000</deviceConfigId><ipConfig><ipAddress><ipAddress>10.0.0.5</ipAddress><prefixLength>24</prefixLength>' +
          '<origin>dhcp</origin></ipAddress></ipConfig></GuestNicInfo></val></propSet>' +
          '<propSet><name>runtime.instantCloneFrozen</name><val xsi:type="xsd:boolean">true</val></propSet></returnval>',
      ),
    ) as { obj: unknown; propSet: { name: string; val: unknown }[] };
    expect(v.obj).toEqual({ type: 'VirtualMachine', value: 'vm-1' });
    expect(v.propSet[1]?.val).toBe(true);
    const [nic] = (v.propSet[0]?.val ?? []) as Record<string, unknown>[];
    expect(nic).toMatchObject({ ipAddress: ['10.0.0.5'], connected: true, deviceConfigId: 4000 });
    expect(nic?.ipConfig).toEqual({
      ipAddress: [{ ipAddress: '10.0.0.5', prefixLength: 24, origin: 'dhcp' }],
    });
  });

  it('returns undefined when there is no returnval (e.g. FindByInventoryPath miss)', () => {
    expect(decodeReturnval(response(''))).toBeUndefined();
  });
});
