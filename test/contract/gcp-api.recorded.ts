/**
 * The read cases of the GCP API contract over recorded real responses (test/fixtures/gcp/compute,
 * sources in test/fixtures/gcp/SOURCES.md): each implementation holds the recorded estate, and
 * must read it as Compute returned it.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect } from "vitest";
import type { GcpInstance } from "../../lib/clouds/gcp/model.js";
import type {
  GcpApiImplementation,
  HeldEstate,
  Json,
  RecordedEstate,
  RecordedPart,
} from "./gcp-api.world.js";
import type { NotRun } from "./not-run.js";

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/gcp/compute");
const COMPUTE = "https://www.googleapis.com/compute/v1";

export function recordedBody(name: string): Json {
  return JSON.parse(readFileSync(resolve(FIXTURES, name), "utf8")) as Json;
}

/** gcpdiag gce1: six instances in two zones of europe-west4, the default network's rules. */
const GCPDIAG = "gcpdiag-gce1-aaaa";
const GCPDIAG_NETWORK = `${COMPUTE}/projects/${GCPDIAG}/global/networks/default`;
/** forseti: project1, its subnetworks over two pages. */
const FORSETI = "project1";

/**
 * gcpdiag's recorded rules (instances.getEffectiveFirewalls answers with Firewall resources, as
 * firewalls.list does), its INGRESS rules only: its EGRESS rules repeat the names of INGRESS ones
 * and carry source tags, which no project can hold (Compute refuses source tags on EGRESS rules:
 * the `firewalls` resource, `direction`), edits of gcpdiag's own test data.
 */
function gcpdiagIngressRules(): Json {
  const { firewalls } = recordedBody("gcpdiag-gce1-effective-firewalls.json") as { firewalls: Json[] };
  return {
    kind: "compute#firewallList",
    items: firewalls.filter((firewall) => firewall.direction === "INGRESS"),
  };
}

const where = (instance: GcpInstance) => `${instance.zone.split("/").at(-1)}/${instance.name}`;

function itHolding(
  notRun: NotRun,
  implementation: GcpApiImplementation,
  part: RecordedPart | undefined,
  title: string,
  run: () => Promise<void>,
): void {
  const reason = part === undefined ? undefined : implementation.cannotHold?.[part];
  notRun.case(reason, title, run);
}

