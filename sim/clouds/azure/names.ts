import { fail } from "./failures.js";

/**
 * ARM's naming and tagging rules for the resources the simulator holds (docs/clouds.md,
 * "Azure NSG and ASG limits", "Azure tags"), so that a name or tag that ARM would refuse is refused
 * here too.
 */

const RESOURCE_GROUP = /^[\w.()-]{0,89}[\w()-]$/;
/** NSGs, ASGs, NICs, public IPs, VNets: 1-80, starting with a letter or digit, ending with one or `_`. */
const NETWORK_RESOURCE = /^[A-Za-z0-9](?:[\w.-]{0,78}\w)?$/;
/** VMs: 1-64 (Linux; Windows is stricter), starting with a letter or digit, not ending with `.` or `-`. */
const VIRTUAL_MACHINE = /^[A-Za-z0-9](?:[\w.-]{0,62}\w)?$/;
/** Security rules: 1-80 of word characters, `.` and `-`, starting and ending with a word character. */
const SECURITY_RULE = /^\w(?:[\w.-]{0,78}\w)?$/;

export const TAGS_PER_RESOURCE = 50;
const MAX_TAG_NAME = 512;
const MAX_TAG_VALUE = 256;
const FORBIDDEN_TAG_NAME_CHARACTERS = /[<>%&\\?/]/;

export type NameKind = "resourceGroup" | "network" | "virtualMachine" | "securityRule";

const PATTERNS: Readonly<Record<NameKind, RegExp>> = {
  resourceGroup: RESOURCE_GROUP,
  network: NETWORK_RESOURCE,
  virtualMachine: VIRTUAL_MACHINE,
  securityRule: SECURITY_RULE,
};

export function checkName(kind: NameKind, name: string, what: string): void {
  if (!PATTERNS[kind].test(name)) {
    throw fail.invalid("InvalidResourceName", `${what} name '${name}' is invalid for its resource type.`);
  }
}

/** ARM takes "East US" and "eastus" alike and answers with the normalized form. */
export function normalizeLocation(location: string): string {
  const normalized = location.replace(/\s+/g, "").toLowerCase();
  if (!/^[a-z][a-z0-9]*$/.test(normalized)) {
    throw fail.invalid("LocationNotAvailableForResourceType", `The location '${location}' is not available.`);
  }
  return normalized;
}

/** A resource keeps the location it was created in. */
export function checkSameLocation(id: string, existing: string, requested: string): void {
  if (existing !== requested) {
    throw fail.invalid(
      "InvalidResourceLocation",
      `The resource '${id}' already exists in location '${existing}'. A resource with the same name cannot be created in location '${requested}'.`,
    );
  }
}

/** Tag names are case-insensitive in ARM: two names that differ only in case are one tag. */
export function checkTags(tags: Readonly<Record<string, string>>): void {
  const names = Object.keys(tags);
  if (names.length > TAGS_PER_RESOURCE) {
    throw fail.invalid("InvalidTagCount", `A resource can have at most ${TAGS_PER_RESOURCE} tags.`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (name.length === 0 || name.length > MAX_TAG_NAME) {
      throw fail.invalid(
        "InvalidTagNameLength",
        `Tag name '${name}' must be 1 to ${MAX_TAG_NAME} characters.`,
      );
    }
    if (FORBIDDEN_TAG_NAME_CHARACTERS.test(name)) {
      throw fail.invalid(
        "InvalidTagNameCharacters",
        `Tag name '${name}' has a character that is not allowed: < > % & \\ ? /`,
      );
    }
    if (seen.has(name.toLowerCase())) {
      throw fail.invalid("InvalidTagName", `Tag name '${name}' is given twice (tag names ignore case).`);
    }
    seen.add(name.toLowerCase());
    const value = tags[name] ?? "";
    if (value.length > MAX_TAG_VALUE) {
      throw fail.invalid(
        "InvalidTagValueLength",
        `The value of tag '${name}' is longer than ${MAX_TAG_VALUE} characters.`,
      );
    }
  }
}
