/**
 * What `native.azure` must satisfy with the rest of the estate: ARM ids that match each object's
 * name and resource group, listed once; rules, NICs and memberships referring to listed groups of
 * the NIC's region; and a NIC of an estate VM agreeing with that workload (the VM's primary NIC:
 * docs/formats.md, "Estate"), while a NIC of no VM sits in an estate VNet with its own address.
 */
import { parseResourceId } from "../../../lib/clouds/azure/model.js";
import type { DraftIssue } from "../../../lib/util/source-issues.js";
import type { AddressBook } from "../../address-book.js";
import type { EstateIndex } from "../../estate-index.js";
import { checkAzureNics, sameRegionRef } from "./native-nic-check.js";
import type { NativeAzure } from "./native-schema.js";

/** Why `id` is not the ARM id of a Microsoft.Network `type` named `name` in `resourceGroup`. */
export function armIdProblem(
  resource: { readonly id: string; readonly name: string; readonly resourceGroup: string },
  type: string,
): string | undefined {
  const parsed = parseResourceId(resource.id);
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  if (
    parsed === undefined ||
    parsed.child !== undefined ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(parsed.subscription) ||
    !same(parsed.provider, "Microsoft.Network") ||
    !same(parsed.type, type) ||
    !same(parsed.resourceGroup, resource.resourceGroup) ||
    !same(parsed.name, resource.name)
  ) {
    return `not the id of ${type} ${resource.name} in resource group ${resource.resourceGroup} (/subscriptions/<lowercase GUID>/resourceGroups/${resource.resourceGroup}/providers/Microsoft.Network/${type}/${resource.name})`;
  }
  return undefined;
}

/** Objects of one type by lowercased id (ARM ids ignore case), reporting ids that are bad or repeated. */
export function indexById<
  T extends { readonly id: string; readonly name: string; readonly resourceGroup: string },
>(objects: readonly T[], type: string, field: string, issues: DraftIssue[]): Map<string, T> {
  const byId = new Map<string, T>();
  const at = new Map<string, number>();
  objects.forEach((object, index) => {
    const path = ["native", "azure", field, index, "id"];
    const problem = armIdProblem(object, type);
    const key = object.id.toLowerCase();
    if (problem !== undefined) issues.push({ path, message: problem });
    else if (at.has(key)) {
      issues.push({
        path,
        message: `${object.id} is already listed at native.azure.${field}[${at.get(key)}]`,
      });
    } else {
      at.set(key, index);
      byId.set(key, object);
    }
  });
  return byId;
}

export function checkNativeAzure(
  native: NativeAzure,
  index: EstateIndex,
  addresses: AddressBook,
): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const nsgs = indexById(
    native.networkSecurityGroups ?? [],
    "networkSecurityGroups",
    "networkSecurityGroups",
    issues,
  );
  const asgs = indexById(
    native.applicationSecurityGroups ?? [],
    "applicationSecurityGroups",
    "applicationSecurityGroups",
    issues,
  );
  (native.networkSecurityGroups ?? []).forEach((nsg, at) => {
    nsg.securityRules.forEach((rule, k) => {
      for (const field of [
        "sourceApplicationSecurityGroups",
        "destinationApplicationSecurityGroups",
      ] as const) {
        (rule[field] ?? []).forEach((ref, m) => {
          const path = ["native", "azure", "networkSecurityGroups", at, "securityRules", k, field, m, "id"];
          issues.push(
            ...sameRegionRef(asgs, ref.id, nsg.location, "applicationSecurityGroups", "the NSG", path),
          );
        });
      }
    });
  });
  issues.push(...checkAzureNics(native, index, addresses, { nsgs, asgs }));
  return issues;
}
