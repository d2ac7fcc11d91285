/**
 * Exact checks of the values flow logs carry (docs/flows.md, "What is malformed"). Each throws a
 * FieldError naming the field and the value; the parsers turn it into a malformed record with
 * the object and line.
 */
import { isIPv6 } from "node:net";

/** A field whose value is not what its format says: caught by the parser, never past it. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "FieldError";
  }
}

/** Protocols whose records carry ports: TCP, UDP, SCTP. Others (ICMP…) have none. */
const PORTED_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);

export function hasPorts(protocol: number): boolean {
  return PORTED_PROTOCOLS.has(protocol);
}

const DIGITS = /^\d+$/;

function quoted(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** A decimal integer in [min, max], written without sign, fraction or exponent. */
export function integerField(field: string, text: string, min: number, max: number): number {
  // A hand loop: this runs several times per record, and a regular expression and Number() cost more.
  const length = text.length;
  if (length === 0 || length > 15) return longIntegerField(field, text, min, max);
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) throw new FieldError(field, `${quoted(text)} is not a whole number`);
    value = value * 10 + digit;
  }
  if (value < min || value > max) throw new FieldError(field, `${quoted(text)} is outside ${min}..${max}`);
  return value;
}

function longIntegerField(field: string, text: string, min: number, max: number): number {
  if (!DIGITS.test(text)) throw new FieldError(field, `${quoted(text)} is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new FieldError(field, `${quoted(text)} is outside ${min}..${max}`);
  return value;
}

export function portField(field: string, text: string): number {
  return integerField(field, text, 0, 65_535);
}

export function protocolField(field: string, text: string): number {
  return integerField(field, text, 0, 255);
}

/** Packets, bytes: counts that stay exact in a JS number. */
export function countField(field: string, text: string): number {
  return integerField(field, text, 0, Number.MAX_SAFE_INTEGER);
}

/**
 * An IPv4 or IPv6 address. IPv6 is written in its one canonical form (lowercase, zeros
 * compressed) so that the two ends of a connection logged by different writers meet.
 */
export function addressField(field: string, text: string): string {
  if (isDottedQuad(text)) return text;
  if (isIPv6(text) && !text.includes("%")) return canonicalIPv6(text);
  throw new FieldError(field, `${quoted(text)} is not an IPv4 or IPv6 address`);
}

/** Four decimal octets 0..255 without leading zeros (what node:net's isIPv4 accepts), by hand: it is hot. */
function isDottedQuad(text: string): boolean {
  let dots = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || dots === 3) return false;
      dots++;
      value = 0;
      digits = 0;
      continue;
    }
    const digit = code - 48;
    if (digit < 0 || digit > 9 || (digits === 1 && value === 0)) return false;
    value = value * 10 + digit;
    digits++;
    if (value > 255) return false;
  }
  return dots === 3 && digits > 0;
}

function canonicalIPv6(text: string): string {
  // new URL() normalises an IPv6 host exactly as RFC 5952 writes it.
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** Epoch seconds (AWS `start`/`end`, NSG tuples) as epoch milliseconds. */
export function epochSecondsField(field: string, text: string): number {
  return integerField(field, text, 0, 253_402_300_799) * 1000;
}

/** An RFC 3339 time (Cloud Logging), fractions beyond milliseconds dropped, as epoch milliseconds. */
export function rfc3339Field(field: string, text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)
    ? Date.parse(text)
    : Number.NaN;
  if (Number.isNaN(ms)) throw new FieldError(field, `${quoted(text)} is not an RFC 3339 time`);
  return ms;
}
