import { parseCidr } from "../../lib/net/cidr.js";

/**
 * What ARM checks in one security rule of an NSG PUT, past its priority: port ranges, address
 * prefixes and their number (docs/clouds.md, "Azure NSG and ASG limits"). The answer is the
 * reason ARM would refuse it, or undefined.
 */

export interface RuleFailure {
  readonly code: string;
  readonly message: string;
}

/** Addresses and ranges per rule, each side. */
export const PREFIXES_PER_RULE = 4000;
/** Distinct ASGs across all rules of one NSG. */
export const ASGS_PER_NSG = 100;
/** `VirtualNetwork`, `AzureLoadBalancer`, `Internet`, `Storage.EastUS`, … */
const SERVICE_TAG = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)?$/;
const PORT_RANGE = /^(\d{1,5})(?:-(\d{1,5}))?$/;

type Properties = Record<string, unknown>;

function valuesOf(properties: Properties, single: string, list: string): string[] {
  const one = properties[single];
  const many = (properties[list] as unknown[] | undefined) ?? [];
  return [...many.map(String), ...(typeof one === "string" && one !== "" ? [one] : [])];
}

function badPort(range: string): boolean {
  if (range === "*") return false;
  const match = PORT_RANGE.exec(range);
  const from = Number(match?.[1]);
  const to = Number(match?.[2] ?? match?.[1]);
  return match === null || from > to || to > 65535;
}

export function checkRule(properties: Properties): RuleFailure | undefined {
  for (const side of ["source", "destination"]) {
    const port = valuesOf(properties, `${side}PortRange`, `${side}PortRanges`).find(badPort);
    if (port !== undefined) {
      return {
        code: "SecurityRuleInvalidPortRange",
        message: `Security rule has invalid Port range. Value provided: ${port}. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535.`,
      };
    }
    const prefixes = valuesOf(properties, `${side}AddressPrefix`, `${side}AddressPrefixes`);
    if (prefixes.length > PREFIXES_PER_RULE) {
      return {
        code: "SecurityRuleAddressPrefixesLimitReached",
        message: `A security rule side cannot have more than ${PREFIXES_PER_RULE} address prefixes.`,
      };
    }
    const bad = prefixes.find(
      (prefix) => prefix !== "*" && !SERVICE_TAG.test(prefix) && !parseCidr(prefix).ok,
    );
    if (bad !== undefined) {
      return {
        code: "SecurityRuleInvalidAddressPrefix",
        message: `Security rule has invalid Address prefix. Value provided: ${bad}.`,
      };
    }
  }
  return undefined;
}
