// Typed vim25 values: everything the simulator returns is built from these so the serialiser always
// knows the wsdl type (needed for xsi:type at anyType positions such as DynamicProperty.val).

export class MoRef {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}
}

/** A data object; fields keep their wsdl order. */
export class Obj {
  constructor(
    readonly type: string,
    readonly fields: [string, Val | undefined][],
  ) {}
  get(name: string): Val | undefined {
    return this.fields.find(([k]) => k === name)?.[1];
  }
}

/** A primitive with its xsd/enum type, e.g. xsd:string, xsd:int, VirtualMachinePowerState. */
export class Prim {
  constructor(
    readonly xsdType: string,
    readonly value: string,
  ) {}
}

/** A list; itemType names the ArrayOfX wrapper used at anyType positions. */
export class Arr {
  constructor(
    readonly itemType: string,
    readonly items: Val[],
  ) {}
}

export type Val = MoRef | Obj | Prim | Arr;

export const str = (s: string) => new Prim('xsd:string', s);
export const bool = (b: boolean) => new Prim('xsd:boolean', String(b));
export const int = (n: number) => new Prim('xsd:int', String(Math.trunc(n)));
export const short = (n: number) => new Prim('xsd:short', String(Math.trunc(n)));
export const long = (n: number) => new Prim('xsd:long', String(Math.trunc(n)));
export const date = (ms: number) => new Prim('xsd:dateTime', new Date(ms).toISOString());
export const enumv = (type: string, v: string) => new Prim(type, v);
export const strs = (list: string[]) => new Arr('string', list.map(str));
export const obj = (type: string, fields: Record<string, Val | undefined>) =>
  new Obj(type, Object.entries(fields));

/** Follows a dotted property path ("runtime.powerState") through data objects. */
export function walk(root: Obj, path: string): Val | undefined {
  let cur: Val | undefined = root;
  for (const part of path.split('.')) {
    if (!(cur instanceof Obj)) return undefined;
    cur = cur.get(part);
  }
  return cur;
}
