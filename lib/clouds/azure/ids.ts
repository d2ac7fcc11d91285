/**
 * Azure ids: `azure:<subscription>:<resourceGroup>:<vmName>` and
 * `azure:<subscription>:<resourceGroup>:<vnetName>`. A leaf (lib/clouds/names.ts).
 */
import { cloudIdFormat, idPart } from "../common/id-format.js";

const SUBSCRIPTION = idPart(
  "subscription",
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  "a lowercase GUID",
);
const RESOURCE_GROUP = idPart(
  "resourceGroup",
  /^[\w.()-]{0,89}[\w()-]$/,
  "1-90 of letters, digits, _ - . ( ), not ending with .",
);

export const AZURE_IDS = cloudIdFormat({
  cloud: "azure",
  name: "Azure",
  oneOf: "an Azure",
  workload: [
    SUBSCRIPTION,
    RESOURCE_GROUP,
    idPart("vmName", /^[\w.-]{1,64}$/, "1-64 of letters, digits, - _ and ."),
  ],
  network: [
    SUBSCRIPTION,
    RESOURCE_GROUP,
    idPart(
      "vnetName",
      /^[A-Za-z0-9][\w.-]{0,62}\w$/,
      "2-64 of letters, digits, _ - and ., starting with a letter or digit, ending with one or _",
    ),
  ],
});
