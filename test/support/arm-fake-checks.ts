import type { ArmResource } from "./arm-fake-resources.js";
import { ASGS_PER_NSG, checkRule } from "./arm-fake-rule-checks.js";

/**
 * What ARM's network provider checks before it accepts a PUT or a DELETE, as far as segsync meets
 * it (docs/clouds.md, "Azure NSG and ASG limits", "Azure NSG updates"): the answer is a synchronous
 * 400, and nothing changes. The contract suite (test/contract/azure-api.contract.ts) holds the
 * simulator to the same answers.
 */

export interface CheckFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

type Properties = Record<string, unknown>;
interface Child {
  name?: string;
  properties?: Properties;
}
interface Reference {
  id?: unknown;
}

/** Rules per NSG (docs/clouds.md, "Azure NSG and ASG limits"). */
export const RULES_PER_NSG = 1000;
const MIN_PRIORITY = 100;
const MAX_PRIORITY = 4096;

function invalid(code: string, message: string): CheckFailure {
  return { status: 400, code, message };
}

/** ARM's one answer for a reference that does not resolve. */
function missingReference(referenced: string, by: string): CheckFailure {
  return invalid(
    "InvalidResourceReference",
    `Resource ${referenced} referenced by resource ${by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
  );
}

function referencesOf(values: unknown): string[] {
  return ((values as Reference[] | undefined) ?? []).flatMap((reference) =>
    typeof reference.id === "string" ? [reference.id] : [],
  );
}

/** ARM's view of the subscription, as the checks of a PUT need it. */
export interface PutContext {
  readonly id: string;
  readonly type: string;
  /** Normalized. */
  readonly location: string | undefined;
  readonly tags: Readonly<Record<string, unknown>>;
  /** The resource the PUT replaces. */
  readonly existing: ArmResource | undefined;
  readonly properties: Properties;
  readonly resources: readonly ArmResource[];
}

/** Resources per IP configuration (docs/clouds.md, "Azure NSG and ASG limits"). */
export const ASGS_PER_IP_CONFIGURATION = 20;

/** docs/clouds.md, "Azure tags". */
const TAGS_PER_RESOURCE = 50;
const MAX_TAG_NAME = 512;
const MAX_TAG_VALUE = 256;
const FORBIDDEN_TAG_NAME = /[<>%&\\?/]/;

function checkTags(tags: Readonly<Record<string, unknown>>): CheckFailure | undefined {
  const names = Object.keys(tags);
  if (names.length > TAGS_PER_RESOURCE) {
    return invalid("InvalidTagCount", `A resource can have at most ${TAGS_PER_RESOURCE} tags.`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (name.length === 0 || name.length > MAX_TAG_NAME || FORBIDDEN_TAG_NAME.test(name)) {
      return invalid("InvalidTagNameCharacters", `The tag name '${name}' is not valid.`);
    }
    if (seen.has(name.toLowerCase())) {
      return invalid("InvalidTagName", `The tag name '${name}' is given twice (tag names ignore case).`);
    }
    seen.add(name.toLowerCase());
    if (String(tags[name]).length > MAX_TAG_VALUE) {
      return invalid(
        "InvalidTagValueLength",
        `The value of tag '${name}' exceeds ${MAX_TAG_VALUE} characters.`,
      );
    }
  }
  return undefined;
}

/** The first reason ARM would refuse this PUT body, or undefined. */
export function checkPut(put: PutContext): CheckFailure | undefined {
  const tags = checkTags(put.tags);
  if (tags) return tags;
  if (put.existing !== undefined && normalizeLocation(put.existing.location) !== put.location) {
    return invalid(
      "InvalidResourceLocation",
      `The resource '${put.id}' already exists in location '${put.existing.location}'. A resource with the same name cannot be created in location '${put.location}'.`,
    );
  }
  const lower = put.type.toLowerCase();
  if (lower === "microsoft.network/networksecuritygroups") return checkNsg(put);
  if (lower === "microsoft.network/networkinterfaces") return checkNic(put);
  return undefined;
}

/** The first reference that names nothing, or something in another region. */
function unresolved(put: PutContext, references: readonly string[]): CheckFailure | undefined {
  const missing = references.find((reference) => {
    const target = put.resources.find((resource) => resource.id.toLowerCase() === reference.toLowerCase());
    return target === undefined || normalizeLocation(target.location) !== put.location;
  });
  return missing === undefined ? undefined : missingReference(missing, put.id);
}

function checkNsg(put: PutContext): CheckFailure | undefined {
  const rules = (put.properties.securityRules as Child[] | undefined) ?? [];
  if (rules.length > RULES_PER_NSG) {
    return invalid(
      "SecurityRuleCountLimitReached",
      `A security group cannot have more than ${RULES_PER_NSG} security rules.`,
    );
  }
  const slots = new Map<string, string>();
  for (const rule of rules) {
    const { priority, direction } = rule.properties ?? {};
    if (!Number.isInteger(priority) || Number(priority) < MIN_PRIORITY || Number(priority) > MAX_PRIORITY) {
      return invalid(
        "SecurityRuleInvalidPriority",
        `Security rule has invalid Priority. Value provided: ${String(priority)} Allowed range ${MIN_PRIORITY}-${MAX_PRIORITY}.`,
      );
    }
    const slot = `${String(direction).toLowerCase()}|${String(priority)}`;
    const other = slots.get(slot);
    if (other !== undefined) {
      return invalid(
        "SecurityRuleConflict",
        `Security rule ${other} conflicts with rule ${rule.name}. Rules cannot have the same Priority and Direction.`,
      );
    }
    slots.set(slot, rule.name ?? "");
    const wrong = checkRule(rule.properties ?? {});
    if (wrong) return invalid(wrong.code, wrong.message);
    const refused = unresolved(put, asgsOf(rule));
    if (refused) return refused;
  }
  const asgs = new Set(rules.flatMap(asgsOf).map((id) => id.toLowerCase()));
  if (asgs.size > ASGS_PER_NSG) {
    return invalid(
      "ApplicationSecurityGroupsPerNetworkSecurityGroupLimitReached",
      `The rules of ${put.id} name ${asgs.size} application security groups; the limit is ${ASGS_PER_NSG}.`,
    );
  }
  return undefined;
}

function asgsOf(rule: Child): string[] {
  return [
    ...referencesOf(rule.properties?.sourceApplicationSecurityGroups),
    ...referencesOf(rule.properties?.destinationApplicationSecurityGroups),
  ];
}

/** `/subscriptions/…/virtualNetworks/<vnet>` of a NIC's first IP configuration, lowercased. */
function virtualNetworkOf(properties: Properties | undefined): string | undefined {
  const [first] = (properties?.ipConfigurations as Child[] | undefined) ?? [];
  const subnet = referencesOf([first?.properties?.subnet ?? {}])[0];
  return subnet?.toLowerCase().replace(/\/subnets\/[^/]+$/, "");
}

function checkNic(put: PutContext): CheckFailure | undefined {
  const configurations = (put.properties.ipConfigurations as Child[] | undefined) ?? [];
  const asgs = configurations.map((configuration) =>
    referencesOf(configuration.properties?.applicationSecurityGroups),
  );
  if (asgs.some((refs) => refs.length > ASGS_PER_IP_CONFIGURATION)) {
    return invalid(
      "ApplicationSecurityGroupsPerIpConfigurationLimitReached",
      `An IP configuration of ${put.id} names more than ${ASGS_PER_IP_CONFIGURATION} application security groups.`,
    );
  }
  const refused = unresolved(put, [
    ...referencesOf([put.properties.networkSecurityGroup ?? {}]),
    ...asgs.flat(),
  ]);
  if (refused) return refused;
  const vnet = virtualNetworkOf(put.properties);
  for (const asg of new Set(asgs.flat().map((id) => id.toLowerCase()))) {
    const elsewhere = put.resources.find(
      (nic) =>
        nic.id.toLowerCase() !== put.id.toLowerCase() &&
        ((nic.properties?.ipConfigurations as Child[] | undefined) ?? []).some((configuration) =>
          referencesOf(configuration.properties?.applicationSecurityGroups).some(
            (id) => id.toLowerCase() === asg,
          ),
        ) &&
        virtualNetworkOf(nic.properties) !== vnet,
    );
    if (elsewhere !== undefined) {
      return invalid(
        "ApplicationSecurityGroupInDifferentVirtualNetwork",
        `Application security group ${asg} has members in another virtual network than ${put.id}.`,
      );
    }
  }
  return undefined;
}

/**
 * Why ARM would refuse to delete this resource: an NSG that a NIC uses, an ASG that an IP
 * configuration or a security rule names.
 */
export function checkDelete(resource: ArmResource, all: readonly ArmResource[]): CheckFailure | undefined {
  const type = resource.type.toLowerCase();
  const same = (reference: string) => reference.toLowerCase() === resource.id.toLowerCase();
  if (type === "microsoft.network/networksecuritygroups") {
    const used = all.some((nic) => referencesOf([nic.properties?.networkSecurityGroup ?? {}]).some(same));
    if (!used) return undefined;
    return invalid(
      "InUseNetworkSecurityGroupCannotBeDeleted",
      `Network security group ${resource.id} cannot be deleted because it is in use.`,
    );
  }
  if (type !== "microsoft.network/applicationsecuritygroups") return undefined;
  const configurations = all.flatMap((nic) =>
    ((nic.properties?.ipConfigurations as Child[] | undefined) ?? []).filter((configuration) =>
      referencesOf(configuration.properties?.applicationSecurityGroups).some(same),
    ),
  );
  if (configurations.length > 0) {
    return invalid(
      "ApplicationSecurityGroupInUseByIpConfigurations",
      `Application Security Group ${resource.name} cannot be deleted because it is referenced by IpConfiguration(s) ${configurations.map((c) => c.name).join(", ")}.`,
    );
  }
  const rules = all.flatMap((nsg) =>
    ((nsg.properties?.securityRules as Child[] | undefined) ?? []).filter((rule) =>
      [
        ...referencesOf(rule.properties?.sourceApplicationSecurityGroups),
        ...referencesOf(rule.properties?.destinationApplicationSecurityGroups),
      ].some(same),
    ),
  );
  if (rules.length === 0) return undefined;
  return invalid(
    "ApplicationSecurityGroupInUseBySecurityRules",
    `Application Security Group ${resource.name} cannot be deleted because it is referenced by security rule(s) ${rules.map((r) => r.name).join(", ")}.`,
  );
}

/** ARM takes "East US" and "eastus" alike and answers with the normalized form. */
export function normalizeLocation(location: string | undefined): string | undefined {
  return location?.replace(/\s+/g, "").toLowerCase();
}