export function describeRecordedReads(implementation: GcpApiImplementation, notRun: NotRun): void {
  notRun.group("recorded estates", () => {
    let held: HeldEstate | undefined;
    const hold = async (estate: RecordedEstate) => {
      held = await implementation.hold(estate);
      return held.api;
    };
    afterEach(async () => {
      await held?.stop();
      held = undefined;
    });

    itHolding(
      notRun,
      implementation,
      undefined,
      "lists gcpdiag's instances as Compute returned them",
      async () => {
        const api = await hold({
          project: GCPDIAG,
          instances: recordedBody("gcpdiag-gce1-instances-aggregated.json"),
        });

        const instances = await api.listInstances();

        expect(instances.map(where).sort()).toEqual([
          "europe-west4-a/gce1",
          "europe-west4-a/gce2",
          "europe-west4-a/gke-gke1-default-pool-35923fbc-2xxp",
          "europe-west4-a/mig-bzvx",
          "europe-west4-a/mig-l40g",
          "europe-west4-b/gce1",
        ]);
        const find = (name: string) => instances.find((instance) => instance.name === name);
        expect(find("gke-gke1-default-pool-35923fbc-2xxp")).toStrictEqual({
          id: "1470007467084984573",
          name: "gke-gke1-default-pool-35923fbc-2xxp",
          zone: `${COMPUTE}/projects/${GCPDIAG}/zones/europe-west4-a`,
          status: "RUNNING",
          labels: { gcp_doctor_test: "gke", "goog-gke-node": "" },
          labelFingerprint: "mUgogP08_Iw=",
          tags: { items: ["gke-gke1-f36cf6dd-node"], fingerprint: "REDACTED" },
          networkInterfaces: [
            {
              name: "nic0",
              network: GCPDIAG_NETWORK,
              subnetwork: `${COMPUTE}/projects/${GCPDIAG}/regions/europe-west1/subnetworks/default`,
              networkIP: "10.132.0.5",
              accessConfigs: [{ name: "external-nat", type: "ONE_TO_ONE_NAT", natIP: "34.78.171.82" }],
            },
          ],
          selfLink: `${COMPUTE}/projects/${GCPDIAG}/zones/europe-west4-a/instances/gke-gke1-default-pool-35923fbc-2xxp`,
        });
        expect(find("mig-bzvx")?.tags).toStrictEqual({ fingerprint: "42WmSpB8rSM=" });
        expect(await api.getInstance("europe-west4-b", "gce1")).toStrictEqual(
          instances.find((instance) => where(instance) === "europe-west4-b/gce1"),
        );
        expect(api.takeUnreadable()).toEqual([]);
      },
    );

    itHolding(
      notRun,
      implementation,
      undefined,
      "lists gcpdiag's rules as Compute returned them",
      async () => {
        const api = await hold({ project: GCPDIAG, firewalls: gcpdiagIngressRules() });

        const rules = await api.listFirewalls();

        expect(rules.map((rule) => rule.name).sort()).toEqual([
          "default-allow-icmp",
          "default-allow-internal",
          "default-allow-rdp",
          "default-allow-ssh",
          "gce-secured-instance-test-deny",
          "gke-gke1-f36cf6dd-all",
          "gke-gke1-f36cf6dd-ssh",
          "gke-gke1-f36cf6dd-vms",
        ]);
        expect(rules.find((rule) => rule.name === "gce-secured-instance-test-deny")).toStrictEqual({
          id: "5745387556141642506",
          name: "gce-secured-instance-test-deny",
          network: GCPDIAG_NETWORK,
          priority: 900,
          direction: "INGRESS",
          disabled: false,
          sourceRanges: ["0.0.0.0/0"],
          targetTags: ["secured-instance"],
          denied: [{ IPProtocol: "tcp", ports: ["22", "3389"] }],
          selfLink: `${COMPUTE}/projects/${GCPDIAG}/global/firewalls/gce-secured-instance-test-deny`,
        });
        expect(api.takeUnreadable()).toEqual([]);
      },
    );

    itHolding(
      notRun,
      implementation,
      "subnetworks",
      "lists forseti's subnetworks over two pages",
      async () => {
        const api = await hold({
          project: FORSETI,
          subnetworks: [
            recordedBody("forseti-subnetworks-aggregated-list-page1.json"),
            recordedBody("forseti-subnetworks-aggregated-list-page2.json"),
          ],
        });

        const subnetworks = await api.listSubnetworks();

        expect(subnetworks).toHaveLength(13);
        expect(subnetworks.find((subnetwork) => subnetwork.ipCidrRange === "192.168.0.0/20")).toStrictEqual({
          name: "default2",
          network: `${COMPUTE}/projects/${FORSETI}/global/networks/default2`,
          ipCidrRange: "192.168.0.0/20",
          region: `${COMPUTE}/projects/${FORSETI}/regions/us-central1`,
        });
        expect(subnetworks.map((subnetwork) => subnetwork.ipCidrRange)).toContain("10.158.0.0/20");
      },
    );

    itHolding(
      notRun,
      implementation,
      "xpn",
      "names gcloud's recorded service projects, leaving out other resource types",
      async () => {
        const project = recordedBody("gcpdiag-gce1-project.json");
        const api = await hold({
          project: String(project.name),
          // The recorded Project as a host: `xpnProjectStatus` is the value the API documents for one.
          projectResource: { ...project, xpnProjectStatus: "HOST" },
          xpnResources: recordedBody("gcloud-get-xpn-resources.json"),
        });

        expect(await api.getXpnResources()).toEqual(["associated-project-1"]);
      },
    );

    itHolding(
      notRun,
      implementation,
      "xpn",
      "names the host from gcpdiag's recorded Project, none from an empty one",
      async () => {
        const host = recordedBody("gcpdiag-gce1-project.json");
        const service = await hold({
          project: "associated-project-1",
          xpnHost: { ...host, xpnProjectStatus: "HOST" },
        });
        expect(await service.getXpnHost()).toBe(GCPDIAG);
        await held?.stop();

        const alone = await hold({ project: "associated-project-1", xpnHost: {} });
        expect(await alone.getXpnHost()).toBeUndefined();
      },
    );
  });
}
