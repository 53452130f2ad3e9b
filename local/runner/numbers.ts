// Numeric command-line options, refused with a message naming the option instead of turning into NaN.

export function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new Error(`${flag} must be a number above 0, got '${text}'`);
  }
  return n;
}

export function nonNegativeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new Error(`${flag} must be a number of 0 or more, got '${text}'`);
  }
  return n;
}

export function positiveInteger(flag: string, text: string): number {
  const n = positiveNumber(flag, text);
  if (!Number.isInteger(n)) throw new Error(`${flag} must be a whole number, got '${text}'`);
  return n;
}
