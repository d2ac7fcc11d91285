/**
 * How segsync marks what it owns in GCP, and the only objects it changes: firewall rules named
 * `segsync-…` whose description starts with the marker, and on instances only network tags named
 * `segsync-…`.
 */
export const OWNED_PREFIX = "segsync-";
export const DESCRIPTION_MARKER = "segsync:managed";

export function isOwnedFirewall(firewall: { readonly name: string; readonly description?: string }): boolean {
  return (
    firewall.name.startsWith(OWNED_PREFIX) && (firewall.description ?? "").startsWith(DESCRIPTION_MARKER)
  );
}

export function isOwnedTag(tag: string): boolean {
  return tag.startsWith(OWNED_PREFIX);
}
