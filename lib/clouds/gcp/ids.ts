/** GCP ids: `gcp:<project>:<zone>:<instanceName>` and `gcp:<project>:<networkName>`. A leaf (lib/clouds/names.ts). */
import { cloudIdFormat, idPart } from "../common/id-format.js";

const RFC_1035 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const RFC_1035_RULE = "1-63 of a-z, 0-9 and -, starting with a letter and not ending with -";

const PROJECT = idPart(
  "project",
  /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
  "6-30 of a-z, 0-9 and -, starting with a letter and not ending with -",
);

export const GCP_IDS = cloudIdFormat({
  cloud: "gcp",
  name: "GCP",
  oneOf: "a GCP",
  workload: [
    PROJECT,
    idPart("zone", /^[a-z]+-[a-z]+\d+-[a-z]$/, "a zone such as us-central1-a"),
    idPart("instanceName", RFC_1035, RFC_1035_RULE),
  ],
  network: [PROJECT, idPart("networkName", RFC_1035, RFC_1035_RULE)],
});
