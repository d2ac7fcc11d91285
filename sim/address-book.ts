import { cidrContains } from "../lib/net/cidr.js";
import type { DraftIssue } from "../lib/util/source-issues.js";
import type { IndexedNetwork } from "./estate-index.js";

/**
 * Who holds which address, for the checks of an estate and of a scenario: a private IP once per
 * network, a public IP once anywhere (a public address routes to one place on the internet).
 */
export class AddressBook {
  private readonly privates = new Map<string, string>();
  private readonly publics = new Map<string, string>();

  /** Why `holder` cannot have `ip` in `network`, or undefined once it has it. */
  claimPrivate(network: string, ip: string, holder: string): string | undefined {
    const key = `${network} ${ip}`;
    const other = this.privates.get(key);
    if (other !== undefined) return `${ip} is already used in ${network} by ${other}`;
    this.privates.set(key, holder);
    return undefined;
  }

  /** Why `holder` cannot have the public `ip`, or undefined once it has it. */
  claimPublic(ip: string, holder: string): string | undefined {
    const other = this.publics.get(ip);
    if (other !== undefined) return `${ip} is already the public IP of ${other}`;
    this.publics.set(ip, holder);
    return undefined;
  }

  releasePrivate(network: string, ip: string): void {
    this.privates.delete(`${network} ${ip}`);
  }

  releasePublic(ip: string): void {
    this.publics.delete(ip);
  }

  publicHolder(ip: string): string | undefined {
    return this.publics.get(ip);
  }
}

type Path = readonly (string | number)[];

/** Checks a NIC's addresses against its network and claims them; `at` says where each one is written. */
export function addressIssues(
  address: { readonly privateIp: string; readonly publicIp?: string | undefined },
  network: IndexedNetwork,
  addresses: AddressBook,
  holder: string,
  at: { readonly privateIp: Path; readonly publicIp: Path },
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const { id, cidr } = network.network;
  if (!cidrContains(cidr, address.privateIp)) {
    issues.push({ path: at.privateIp, message: `${address.privateIp} is outside ${id} (${cidr})` });
  } else {
    const taken = addresses.claimPrivate(id, address.privateIp, holder);
    if (taken !== undefined) issues.push({ path: at.privateIp, message: taken });
  }
  if (address.publicIp !== undefined) {
    const taken = addresses.claimPublic(address.publicIp, holder);
    if (taken !== undefined) issues.push({ path: at.publicIp, message: taken });
  }
  return issues;
}
