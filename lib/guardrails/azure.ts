/**
 * Azure: a policy definition that confines segsync's tags to where segsync puts them. Azure Policy
 * sees the resource a request would leave, never who sent it (docs/guardrails.md), so it cannot
 * say "only segsync writes these keys"; it can refuse every resource that carries them where
 * segsync never would: ownership tags on anything but an NSG or ASG, or on an NSG or ASG outside
 * segsync's resource groups (which RBAC keeps to segsync), and NIC records on anything but a NIC.
 */
import { OWNERSHIP_KEYS } from "./keys.js";
import type { GuardrailPrincipals } from "./principals.js";
import type { PolicyDefinition } from "./schemas/azure.js";

const SEGSYNC_OWNED_TYPES = [
  "Microsoft.Network/networkSecurityGroups",
  "Microsoft.Network/applicationSecurityGroups",
];
const NIC_TYPE = "Microsoft.Network/networkInterfaces";

export interface AzurePolicyOptions {
  /** The resource groups segsync creates its NSGs and ASGs in: the default of the parameter. */
  readonly resourceGroups?: readonly string[];
}

const anyTagOf = (keys: readonly string[]) => ({
  anyOf: keys.map((key) => ({ field: `tags['${key}']`, exists: "true" })),
});

export function azurePolicyDefinition(
  principals: GuardrailPrincipals,
  options: AzurePolicyOptions = {},
): PolicyDefinition {
  const groups = options.resourceGroups === undefined ? [] : [...new Set(options.resourceGroups)].sort();
  return {
    properties: {
      displayName: "segsync: segsync's tags only where segsync puts them",
      policyType: "Custom",
      // Indexed: NSGs, ASGs and NICs support tags and location; resource groups are not concerned.
      mode: "Indexed",
      description:
        "Denies segsync's ownership tags on anything but an NSG or ASG in segsync's resource groups, and its NIC records on anything but a NIC. Assign it where segsync manages; see segsync's docs/guardrails.md.",
      metadata: {
        category: "Tags",
        version: "1.0.0",
        ...(principals.azurePrincipalId === undefined
          ? {}
          : { segsyncPrincipalId: principals.azurePrincipalId }),
      },
      parameters: {
        segsyncResourceGroups: {
          type: "Array",
          metadata: {
            displayName: "segsync's resource groups",
            description:
              "The resource groups where segsync creates its NSGs and ASGs (its config's resourceGroup).",
          },
          ...(groups.length === 0 ? {} : { defaultValue: groups }),
        },
        effect: {
          type: "String",
          metadata: { displayName: "Effect", description: "Deny, or Audit to try it first" },
          allowedValues: ["Deny", "Audit", "Disabled"],
          defaultValue: "Deny",
        },
      },
      policyRule: {
        if: {
          anyOf: [
            { allOf: [{ field: "type", notIn: SEGSYNC_OWNED_TYPES }, anyTagOf(OWNERSHIP_KEYS.azure.owned)] },
            {
              allOf: [
                { field: "type", in: SEGSYNC_OWNED_TYPES },
                anyTagOf(OWNERSHIP_KEYS.azure.owned),
                { value: "[resourceGroup().name]", notIn: "[parameters('segsyncResourceGroups')]" },
              ],
            },
            { allOf: [{ field: "type", notEquals: NIC_TYPE }, anyTagOf(OWNERSHIP_KEYS.azure.records)] },
          ],
        },
        // biome-ignore lint/suspicious/noThenProperty: Azure Policy names it so
        then: { effect: "[parameters('effect')]" },
      },
    },
  };
}
