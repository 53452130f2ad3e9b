import { decodeElement, elementChildren, soapBodyChild, xsiType } from './decode.js';
import { VsphereFault } from './errors.js';
import type { XmlElement as Element } from './xml-tree.js';

/**
 * The vim25 fault name of a `<detail>` child: its xsi:type (prefix resolved, so vcsim's
 * `XMLSchema-instance:type` works too), else the element name minus the `Fault` suffix.
 */
export function faultNameOf(detailChild: Element): string {
  const xt = xsiType(detailChild);
  if (xt) return xt.local;
  return (detailChild.localName ?? 'Unknown').replace(/Fault$/, '');
}

/** Parses a SOAP fault envelope; undefined if the body is not a SOAP fault. */
export function parseSoapFault(xml: string): VsphereFault | undefined {
  let fault: Element | undefined;
  try {
    fault = soapBodyChild(xml);
  } catch {
    return undefined;
  }
  if (fault?.localName !== 'Fault') return undefined;
  const kids = elementChildren(fault);
  const text = (name: string) => kids.find((k) => k.localName === name)?.textContent ?? '';
  const detail = kids.find((k) => k.localName === 'detail');
  const inner = detail ? elementChildren(detail)[0] : undefined;
  if (!inner)
    return new VsphereFault(text('faultcode').replace(/^.*:/, '') || 'SoapFault', text('faultstring'));
  const decoded = decodeElement(inner);
  const fields = typeof decoded === 'object' && decoded !== null ? (decoded as Record<string, unknown>) : {};
  return new VsphereFault(faultNameOf(inner), text('faultstring'), fields);
}

/** A decoded LocalizedMethodFault (a task's `info.error`, a missingSet entry's `fault`) as a VsphereFault. */
export function localizedFault(
  error: unknown,
  unknownName = 'UnknownFault',
  task?: { type: string; value: string },
): VsphereFault {
  const e = (error ?? {}) as { fault?: { _type?: string }; localizedMessage?: string };
  return new VsphereFault(e.fault?._type ?? unknownName, e.localizedMessage ?? '', e.fault ?? {}, task);
}

/** A task's `info.error` (LocalizedMethodFault, decoded) as a VsphereFault that names the task. */
export function taskFault(error: unknown, task?: { type: string; value: string }): VsphereFault {
  return localizedFault(error, 'UnknownTaskFault', task);
}
