import { networkUrl } from "../../../lib/clouds/gcp/model.js";

/** Compute's API root; resource URLs (selfLink, zone, network) start with it. */
export const COMPUTE_ROOT = "https://www.googleapis.com/compute/v1";

const NETWORK_URL =
  /^(?:https:\/\/(?:www|compute)\.googleapis\.com\/compute\/(?:v1|beta)\/)?projects\/([^/]+)\/global\/networks\/([^/]+)$/;
const PROJECT_RELATIVE = /^global\/networks\/([^/]+)$/;

export interface NetworkRef {
  readonly project: string;
  readonly name: string;
  /** The full URL, as Compute returns it. */
  readonly url: string;
}

/**
 * A network reference as Compute accepts it: a full URL, `projects/<p>/global/networks/<n>` or
 * `global/networks/<n>` (this project); bare names only where `bareName` is allowed (simulation
 * controls, for convenience). Undefined when the text is none of these.
 */
export function resolveNetwork(project: string, text: string, bareName: boolean): NetworkRef | undefined {
  const full = NETWORK_URL.exec(text);
  if (full !== null) return ref(full[1] as string, full[2] as string);
  const relative = PROJECT_RELATIVE.exec(text);
  if (relative !== null) return ref(project, relative[1] as string);
  if (bareName && /^[^/]+$/.test(text)) return ref(project, text);
  return undefined;
}

function ref(project: string, name: string): NetworkRef {
  return { project, name, url: networkUrl(project, name) };
}

export function zoneUrl(project: string, zone: string): string {
  return `${COMPUTE_ROOT}/projects/${project}/zones/${zone}`;
}

export function instancePath(project: string, zone: string, name: string): string {
  return `projects/${project}/zones/${zone}/instances/${name}`;
}

export function firewallPath(project: string, name: string): string {
  return `projects/${project}/global/firewalls/${name}`;
}
